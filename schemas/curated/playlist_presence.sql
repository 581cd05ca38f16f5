-- On how many featured playlists each track appears per day and region, and its best
-- (lowest) position on any of them.
SELECT dt, region, track_id,
       max(track_name) AS track_name,
       max(artist_name) AS artist_name,
       count(DISTINCT playlist_id) AS playlists,
       min(_position) AS best_position
FROM staged.playlist_tracks
GROUP BY dt, region, track_id
