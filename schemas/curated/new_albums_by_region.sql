-- New albums per market, as last seen by Spotify's search (tag:new), with their main artist
-- and how many of their tracks landed in that market: albums per region, and the artists
-- with the most new albums. Incremental by dt (the day the search saw the album).
SELECT a.dt, a.region, a.album_id,
       max(a.album_name) AS album_name,
       max(a.album_type) AS album_type,
       max(a.release_date) AS release_date,
       max(a.artist_id) AS artist_id,
       max(a.artist_name) AS artist_name,
       max(a.total_tracks) AS total_tracks,
       count(DISTINCT t.track_id) AS tracks
FROM staged.new_albums AS a
LEFT JOIN staged.album_tracks AS t ON t.album_id = a.album_id AND t.region = a.region
GROUP BY a.dt, a.region, a.album_id
