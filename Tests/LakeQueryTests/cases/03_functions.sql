# duckdb: skip — DuckDB upper-cases ß to ẞ (one-to-one mapping); lake uses Unicode's full mapping (SS)
SELECT lower('ÄBC'), upper('straße')
----
äbc	STRASSE

SELECT length('héllo'), length('')
----
5	0

SELECT strlen('héllo')
----
6

SELECT substr('hello', 2, 3), substr('hello', 2), substring('hello', 1, 1)
----
ell	ello	h

SELECT substr('hello', -3, 2)
----
ll

SELECT substr('hello', 0, 2)
----
h

SELECT left('hello', 2), right('hello', 3)
----
he	llo

SELECT trim('  x  '), ltrim('  x'), rtrim('x  ')
----
x	x	x

SELECT replace('banana', 'an', 'AN')
----
bANANa

SELECT starts_with('hello', 'he'), ends_with('hello', 'lo'), contains('hello', 'ell')
----
true	true	true

SELECT position('l' IN 'hello')
----
3

SELECT strpos('hello', 'l'), instr('hello', 'z')
----
3	0

SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 5)
----
b	

SELECT lpad('7', 3, '0'), rpad('ab', 4, '.')
----
007	ab..

SELECT repeat('ab', 3)
----
ababab

SELECT reverse('abc')
----
cba

SELECT name, length(name) FROM tracks ORDER BY track_id
----
Glass Light	11
Dream Dream	11
Neon City	9
Ñandú Stone	11
Back\slash Wild	15
Silver 'Quoted'	15
Zed	3
alpha	5

SELECT upper(name) FROM tracks WHERE track_id IN ('t1', 't2') ORDER BY 1
----
DREAM DREAM
GLASS LIGHT

SELECT track_id, lower(coalesce(artist, 'NONE')) FROM tracks ORDER BY track_id
----
t1	summer fire
t2	city silver
t3	stone light
t4	none
t5	summer fire
t6	heart storm
t7	björk
t8	city silver

SELECT name FROM tracks WHERE name LIKE '%Light%'
----
Glass Light

SELECT name FROM tracks WHERE name ILIKE 'n%' ORDER BY name
----
Neon City

SELECT name FROM tracks WHERE lower(name) LIKE '%a%' ORDER BY name
----
Back\slash Wild
Dream Dream
Glass Light
alpha
Ñandú Stone

SELECT track_id FROM tracks WHERE name LIKE 'Back\\slash%'
----

SELECT concat(track_id, ':', name) FROM tracks ORDER BY 1 LIMIT 3
----
t1:Glass Light
t2:Dream Dream
t3:Neon City

SELECT track_id || '-' || region FROM charts ORDER BY 1 LIMIT 4
----
t1-SE
t1-SE
t1-US
t2-SE

# duckdb: skip — lake has one integer type (BIGINT) and reads decimal literals as DOUBLE
SELECT typeof(1), typeof('a'), typeof(1.5), typeof(DATE '2024-01-01')
----
BIGINT	VARCHAR	DOUBLE	DATE

SELECT regexp_matches('abc123', '[0-9]+'), regexp_matches('abc', '^b')
----
true	false

SELECT round(score, 1) FROM plays WHERE event_id = 'e03'
----
5.8

SELECT greatest(duration_ms, 170000) FROM tracks ORDER BY track_id
----
170000
170000
170014
180021
190028
200035
210042
220049

SELECT abs(change) FROM charts WHERE change IS NOT NULL ORDER BY 1
----
0.0
0.5
1.0
1.25
1.5
2.0
2.5
3.75
4.0
9.5
