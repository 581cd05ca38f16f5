SELECT count(*), count(ms_played), count(device) FROM plays
----
48	44	36

SELECT sum(ms_played), min(ms_played), max(ms_played) FROM plays
----
6949026	15178	297925

SELECT avg(ms_played) FROM plays
----
157932.4090909091

SELECT count(DISTINCT user_id), count(DISTINCT track_id) FROM plays
----
9	8

SELECT count(DISTINCT device) FROM plays
----
3

SELECT sum(score) > 0 FROM plays
----
true

SELECT min(event_id), max(event_id) FROM plays
----
e00	e47

SELECT min(dt), max(dt) FROM plays
----
2024-03-01	2024-03-03

SELECT any_value(region) IS NOT NULL FROM plays
----
true

SELECT count(*) FROM plays WHERE 1 = 0
----
0

SELECT sum(ms_played), avg(score), max(event_id) FROM plays WHERE 1 = 0
----
NULL	NULL	NULL

SELECT region, count(*) FROM plays GROUP BY region ORDER BY region
----
DE	15
SE	18
US	15

SELECT region, count(*) AS n FROM plays GROUP BY 1 ORDER BY n DESC, region
----
SE	18
DE	15
US	15

SELECT region, dt, count(*) FROM plays GROUP BY ALL ORDER BY ALL
----
DE	2024-03-01	5
DE	2024-03-02	5
DE	2024-03-03	5
SE	2024-03-01	6
SE	2024-03-02	6
SE	2024-03-03	6
US	2024-03-01	5
US	2024-03-02	5
US	2024-03-03	5

SELECT region, sum(ms_played) FROM plays GROUP BY region ORDER BY 2 DESC
----
DE	2526139
SE	2455554
US	1967333

SELECT device, count(*) FROM plays GROUP BY device ORDER BY device NULLS LAST
----
desktop	12
mobile	12
web	12
NULL	12

SELECT track_id, count(*), count(DISTINCT user_id) FROM plays GROUP BY track_id ORDER BY track_id
----
t1	8	6
t2	11	6
t3	9	6
t4	3	2
t5	2	2
t6	5	5
t7	7	6
t8	3	3

SELECT region, avg(ms_played) FROM plays GROUP BY region ORDER BY region
----
DE	194318.38461538462
SE	144444.35294117648
US	140523.7857142857

SELECT liked, count(*) FROM plays GROUP BY liked ORDER BY liked
----
false	32
true	16

SELECT region, count(*) FROM plays GROUP BY region HAVING count(*) > 15 ORDER BY region
----
SE	18

SELECT region FROM plays GROUP BY region HAVING sum(ms_played) > 2000000 ORDER BY region
----
DE
SE

SELECT region, max(ms_played) - min(ms_played) AS spread FROM plays GROUP BY region ORDER BY region
----
DE	213973
SE	256027
US	282747

SELECT upper(region) AS r, count(*) FROM plays GROUP BY r ORDER BY r
----
DE	15
SE	18
US	15

SELECT lower(region), count(*) FROM plays GROUP BY lower(region) ORDER BY 1
----
de	15
se	18
us	15

SELECT region, count(*) FILTER (WHERE liked) FROM plays GROUP BY region ORDER BY region
----
DE	5
SE	6
US	5

SELECT count(*) FILTER (WHERE ms_played IS NULL) AS missing FROM plays
----
4

SELECT sum(CASE WHEN liked THEN 1 ELSE 0 END) FROM plays
----
16

SELECT region, round(avg(score), 2) FROM plays GROUP BY region ORDER BY region
----
DE	4.36
SE	3.2
US	4.86

SELECT dt, count(DISTINCT region) FROM plays GROUP BY dt ORDER BY dt
----
2024-03-01	3
2024-03-02	3
2024-03-03	3

SELECT count(*) FROM (SELECT DISTINCT user_id, track_id FROM plays)
----
36

SELECT artist, count(*) FROM tracks GROUP BY artist ORDER BY artist NULLS FIRST
----
NULL	1
Björk	1
City Silver	2
Heart Storm	1
Stone Light	1
Summer Fire	2

