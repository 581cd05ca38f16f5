SELECT 1
----
1

SELECT 1 AS one, 'two' AS two, 3.5 AS three
----
1	two	3.5

SELECT NULL
----
NULL

SELECT true, false
----
true	false

SELECT -5, +5, - -5
----
-5	5	5

SELECT count(*) FROM plays
----
48

SELECT count(*) FROM tracks
----
8

SELECT count(*) FROM charts
----
12

SELECT event_id FROM plays ORDER BY event_id LIMIT 3
----
e00
e01
e02

SELECT * FROM tracks ORDER BY track_id LIMIT 2
----
t1	Glass Light	Summer Fire	150000	true	[]
t2	Dream Dream	City Silver	160007	false	["pop"]

SELECT track_id, name FROM tracks ORDER BY track_id
----
t1	Glass Light
t2	Dream Dream
t3	Neon City
t4	Ñandú Stone
t5	Back\slash Wild
t6	Silver 'Quoted'
t7	Zed
t8	alpha

SELECT t.track_id FROM tracks t ORDER BY 1
----
t1
t2
t3
t4
t5
t6
t7
t8

SELECT t.* FROM charts AS t ORDER BY region, week, position LIMIT 4
----
DE	1	t5	2024-03-02	4.0	2024-03-02 01:00:00
DE	2	t6	2024-03-02	NULL	2024-03-02 02:00:00
DE	3	t7	2024-03-03	2.5	2024-03-03 03:00:00
SE	1	t1	2024-03-01	0.5	2024-03-01 01:00:00

SELECT DISTINCT region FROM plays ORDER BY region
----
DE
SE
US

SELECT DISTINCT region, dt FROM plays ORDER BY region, dt
----
DE	2024-03-01
DE	2024-03-02
DE	2024-03-03
SE	2024-03-01
SE	2024-03-02
SE	2024-03-03
US	2024-03-01
US	2024-03-02
US	2024-03-03

SELECT DISTINCT device FROM plays ORDER BY device NULLS FIRST
----
NULL
desktop
mobile
web

SELECT name AS n FROM tracks ORDER BY n DESC LIMIT 3
----
Ñandú Stone
alpha
Zed

SELECT track_id, duration_ms / 1000 AS seconds FROM tracks ORDER BY track_id
----
t1	150.0
t2	160.007
t3	170.014
t4	180.021
t5	190.028
t6	200.035
t7	210.042
t8	220.049

FROM tracks SELECT track_id ORDER BY track_id LIMIT 2
----
t1
t2

SELECT * FROM (SELECT 1 AS a, 2 AS b) t
----
1	2

SELECT a + b FROM (SELECT 1 AS a, 2 AS b)
----
3

SELECT x FROM (VALUES (1), (2), (3)) v(x) ORDER BY x DESC
----
3
2
1

SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s) ORDER BY n
----
1	a
2	b

SELECT count(*) FROM (VALUES (1), (NULL)) v(x)
----
2

SELECT region, dt FROM plays WHERE event_id = 'e07'
----
DE	2024-03-02

SELECT event_id FROM plays WHERE region = 'SE' AND dt = DATE '2024-03-01' ORDER BY 1
----
e00
e09
e18
e27
e36
e45

SELECT 'it''s' AS quoted
----
it's

SELECT "name" FROM tracks WHERE track_id = 't1'
----
Glass Light

SELECT 1 -- a comment
+ 1
----
2

SELECT /* block */ 2 * 3
----
6
