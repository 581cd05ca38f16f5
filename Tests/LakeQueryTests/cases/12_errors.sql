SELECT
---- error
syntax error at line 1, column 7: the query ends where an expression was expected

SELECT FROM plays
---- error
syntax error at line 1, column 8: expected an expression, found the keyword FROM

SELECT 1 +
---- error
syntax error at line 1, column 11: the query ends where an expression was expected

SELEC 1
---- error
syntax error at line 1, column 1: expected SELECT or WITH, found 'SELEC' — lake runs queries, not SELEC statements

SELECT * FROM
---- error
syntax error at line 1, column 14: expected a table name, a quoted file path or a subquery, found the end of the query

SELECT 'abc
---- error
syntax error at line 1, column 8: unterminated string literal: add the closing '

SELECT (1 + 2
---- error
syntax error at line 1, column 14: expected ')' to close the '(' — found the end of the query

SELECT 1 2 3
---- error
syntax error at line 1, column 10: unexpected '2' after the end of the query

SELECT * FROM playz
---- error
no table 'playz'; the lake has: plays, tracks, charts (or query a file: FROM 'path/*.parquet')

SELECT evnt_id FROM plays
---- error
no column 'evnt_id' in plays — did you mean 'event_id'?

SELECT x FROM plays
---- error
no column 'x' in plays — did you mean 'dt'?

SELECT p.nothing FROM plays p
---- error
no column 'p.nothing' in p

SELECT q.event_id FROM plays p
---- error
no column 'q.event_id' in the query (its tables are p) — did you mean 'p.event_id'?

SELECT track_id FROM plays JOIN tracks ON plays.track_id = tracks.track_id
---- error
column 'track_id' is ambiguous: it could be plays.track_id or tracks.track_id — qualify it with its table

SELECT region, count(*) FROM plays
---- error
column 'region' must appear in GROUP BY or be used in an aggregate function (e.g. any_value(region))

SELECT region, event_id, count(*) FROM plays GROUP BY region
---- error
column 'event_id' must appear in GROUP BY or be used in an aggregate function (e.g. any_value(event_id))

SELECT count(*) FROM plays WHERE count(*) > 1
---- error
WHERE cannot hold an aggregate ((count(*) > 1)): use HAVING

SELECT 'a' + 1
---- error
cannot apply + to VARCHAR and BIGINT in ('a' + 1) — use || to join text, or CAST text to a number

SELECT lower(1)
---- error
lower() needs text, but its argument 1 is BIGINT, in lower(1) — CAST it to VARCHAR

SELECT sum(region) FROM plays
---- error
sum() needs a number, not VARCHAR, in sum(region)

SELECT avg(event_id) FROM plays
---- error
avg() needs a number, not VARCHAR, in avg(event_id)

SELECT nosuchfunction(1)
---- error
unknown function nosuchfunction()

SELECT lowr('A')
---- error
unknown function lowr() — did you mean lower()?

SELECT CAST('x' AS INTEGER)
---- error
could not convert VARCHAR 'x' to BIGINT — check the value, or use TRY_CAST to get NULL instead

SELECT CAST('2024-13-01' AS DATE)
---- error
could not convert VARCHAR '2024-13-01' to DATE — check the value, or use TRY_CAST to get NULL instead

SELECT 1 UNION ALL SELECT 1, 2
---- error
UNION ALL needs the same number of columns on both sides: 1 and 2

SELECT x FROM (VALUES (1)) v(x) ORDER BY 2
---- error
ORDER BY 2 is out of range: the select list has 1 items

SELECT region FROM plays GROUP BY 3
---- error
GROUP BY 3 is out of range: the select list has 1 items

SELECT count(*) FROM plays LIMIT -1
---- error
LIMIT must be a whole number ≥ 0, not -1

SELECT row_number() FROM plays
---- error
unknown function row_number() — did you mean row_number()?

SELECT rank() OVER (ORDER BY x) FROM (VALUES (1)) v(x) WHERE rank() OVER (ORDER BY x) = 1
---- error
WHERE cannot hold a window function ((rank() OVER (ORDER BY x) = 1)): use QUALIFY

SELECT 9223372036854775807 + 1
---- error
BIGINT overflow in (9223372036854775807 + 1): cast to DOUBLE first

SELECT 10 // 0
---- error
division by zero in (10 // 0)

SELECT (SELECT region FROM plays)
---- error
a scalar subquery returned 48 rows; it must return at most one

SELECT * FROM plays WHERE ms_played = 'abc'
---- error
could not convert VARCHAR 'abc' to BIGINT — check the value, or use TRY_CAST to get NULL instead in (ms_played = 'abc')

DELETE FROM plays
---- error
syntax error at line 1, column 1: expected SELECT or WITH, found 'DELETE' — lake runs queries, not DELETE statements

SELECT ? 
---- error
syntax error at line 1, column 8: query parameters (?) are not supported: write the value into the query

SELECT 1 FROM plays p JOIN tracks t
---- error
syntax error at line 1, column 36: expected ON or USING after JOIN 't'

# duckdb: skip — DuckDB orders by an arbitrary dt of each region; lake refuses
SELECT DISTINCT region FROM plays ORDER BY dt
---- error
with SELECT DISTINCT, ORDER BY expressions must appear in the select list: dt

SELECT sum(count(*)) FROM plays
---- error
aggregate calls cannot nest: sum(count(*))

SELECT 1 HAVING 1 = 1
----
1

SELECT CASE WHEN 1 THEN 2 END
----
2
