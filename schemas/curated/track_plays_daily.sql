-- Plays per track, day and region, with the track's name and artist from the tracks of the
-- new albums Spotify's search found (album_tracks).
-- Incremental by dt: `lake promote` recomputes only the days whose staged plays changed.
WITH names AS (
    SELECT track_id, max(track_name) AS track_name, max(artist_name) AS artist_name
    FROM staged.album_tracks
    GROUP BY track_id
)
SELECT p.dt, p.region, p.track_id, n.track_name, n.artist_name,
       count(*) AS plays,
       count(DISTINCT p.user_id) AS listeners,
       sum(p.ms_played) AS ms_played
FROM staged.plays AS p
LEFT JOIN names AS n ON n.track_id = p.track_id
GROUP BY p.dt, p.region, p.track_id, n.track_name, n.artist_name
