SELECT count(*) FROM 'plays/**/*.parquet'
----
48

SELECT count(*) FROM 'plays/dt=2024-03-01/*/*.parquet'
----
16

SELECT DISTINCT region FROM 'plays/*/*/*.parquet' ORDER BY 1
----
DE
SE
US

SELECT count(*) FROM read_parquet('plays/**/*.parquet')
----
48

SELECT count(*) FROM read_parquet('charts.parquet')
----
12

SELECT count(*) FROM 'tracks.ndjson'
----
8

SELECT name FROM read_json_auto('tracks.ndjson') WHERE track_id = 't2'
----
Dream Dream

SELECT count(*) FROM 'charts.parquet' WHERE region = 'SE'
----
5

SELECT dt, count(*) FROM 'plays/**/*.parquet' WHERE region = 'US' GROUP BY dt ORDER BY dt
----
2024-03-01	5
2024-03-02	5
2024-03-03	5

SELECT typeof(dt), typeof(region) FROM 'plays/**/*.parquet' LIMIT 1
----
DATE	VARCHAR

SELECT tags FROM tracks WHERE track_id = 't3'
----
["pop","rock"]

SELECT tags->>0 FROM tracks WHERE track_id = 't3'
----
pop

SELECT json_extract_string(tags, '$[1]') FROM tracks WHERE track_id = 't3'
----
rock

SELECT count(*) FROM tracks WHERE tags->>0 = 'pop'
----
5

SELECT typeof(tags), typeof(explicit), typeof(duration_ms) FROM tracks LIMIT 1
----
JSON	BOOLEAN	BIGINT

SELECT count(*) FROM 'nothing/*.parquet'
---- error
no files match 'nothing/*.parquet' — check the path (globs: *, ** and ?)

SELECT * FROM read_parquet('plays/**/*.parquet', hive_partitioning = false) LIMIT 0
----

SELECT count(*) FROM plays p JOIN 'tracks.ndjson' t ON p.track_id = t.track_id
----
48

SELECT count(*) FROM 'plays/dt=2024-03-0[12]/**/*.parquet'
----
32

SELECT min(played_at) FROM 'plays/**/*.parquet' WHERE dt = '2024-03-03'
----
2024-03-03 01:13:49+00
