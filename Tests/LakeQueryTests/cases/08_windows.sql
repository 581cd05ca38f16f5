SELECT track_id, row_number() OVER (ORDER BY track_id) FROM tracks ORDER BY track_id
----
t1	1
t2	2
t3	3
t4	4
t5	5
t6	6
t7	7
t8	8

SELECT region, position, row_number() OVER (PARTITION BY region ORDER BY week, position) AS rn FROM charts ORDER BY region, rn
----
DE	1	1
DE	2	2
DE	3	3
SE	1	1
SE	2	2
SE	3	3
SE	1	4
SE	2	5
US	1	1
US	2	2
US	3	3
US	1	4

SELECT region, change, rank() OVER (PARTITION BY region ORDER BY change DESC NULLS LAST) FROM charts ORDER BY region, 3, change
----
DE	4.0	1
DE	2.5	2
DE	NULL	3
SE	9.5	1
SE	1.25	2
SE	0.5	3
SE	0.0	4
SE	NULL	5
US	3.75	1
US	2.0	2
US	1.0	3
US	-1.5	4

SELECT x, rank() OVER (ORDER BY x), dense_rank() OVER (ORDER BY x) FROM (VALUES (1), (1), (2), (3), (3), (4)) v(x) ORDER BY x
----
1	1	1
1	1	1
2	3	2
3	4	3
3	4	3
4	6	4

SELECT x, sum(x) OVER (ORDER BY x) FROM (VALUES (1), (2), (2), (5)) v(x) ORDER BY x
----
1	1
2	5
2	5
5	10

SELECT x, count(*) OVER (ORDER BY x) FROM (VALUES (1), (2), (2), (5)) v(x) ORDER BY x
----
1	1
2	3
2	3
5	4

SELECT g, x, sum(x) OVER (PARTITION BY g) FROM (VALUES ('a', 1), ('a', 2), ('b', 5)) v(g, x) ORDER BY g, x
----
a	1	3
a	2	3
b	5	5

SELECT g, x, avg(x) OVER (PARTITION BY g) FROM (VALUES ('a', 1), ('a', 2), ('b', 5)) v(g, x) ORDER BY g, x
----
a	1	1.5
a	2	1.5
b	5	5.0

SELECT g, x, max(x) OVER (PARTITION BY g ORDER BY x) FROM (VALUES ('a', 3), ('a', 1), ('b', 5)) v(g, x) ORDER BY g, x
----
a	1	1
a	3	3
b	5	5

SELECT g, x, min(x) OVER (PARTITION BY g) FROM (VALUES ('a', 3), ('a', 1), ('b', 5)) v(g, x) ORDER BY g, x
----
a	1	1
a	3	1
b	5	5

SELECT region, count(*) AS n, rank() OVER (ORDER BY count(*) DESC) FROM plays GROUP BY region ORDER BY n DESC, region
----
SE	18	1
DE	15	2
US	15	2

SELECT region, track_id, count(*) AS n FROM plays GROUP BY region, track_id QUALIFY row_number() OVER (PARTITION BY region ORDER BY count(*) DESC, track_id) = 1 ORDER BY region
----
DE	t3	4
SE	t2	4
US	t2	4

SELECT region, track_id, count(*) AS n, row_number() OVER (PARTITION BY region ORDER BY count(*) DESC, track_id) AS rn FROM plays GROUP BY region, track_id QUALIFY rn <= 2 ORDER BY region, rn
----
DE	t3	4	1
DE	t2	3	2
SE	t2	4	1
SE	t1	3	2
US	t2	4	1
US	t1	3	2

SELECT event_id, sum(ms_played) OVER (PARTITION BY region ORDER BY event_id) FROM plays WHERE region = 'SE' ORDER BY event_id LIMIT 6
----
e00	26315
e01	293357
e02	341916
e09	385831
e10	622149
e11	802484

SELECT x, lag(x) OVER (ORDER BY x), lead(x) OVER (ORDER BY x) FROM (VALUES (1), (2), (4)) v(x) ORDER BY x
----
1	NULL	2
2	1	4
4	2	NULL

SELECT x, lag(x, 2, 0) OVER (ORDER BY x) FROM (VALUES (1), (2), (4)) v(x) ORDER BY x
----
1	0
2	0
4	1

