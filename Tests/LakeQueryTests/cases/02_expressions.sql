SELECT 7 + 3, 7 - 3, 7 * 3
----
10	4	21

SELECT 7 / 2
----
3.5

SELECT 7 // 2, -7 // 2
----
3	-3

SELECT 7 % 3, -7 % 3
----
1	-1

SELECT 1.5 + 1
----
2.5

SELECT 2 * 2.5
----
5.0

SELECT 10 / 4.0
----
2.5

SELECT (1 + 2) * 3
----
9

SELECT 1 + 2 * 3
----
7

SELECT 2 - 3 - 4
----
-5

SELECT 100 / 10 / 5
----
2.0

SELECT 1 = 1, 1 <> 1, 1 != 2, 1 < 2, 2 <= 2, 3 > 2, 3 >= 4
----
true	false	true	true	true	true	false

SELECT 'a' < 'b', 'B' < 'a', 'abc' = 'abc'
----
true	true	true

SELECT 1 = 1.0, 2 > 1.5
----
true	true

SELECT true AND false, true OR false, NOT true
----
false	true	false

SELECT NULL AND false, NULL AND true, NULL OR true, NULL OR false
----
false	NULL	true	NULL

SELECT NOT NULL
----
NULL

SELECT 1 + NULL, NULL * 2
----
NULL	NULL

SELECT NULL = NULL, NULL <> 1
----
NULL	NULL

SELECT 5 BETWEEN 1 AND 10, 0 BETWEEN 1 AND 10
----
true	false

SELECT 5 NOT BETWEEN 1 AND 10
----
false

SELECT 3 IN (1, 2, 3), 4 IN (1, 2, 3), 4 NOT IN (1, 2)
----
true	false	true

SELECT 3 IN (1, NULL), 1 IN (1, NULL)
----
NULL	true

SELECT 'b' IN ('a', 'b')
----
true

SELECT 'abc' LIKE 'a%', 'abc' LIKE '%c', 'abc' LIKE '%b%', 'abc' LIKE 'a_c', 'abc' LIKE 'b%'
----
true	true	true	true	false

SELECT 'ABC' ILIKE 'a%', 'abc' NOT LIKE 'a%', 'ABC' NOT ILIKE '%x%'
----
true	false	true

SELECT 'a%c' LIKE 'a\%c', 'abc' LIKE 'a\%c'
----
false	false

SELECT NULL LIKE 'a%'
----
NULL

SELECT NULL IS NULL, 1 IS NULL, 1 IS NOT NULL
----
true	false	true

SELECT 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL
----
true	true

SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END
----
b

SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END
----
two

SELECT CASE WHEN false THEN 1 END
----
NULL

SELECT CASE WHEN true THEN 1 ELSE 2.5 END
----
1.0

SELECT CAST('12' AS INTEGER) + 1, CAST(3.7 AS BIGINT), CAST(-3.5 AS BIGINT)
----
13	4	-4

SELECT CAST(2.5 AS BIGINT), CAST(1 AS DOUBLE)
----
3	1.0

SELECT CAST(42 AS VARCHAR), CAST(true AS VARCHAR)
----
42	true

SELECT CAST('2024-01-02' AS DATE)
----
2024-01-02

SELECT '7'::BIGINT * 2
----
14

SELECT CAST('true' AS BOOLEAN), CAST(0 AS BOOLEAN)
----
true	false

SELECT TRY_CAST('x' AS INTEGER), TRY_CAST('5' AS INTEGER)
----
NULL	5

SELECT COALESCE(NULL, NULL, 3), COALESCE(NULL, 'x'), COALESCE(1)
----
3	x	1

SELECT ifnull(NULL, 2), nullif(1, 1), nullif(1, 2)
----
2	NULL	1

SELECT greatest(1, 5, 3), least(4, 2, 8)
----
5	2

SELECT 'a' || 'b' || 'c'
----
abc

SELECT 'a' || NULL
----
NULL

SELECT 'n' || 1
----
n1

SELECT concat('a', NULL, 'b', 1)
----
ab1

SELECT abs(-3), abs(2.5), abs(-0.5)
----
3	2.5	0.5

SELECT round(2.5), round(-2.5), round(1.2345, 2), round(1234.5, -2)
----
3.0	-3.0	1.23	1200.0

SELECT round(7)
----
7

SELECT floor(2.7), ceil(2.1), floor(-2.5)
----
2.0	3.0	-3.0

SELECT sqrt(16), pow(2, 10)
----
4.0	1024.0

SELECT ln(1), exp(0)
----
0.0	1.0

SELECT sign(-4), sign(0), sign(3.5)
----
-1	0	1.0

SELECT mod(10, 3)
----
1

SELECT 9223372036854775807 - 1
----
9223372036854775806

SELECT ms_played * 2 AS doubled FROM plays WHERE event_id = 'e00'
----
52630

SELECT ms_played / 1000 AS s FROM plays WHERE event_id = 'e01'
----
267.042

SELECT event_id, score * 2 FROM plays ORDER BY event_id LIMIT 3
----
e00	1.448
e01	4.294
e02	11.02

SELECT event_id, ms_played IS NULL FROM plays WHERE ms_played IS NULL ORDER BY 1
----
e04	true
e15	true
e26	true
e37	true

SELECT event_id, CASE WHEN ms_played > 150000 THEN 'long' WHEN ms_played > 50000 THEN 'mid' ELSE 'short' END AS bucket FROM plays ORDER BY event_id LIMIT 8
----
e00	short
e01	long
e02	short
e03	short
e04	short
e05	mid
e06	mid
e07	mid

SELECT event_id, coalesce(device, 'unknown') FROM plays ORDER BY event_id LIMIT 5
----
e00	mobile
e01	desktop
e02	web
e03	unknown
e04	mobile

SELECT if(1 < 2, 'yes', 'no')
----
yes