SELECT explicit, sum(duration_ms) FROM tracks GROUP BY explicit ORDER BY explicit
----
false	760112
true	720084

SELECT region, min(change), max(change) FROM charts GROUP BY region ORDER BY region
----
DE	2.5	4.0
SE	0.0	9.5
US	-1.5	3.75

SELECT week, sum(change) FROM charts GROUP BY week ORDER BY week
----
2024-03-01	6.0
2024-03-02	13.5
2024-03-03	3.5

SELECT count(*), sum(position) FROM charts
----
12	22

SELECT region, count(*) FROM plays GROUP BY region HAVING region <> 'US' ORDER BY region
----
DE	15
SE	18

SELECT user_id, count(*) AS n FROM plays GROUP BY user_id ORDER BY n DESC, user_id LIMIT 3
----
u2	8
u4	7
u9	6

SELECT track_id, sum(ms_played) / count(*) AS mean FROM plays GROUP BY track_id ORDER BY track_id
----
t1	106194.875
t2	174011.18181818182
t3	137566.33333333334
t4	89246.66666666667
t5	85956.0
t6	138436.0
t7	195206.2857142857
t8	149657.0

SELECT count(*) > 10 AS many FROM plays GROUP BY region ORDER BY 1
----
true
true
true

SELECT sum(x), avg(x), count(x) FROM (VALUES (1), (2), (NULL)) v(x)
----
3	1.5	2

SELECT sum(DISTINCT x), count(DISTINCT x) FROM (VALUES (1), (1), (2)) v(x)
----
3	2

SELECT min(s), max(s) FROM (VALUES ('b'), ('a'), ('c')) v(s)
----
a	c

SELECT max(x) FROM (VALUES (NULL), (NULL)) v(x)
----
NULL

SELECT region, any_value(dt) IS NOT NULL FROM plays GROUP BY region ORDER BY region
----
DE	true
SE	true
US	true

SELECT count(*) FROM plays GROUP BY ALL
----
48

SELECT region, dt, sum(ms_played) FROM plays GROUP BY region, dt HAVING sum(ms_played) IS NOT NULL ORDER BY region, dt
----
DE	2024-03-01	875039
DE	2024-03-02	907793
DE	2024-03-03	743307
SE	2024-03-01	870974
SE	2024-03-02	886046
SE	2024-03-03	698534
US	2024-03-01	825897
US	2024-03-02	624998
US	2024-03-03	516438

SELECT region, count(*) AS listens FROM plays GROUP BY region HAVING listens > 2 AND listens * 2 < 100 ORDER BY region
----
DE	15
SE	18
US	15

SELECT ms_played // 100000 AS bucket, count(*) FROM plays GROUP BY 1 ORDER BY 1 NULLS FIRST
----
NULL	4
0	16
1	12
2	16

SELECT CASE WHEN region = 'SE' THEN ms_played // 100000 ELSE 7 END AS b, count(*) FROM plays GROUP BY 1 ORDER BY 1 NULLS FIRST
----
NULL	1
0	7
1	6
2	4
7	30

SELECT region, count(DISTINCT ms_played // 100000), count(DISTINCT score), count(DISTINCT device) FROM plays GROUP BY region ORDER BY region
----
DE	3	15	3
SE	3	18	3
US	3	15	3

SELECT dt, count(DISTINCT region), count(DISTINCT user_id) FILTER (WHERE device = 'mobile'), count(DISTINCT played_at) FROM plays GROUP BY dt ORDER BY dt
----
2024-03-01	3	4	16
2024-03-02	3	4	16
2024-03-03	3	3	16

SELECT count(*) FROM (SELECT track_id FROM plays WHERE device = 'web' GROUP BY track_id)
----
7

SELECT track_id, count(*) AS n FROM plays WHERE device = 'web' GROUP BY track_id ORDER BY n DESC, track_id LIMIT 3
----
t7	3
t1	2
t2	2
