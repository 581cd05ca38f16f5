SELECT p.event_id, t.name FROM plays p JOIN tracks t ON p.track_id = t.track_id ORDER BY p.event_id LIMIT 5
----
e00	Glass Light
e01	Dream Dream
e02	Zed
e03	Dream Dream
e04	Glass Light

SELECT count(*) FROM plays p JOIN tracks t ON p.track_id = t.track_id
----
48

SELECT count(*) FROM plays p INNER JOIN tracks t ON t.track_id = p.track_id WHERE t.explicit
----
26

SELECT t.name, count(*) FROM plays p JOIN tracks t ON p.track_id = t.track_id GROUP BY t.name ORDER BY 2 DESC, 1
----
Dream Dream	11
Neon City	9
Glass Light	8
Zed	7
Silver 'Quoted'	5
alpha	3
Ñandú Stone	3
Back\slash Wild	2

SELECT t.artist, count(*) AS plays FROM plays p JOIN tracks t ON p.track_id = t.track_id GROUP BY t.artist ORDER BY plays DESC, t.artist NULLS LAST
----
City Silver	14
Summer Fire	10
Stone Light	9
Björk	7
Heart Storm	5
NULL	3

SELECT c.region, c.position, t.name FROM charts c LEFT JOIN tracks t ON c.track_id = t.track_id ORDER BY c.region, c.week, c.position
----
DE	1	Back\slash Wild
DE	2	Silver 'Quoted'
DE	3	Zed
SE	1	Glass Light
SE	2	Dream Dream
SE	3	Neon City
SE	1	Dream Dream
SE	2	Glass Light
US	1	Dream Dream
US	2	Ñandú Stone
US	3	Glass Light
US	1	alpha

SELECT t.track_id, count(c.position) FROM tracks t LEFT JOIN charts c ON c.track_id = t.track_id GROUP BY t.track_id ORDER BY t.track_id
----
t1	3
t2	3
t3	1
t4	1
t5	1
t6	1
t7	1
t8	1

SELECT t.track_id FROM tracks t LEFT JOIN charts c ON c.track_id = t.track_id WHERE c.track_id IS NULL ORDER BY 1
----

SELECT count(*) FROM charts c JOIN plays p ON c.track_id = p.track_id AND c.region = p.region
----
30

SELECT count(*) FROM charts c JOIN plays p ON c.track_id = p.track_id AND c.week = p.dt
----
36

SELECT c.region, count(*) FROM charts c JOIN plays p ON c.track_id = p.track_id AND p.ms_played > 100000 GROUP BY c.region ORDER BY 1
----
DE	8
SE	29
US	15

SELECT count(*) FROM charts a JOIN charts b ON a.region = b.region AND a.position < b.position
----
16

SELECT a.track_id, b.track_id FROM charts a JOIN charts b ON a.region = b.region AND a.week = b.week AND a.position + 1 = b.position ORDER BY a.region, a.week, a.position
----
t5	t6
t1	t2
t2	t3
t2	t1
t2	t4
t4	t1

SELECT count(*) FROM tracks, charts
----
96

SELECT count(*) FROM tracks CROSS JOIN (VALUES (1), (2)) v(x)
----
16

SELECT count(*) FROM tracks t, charts c WHERE t.track_id = c.track_id
----
12

SELECT t.name FROM tracks t JOIN charts c USING (track_id) WHERE c.position = 1 ORDER BY 1
----
Back\slash Wild
Dream Dream
Dream Dream
Glass Light
alpha

SELECT count(*) FROM plays p LEFT JOIN tracks t ON p.track_id = t.track_id AND t.explicit
----
48

SELECT count(t.track_id) FROM plays p LEFT JOIN tracks t ON p.track_id = t.track_id AND t.explicit
----
26

SELECT x, y FROM (VALUES (1), (2), (NULL)) a(x) LEFT JOIN (VALUES (1), (NULL)) b(y) ON x = y ORDER BY x NULLS LAST
----
1	1
2	NULL
NULL	NULL

SELECT x, y FROM (VALUES (1), (2)) a(x) RIGHT JOIN (VALUES (2), (3)) b(y) ON x = y ORDER BY y
----
2	2
NULL	3

SELECT x, y FROM (VALUES (1), (2)) a(x) FULL JOIN (VALUES (2), (3)) b(y) ON x = y ORDER BY coalesce(x, y)
----
1	NULL
2	2
NULL	3

SELECT p.region, t.artist, count(*) FROM plays p JOIN tracks t ON p.track_id = t.track_id WHERE p.dt = '2024-03-01' GROUP BY ALL ORDER BY ALL NULLS FIRST
----
DE	Björk	1
DE	City Silver	1
DE	Stone Light	1
DE	Summer Fire	2
SE	NULL	1
SE	Björk	1
SE	City Silver	1
SE	Stone Light	1
SE	Summer Fire	2
US	NULL	1
US	Björk	1
US	City Silver	2
US	Summer Fire	1

SELECT t.name, s.plays FROM tracks t JOIN (SELECT track_id, count(*) AS plays FROM plays GROUP BY track_id) s ON s.track_id = t.track_id ORDER BY s.plays DESC, t.name LIMIT 3
----
Dream Dream	11
Neon City	9
Glass Light	8

SELECT count(*) FROM plays p JOIN tracks t ON lower(p.track_id) = lower(t.track_id)
----
48

SELECT count(*) FROM plays p JOIN tracks t ON p.track_id = t.track_id JOIN charts c ON c.track_id = t.track_id AND c.region = p.region
----
30
