SELECT x FROM (VALUES (3), (1), (2)) v(x) ORDER BY x
----
1
2
3

SELECT x FROM (VALUES (3), (1), (2)) v(x) ORDER BY x DESC
----
3
2
1

SELECT x FROM (VALUES (3), (NULL), (2)) v(x) ORDER BY x
----
2
3
NULL

SELECT x FROM (VALUES (3), (NULL), (2)) v(x) ORDER BY x DESC
----
3
2
NULL

SELECT x FROM (VALUES (3), (NULL), (2)) v(x) ORDER BY x NULLS FIRST
----
NULL
2
3

SELECT x FROM (VALUES (3), (NULL), (2)) v(x) ORDER BY x DESC NULLS LAST
----
3
2
NULL

SELECT s FROM (VALUES ('b'), ('B'), ('a'), ('ä')) v(s) ORDER BY s
----
B
a
b
ä

SELECT event_id FROM plays ORDER BY ms_played DESC NULLS LAST, event_id LIMIT 5
----
e23
e24
e12
e27
e33

SELECT event_id FROM plays ORDER BY ms_played NULLS FIRST, event_id LIMIT 5
----
e04
e15
e26
e37
e32

SELECT event_id FROM plays ORDER BY event_id LIMIT 3 OFFSET 2
----
e02
e03
e04

SELECT event_id FROM plays ORDER BY event_id DESC LIMIT 2
----
e47
e46

SELECT event_id FROM plays ORDER BY event_id OFFSET 46
----
e46
e47

SELECT event_id FROM plays ORDER BY event_id LIMIT 0
----

SELECT event_id FROM plays ORDER BY region, dt, event_id LIMIT 4
----
e06
e15
e24
e33

SELECT region, dt FROM plays ORDER BY 2 DESC, 1 LIMIT 3
----
DE	2024-03-03
DE	2024-03-03
DE	2024-03-03

SELECT track_id FROM plays ORDER BY score DESC LIMIT 1
----
t1

SELECT track_id, score FROM plays ORDER BY score LIMIT 3
----
t1	0.214
t3	0.28
t2	0.607

SELECT name FROM tracks ORDER BY length(name), name
----
Zed
alpha
Neon City
Dream Dream
Glass Light
Ñandú Stone
Back\slash Wild
Silver 'Quoted'

SELECT name FROM tracks ORDER BY duration_ms DESC
----
alpha
Zed
Silver 'Quoted'
Back\slash Wild
Ñandú Stone
Neon City
Dream Dream
Glass Light

SELECT position, track_id FROM charts ORDER BY change DESC NULLS LAST, position LIMIT 4
----
2	t1
1	t5
3	t1
3	t7

SELECT x, y FROM (VALUES (1, 'b'), (1, 'a'), (0, 'c')) v(x, y) ORDER BY x, y
----
0	c
1	a
1	b

SELECT x FROM (VALUES (1.5), (-2.0), (0.25)) v(x) ORDER BY x
----
-2.0
0.25
1.5

SELECT b FROM (VALUES (true), (false), (NULL)) v(b) ORDER BY b
----
false
true
NULL

SELECT d FROM (VALUES (DATE '2024-02-01'), (DATE '2023-12-31')) v(d) ORDER BY d
----
2023-12-31
2024-02-01

SELECT event_id FROM plays WHERE region = 'DE' ORDER BY played_at DESC LIMIT 3
----
e44
e35
e26

SELECT DISTINCT track_id FROM plays ORDER BY track_id LIMIT 3
----
t1
t2
t3

SELECT region, count(*) AS n FROM plays GROUP BY region ORDER BY count(*) DESC, region
----
SE	18
DE	15
US	15

SELECT track_id FROM tracks ORDER BY upper(name) DESC LIMIT 2
----
t4
t7

SELECT x FROM (VALUES (2), (1)) v(x) ORDER BY ALL
----
1
2

SELECT event_id FROM plays ORDER BY event_id LIMIT 2 OFFSET 0
----
e00
e01

SELECT region, count(*) AS listens FROM plays GROUP BY region ORDER BY listens * -1, region
----
SE	18
DE	15
US	15

SELECT track_id AS t, duration_ms AS d FROM tracks ORDER BY d % 7, t
----
t7	210042
t2	160007
t4	180021
t6	200035
t1	150000
t8	220049
t3	170014
t5	190028
