SELECT NULL + 1, NULL || 'a', NULL = 1
----
NULL	NULL	NULL

SELECT count(NULL), sum(NULL), max(NULL)
----
0	NULL	NULL

SELECT coalesce(NULL, NULL)
----
NULL

SELECT x, x IS NULL FROM (VALUES (1), (NULL)) v(x) ORDER BY x NULLS FIRST
----
NULL	true
1	false

SELECT count(*), count(x) FROM (VALUES (1), (NULL), (NULL)) v(x)
----
3	1

SELECT x FROM (VALUES (1), (NULL)) v(x) WHERE x <> 1
----

SELECT x FROM (VALUES (1), (NULL)) v(x) WHERE NOT x = 1
----

SELECT x FROM (VALUES (1), (NULL)) v(x) WHERE x IS DISTINCT FROM 1
----
NULL

SELECT DISTINCT x FROM (VALUES (NULL), (NULL), (1)) v(x) ORDER BY x
----
1
NULL

SELECT x, count(*) FROM (VALUES (NULL), (NULL), (1)) v(x) GROUP BY x ORDER BY x
----
1	1
NULL	2

# duckdb: skip — lake has one integer type (BIGINT) and reads decimal literals as DOUBLE
SELECT typeof(NULL), typeof(1 + 1), typeof(1 / 1), typeof(1.0 * 2)
----
NULL	BIGINT	DOUBLE	DOUBLE

# duckdb: skip — DuckDB sums BIGINT into HUGEINT; lake into BIGINT (an overflow is an error)
SELECT typeof(count(*)), typeof(sum(1)), typeof(avg(1)) FROM (VALUES (1)) v(x)
----
BIGINT	BIGINT	DOUBLE

SELECT typeof(event_id), typeof(ms_played), typeof(score), typeof(liked), typeof(played_at), typeof(dt) FROM plays LIMIT 1
----
VARCHAR	BIGINT	DOUBLE	BOOLEAN	TIMESTAMP WITH TIME ZONE	DATE

SELECT CASE WHEN NULL THEN 1 ELSE 2 END
----
2

SELECT NULL IN (1, 2), 1 IN (NULL)
----
NULL	NULL

SELECT min(x), max(x) FROM (VALUES (NULL), (2), (NULL)) v(x)
----
2	2

SELECT avg(x) FROM (VALUES (NULL)) v(x)
----
NULL

SELECT sum(x) FROM (VALUES (1.5), (NULL), (2.5)) v(x)
----
4.0

# duckdb: skip — DuckDB reads 0.1 as DECIMAL; lake as DOUBLE
SELECT 0.1 + 0.2 = 0.3
----
false

SELECT 1e3, 2.5e-1
----
1000.0	0.25

SELECT 1_000 + 1
----
1001

SELECT CAST(NULL AS INTEGER) IS NULL
----
true

SELECT 'x' = NULL IS NULL
----
true

SELECT greatest(1, NULL, 3), least(NULL, 2)
----
3	2

SELECT coalesce(ms_played, -1) FROM plays WHERE event_id IN ('e04', 'e15') ORDER BY 1
----
-1
-1

SELECT count(*) FROM plays WHERE device = NULL
----
0

SELECT count(*) FROM plays WHERE device IS NOT DISTINCT FROM NULL
----
12

SELECT x // 2, x % 2 FROM (VALUES (-3), (3)) v(x) ORDER BY x
----
-1	-1
1	1

SELECT CAST(1.0 / 3 AS VARCHAR) = '0.3333333333333333'
----
true

SELECT length(CAST(12345 AS VARCHAR))
----
5
