SELECT count(*) FROM plays WHERE region = 'SE'
----
18

SELECT count(*) FROM plays WHERE region <> 'SE'
----
30

SELECT count(*) FROM plays WHERE region IN ('SE', 'DE')
----
33

SELECT count(*) FROM plays WHERE region NOT IN ('SE', 'DE')
----
15

SELECT count(*) FROM plays WHERE ms_played > 100000
----
28

SELECT count(*) FROM plays WHERE ms_played <= 100000
----
16

SELECT count(*) FROM plays WHERE ms_played IS NULL
----
4

SELECT count(*) FROM plays WHERE ms_played IS NOT NULL
----
44

SELECT count(*) FROM plays WHERE device IS NULL
----
12

SELECT count(*) FROM plays WHERE device = 'mobile' OR device = 'web'
----
24

SELECT count(*) FROM plays WHERE NOT (device = 'mobile')
----
24

SELECT count(*) FROM plays WHERE liked
----
16

SELECT count(*) FROM plays WHERE NOT liked
----
32

SELECT count(*) FROM plays WHERE score BETWEEN 2 AND 5
----
17

SELECT count(*) FROM plays WHERE score > 9.5 OR score < 0.5
----
2

SELECT event_id FROM plays WHERE track_id = 't3' AND region = 'US' ORDER BY 1
----
e05
e23

SELECT event_id FROM plays WHERE user_id LIKE 'u1%' ORDER BY 1
----
e03
e23
e27
e37
e40

SELECT count(*) FROM plays WHERE dt = '2024-03-02' AND region = 'DE'
----
5

SELECT count(*) FROM plays WHERE dt = DATE '2024-03-09'
----
0

SELECT count(*) FROM plays WHERE region = 'FI'
----
0

SELECT count(*) FROM plays WHERE 1 = 0
----
0

SELECT count(*) FROM plays WHERE true
----
48

SELECT count(*) FROM plays WHERE ms_played > (SELECT avg(ms_played) FROM plays)
----
23

SELECT count(*) FROM plays WHERE track_id IN (SELECT track_id FROM tracks WHERE explicit)
----
26

SELECT count(*) FROM plays WHERE track_id NOT IN (SELECT track_id FROM tracks WHERE explicit)
----
22

SELECT track_id FROM tracks WHERE artist IS NULL
----
t4

SELECT count(*) FROM charts WHERE change > 0
----
8

SELECT count(*) FROM charts WHERE change IS NULL OR change < 0
----
3

SELECT region, position FROM charts WHERE week = '2024-03-02' ORDER BY region, position
----
DE	1
DE	2
SE	1
SE	2

SELECT count(*) FROM tracks WHERE explicit AND duration_ms > 160000
----
3

SELECT count(*) FROM plays WHERE event_id >= 'e40'
----
8

SELECT count(*) FROM plays WHERE upper(region) = 'SE' AND ms_played IS NOT NULL
----
17

SELECT event_id FROM plays WHERE ms_played = (SELECT max(ms_played) FROM plays)
----
e23

SELECT count(*) FROM plays WHERE coalesce(device, 'x') = 'x'
----
12