SELECT x, first_value(x) OVER (ORDER BY x), last_value(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM (VALUES (3), (1), (2)) v(x) ORDER BY x
----
1	1	3
2	1	3
3	1	3

SELECT x, ntile(2) OVER (ORDER BY x) FROM (VALUES (1), (2), (3), (4), (5)) v(x) ORDER BY x
----
1	1
2	1
3	1
4	2
5	2

SELECT user_id, count(*) AS n, dense_rank() OVER (ORDER BY count(*) DESC) AS r FROM plays GROUP BY user_id ORDER BY r, user_id
----
u2	8	1
u4	7	2
u9	6	3
u1	5	4
u5	5	4
u6	5	4
u8	5	4
u7	4	5
u3	3	6

SELECT region, week, position, sum(position) OVER (PARTITION BY region, week ORDER BY position) FROM charts ORDER BY region, week, position
----
DE	2024-03-02	1	1
DE	2024-03-02	2	3
DE	2024-03-03	3	3
SE	2024-03-01	1	1
SE	2024-03-01	2	3
SE	2024-03-01	3	6
SE	2024-03-02	1	1
SE	2024-03-02	2	3
US	2024-03-01	1	1
US	2024-03-01	2	3
US	2024-03-01	3	6
US	2024-03-03	1	1

SELECT count(*) FROM (SELECT row_number() OVER (PARTITION BY track_id ORDER BY event_id) AS rn FROM plays) WHERE rn = 1
----
8

SELECT track_id FROM tracks QUALIFY row_number() OVER (ORDER BY duration_ms DESC) <= 2 ORDER BY track_id
----
t7
t8

SELECT x, sum(x) OVER () FROM (VALUES (1), (2)) v(x) ORDER BY x
----
1	3
2	3

SELECT x, count(*) OVER (PARTITION BY x % 2) FROM (VALUES (1), (2), (3)) v(x) ORDER BY x
----
1	2
2	1
3	2

SELECT region, ms_played, rank() OVER (PARTITION BY region ORDER BY ms_played DESC NULLS LAST) AS r FROM plays QUALIFY r = 1 ORDER BY region
----
DE	294219	1
SE	282342	1
US	297925	1

SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM (VALUES (1), (2), (4), (8)) v(x) ORDER BY x
----
1	1
2	3
4	6
8	12

SELECT x, avg(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM (VALUES (1), (2), (4), (8)) v(x) ORDER BY x
----
1	1.5
2	2.3333333333333335
4	4.666666666666667
8	6.0

SELECT x, count(*) OVER (ORDER BY x ROWS 2 PRECEDING) FROM (VALUES (1), (2), (2), (8)) v(x) ORDER BY x
----
1	1
2	2
2	3
8	3

SELECT x, max(x) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM (VALUES (3), (1), (2)) v(x) ORDER BY x
----
1	3
2	3
3	3

SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM (VALUES (3), (1), (2)) v(x) ORDER BY x
----
1	6
2	6
3	6

SELECT x, first_value(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), last_value(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM (VALUES (1), (2), (3)) v(x) ORDER BY x
----
1	1	2
2	1	3
3	2	3

SELECT region, dt, count(*) AS plays, avg(count(*)) OVER (PARTITION BY region ORDER BY dt ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS moving FROM plays GROUP BY region, dt ORDER BY region, dt
----
DE	2024-03-01	5	5.0
DE	2024-03-02	5	5.0
DE	2024-03-03	5	5.0
SE	2024-03-01	6	6.0
SE	2024-03-02	6	6.0
SE	2024-03-03	6	6.0
US	2024-03-01	5	5.0
US	2024-03-02	5	5.0
US	2024-03-03	5	5.0

SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) FROM (VALUES (1), (2), (3), (4)) v(x) ORDER BY x
----
1	7
2	4
3	NULL
4	NULL

# duckdb: skip — DuckDB has RANGE frames with offsets; lake has ROWS frames, and RANGE only from UNBOUNDED PRECEDING
SELECT x, sum(x) OVER (ORDER BY x RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM (VALUES (1), (2)) v(x)
---- error
syntax error at line 1, column 49: RANGE frames with offsets are not supported; use ROWS BETWEEN n PRECEDING AND …

SELECT region, track_id, count(*) AS listens FROM plays GROUP BY 1, 2 QUALIFY row_number() OVER (PARTITION BY region ORDER BY listens DESC, track_id) <= 2 ORDER BY region, listens DESC, track_id
----
DE	t3	4
DE	t2	3
SE	t2	4
SE	t1	3
US	t2	4
US	t1	3

SELECT region AS r, count(*) AS listens, rank() OVER (ORDER BY listens DESC, r) AS pos FROM plays GROUP BY region ORDER BY pos
----
SE	18	1
DE	15	2
US	15	3

SELECT region AS r, track_id, sum(ms_played) AS total FROM plays GROUP BY region, track_id QUALIFY dense_rank() OVER (PARTITION BY r ORDER BY total DESC NULLS LAST) = 1 ORDER BY r, track_id
----
DE	t7	690193
SE	t2	966037
US	t6	362218

SELECT region, track_id, ms_played FROM plays QUALIFY 2 >= row_number() OVER (PARTITION BY region ORDER BY ms_played DESC NULLS LAST, track_id) AND region <> 'US' ORDER BY region, ms_played DESC
----
DE	t1	294219
DE	t2	272789
SE	t2	282342
SE	t2	267042
