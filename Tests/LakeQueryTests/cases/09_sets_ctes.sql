SELECT 1 UNION ALL SELECT 2
----
1
2

SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 1 ORDER BY x
----
1
1
2

SELECT 1 UNION SELECT 1
----
1

SELECT region FROM charts UNION SELECT region FROM plays ORDER BY 1
----
DE
SE
US

SELECT 1 AS a UNION ALL SELECT 2.5
----
1.0
2.5

SELECT 'a' UNION ALL SELECT NULL ORDER BY 1 NULLS FIRST
----
NULL
a

SELECT count(*) FROM (SELECT track_id FROM plays UNION ALL SELECT track_id FROM charts)
----
60

SELECT track_id, count(*) FROM (SELECT track_id FROM plays UNION ALL SELECT track_id FROM charts) GROUP BY track_id ORDER BY track_id
----
t1	11
t2	14
t3	10
t4	4
t5	3
t6	6
t7	8
t8	4

WITH t AS (SELECT 1 AS x) SELECT x FROM t
----
1

WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT y FROM b
----
2

WITH counts AS (SELECT region, count(*) AS n FROM plays GROUP BY region) SELECT region FROM counts WHERE n = (SELECT max(n) FROM counts)
----
SE

WITH r AS (SELECT region, count(*) AS n FROM plays GROUP BY region) SELECT sum(n) FROM r
----
48

WITH t AS (SELECT * FROM tracks WHERE explicit) SELECT count(*) FROM t JOIN t AS u ON t.track_id = u.track_id
----
4

WITH x AS (SELECT track_id, count(*) AS n FROM plays GROUP BY 1) SELECT t.name, x.n FROM x JOIN tracks t USING (track_id) ORDER BY x.n DESC, t.name LIMIT 3
----
Dream Dream	11
Neon City	9
Glass Light	8

SELECT * FROM (SELECT region, count(*) AS n FROM plays GROUP BY region) s WHERE s.n > 10 ORDER BY region
----
DE	15
SE	18
US	15

SELECT n FROM (SELECT count(*) AS n FROM plays) s
----
48

SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM charts) AS charts
----
8	12

SELECT region, (SELECT count(*) FROM tracks) FROM charts GROUP BY region ORDER BY region
----
DE	8
SE	8
US	8

WITH d AS (SELECT DISTINCT dt FROM plays) SELECT count(*) FROM d
----
3

SELECT * FROM (VALUES (1, 'x')) v(a, b) UNION ALL SELECT 2, 'y' ORDER BY a
----
1	x
2	y

(SELECT 1 AS x) UNION ALL (SELECT 2) ORDER BY x DESC
----
2
1

SELECT x FROM (SELECT 3 AS x UNION ALL SELECT 1 UNION ALL SELECT 2) ORDER BY x LIMIT 2
----
1
2
