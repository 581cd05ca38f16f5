-- Per listener, day and region: plays, distinct tracks and time played. user_id is PII in
-- the plays contract, so promotion masks it (keyed HMAC-SHA256): the table still joins and
-- counts listeners, but does not name them.
SELECT dt, region, user_id,
       count(*) AS plays,
       count(DISTINCT track_id) AS tracks,
       sum(ms_played) AS ms_played
FROM staged.plays
GROUP BY dt, region, user_id
