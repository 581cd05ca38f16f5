SELECT DATE '2024-03-15'
----
2024-03-15

SELECT DATE '2024-03-15' + 1
----
2024-03-16

SELECT DATE '2024-03-01' - 1
----
2024-02-29

SELECT DATE '2024-03-15' - DATE '2024-03-01'
----
14

SELECT DATE '2024-01-31' + INTERVAL 1 MONTH
----
2024-02-29 00:00:00

SELECT DATE '2024-03-15' - INTERVAL 7 DAY
----
2024-03-08 00:00:00

SELECT DATE '2024-03-15' + INTERVAL '2 days'
----
2024-03-17 00:00:00

SELECT TIMESTAMP '2024-03-15 10:30:00' + INTERVAL 90 MINUTE
----
2024-03-15 12:00:00

SELECT TIMESTAMP '2024-03-15 10:30:00' - INTERVAL 1 HOUR
----
2024-03-15 09:30:00

SELECT year(DATE '2024-03-15'), month(DATE '2024-03-15'), day(DATE '2024-03-15')
----
2024	3	15

SELECT extract(year FROM DATE '2024-03-15'), extract(month FROM DATE '2024-03-15')
----
2024	3

SELECT extract(dow FROM DATE '2024-03-17'), dayofweek(DATE '2024-03-18')
----
0	1

SELECT extract(hour FROM TIMESTAMP '2024-03-15 10:30:05')
----
10

SELECT date_part('minute', TIMESTAMP '2024-03-15 10:30:05'), date_part('second', TIMESTAMP '2024-03-15 10:30:05')
----
30	5

SELECT quarter(DATE '2024-08-01'), dayofyear(DATE '2024-02-01')
----
3	32

SELECT week(DATE '2024-01-01'), week(DATE '2024-12-30')
----
1	1

SELECT date_trunc('month', DATE '2024-03-15')
----
2024-03-01 00:00:00

SELECT date_trunc('year', DATE '2024-03-15')
----
2024-01-01 00:00:00

SELECT date_trunc('week', DATE '2024-03-15')
----
2024-03-11 00:00:00

SELECT date_trunc('hour', TIMESTAMP '2024-03-15 10:30:05')
----
2024-03-15 10:00:00

SELECT date_trunc('day', TIMESTAMP '2024-03-15 10:30:05')
----
2024-03-15 00:00:00

SELECT strftime(DATE '2024-03-05', '%Y/%m/%d')
----
2024/03/05

SELECT strftime(TIMESTAMP '2024-03-05 07:08:09', '%H:%M:%S %d.%m.%y')
----
07:08:09 05.03.24

SELECT strftime(DATE '2024-03-05', '%A %B %j')
----
Tuesday March 065

SELECT date_diff('day', DATE '2024-03-01', DATE '2024-03-15')
----
14

SELECT date_diff('month', DATE '2024-01-31', DATE '2024-03-01')
----
2

SELECT datediff('hour', TIMESTAMP '2024-03-01 00:00:00', TIMESTAMP '2024-03-02 06:00:00')
----
30

SELECT make_date(2024, 2, 29)
----
2024-02-29

SELECT last_day(DATE '2024-02-10')
----
2024-02-29

SELECT monthname(DATE '2024-03-01'), dayname(DATE '2024-03-01')
----
March	Friday

SELECT DATE '2024-03-01' < DATE '2024-03-02', DATE '2024-03-01' = '2024-03-01'
----
true	true

SELECT CAST(TIMESTAMP '2024-03-15 10:30:00' AS DATE)
----
2024-03-15

SELECT CAST(DATE '2024-03-15' AS VARCHAR)
----
2024-03-15

SELECT CAST('2024-03-15 10:30:00' AS TIMESTAMP)
----
2024-03-15 10:30:00

SELECT dt, count(*) FROM plays GROUP BY dt ORDER BY dt
----
2024-03-01	16
2024-03-02	16
2024-03-03	16

SELECT count(*) FROM plays WHERE dt >= DATE '2024-03-02'
----
32

SELECT count(*) FROM plays WHERE dt BETWEEN '2024-03-01' AND '2024-03-02'
----
32

SELECT count(*) FROM plays WHERE dt > DATE '2024-03-03' - INTERVAL 2 DAY
----
32

SELECT event_id, played_at FROM plays ORDER BY played_at LIMIT 3
----
e27	2024-03-01 00:36:09+00
e12	2024-03-01 01:42:04+00
e06	2024-03-01 03:37:36+00

SELECT min(played_at), max(played_at) FROM plays
----
2024-03-01 00:36:09+00	2024-03-03 23:22:23+00

SELECT event_id, hour(played_at) FROM plays ORDER BY event_id LIMIT 4
----
e00	4
e01	11
e02	13
e03	7

SELECT date_trunc('day', played_at) AS d, count(*) FROM plays GROUP BY d ORDER BY d
----
2024-03-01 00:00:00+00	16
2024-03-02 00:00:00+00	16
2024-03-03 00:00:00+00	16

SELECT count(*) FROM plays WHERE played_at >= TIMESTAMP '2024-03-02 00:00:00'
----
32

SELECT count(*) FROM plays WHERE played_at < '2024-03-01 12:00:00'
----
9

SELECT strftime(played_at, '%Y-%m-%d') = CAST(dt AS VARCHAR) AS same, count(*) FROM plays GROUP BY same
----
true	48

SELECT week, count(*) FROM charts GROUP BY week ORDER BY week
----
2024-03-01	6
2024-03-02	4
2024-03-03	2

SELECT max(week) - min(week) FROM charts
----
2

SELECT year(dt), month(dt), count(*) FROM plays GROUP BY ALL ORDER BY ALL
----
2024	3	48

SELECT current_date - INTERVAL 7 DAY < current_date, current_date = today()
----
true	true

SELECT count(*) FROM plays WHERE dt >= current_date - INTERVAL 7 DAY
----
0

SELECT DATE '2024-01-01' + 9223372036854775807
---- error
date out of range: 9223372036854775807 days from 2024-01-01

SELECT DATE '2024-01-01' + INTERVAL 9223372036854775807 DAY
---- error
INTERVAL 9223372036854775807 DAY is out of range

SELECT region, seen_at, typeof(seen_at) FROM charts WHERE position = 3 ORDER BY region, seen_at
----
DE	2024-03-03 03:00:00	TIMESTAMP
SE	2024-03-01 03:00:00	TIMESTAMP
US	2024-03-01 03:00:00	TIMESTAMP

SELECT count(*) FROM charts WHERE seen_at >= TIMESTAMP '2024-03-02 01:00:00'
----
6

SELECT date_trunc('day', seen_at) AS d, count(*) FROM charts GROUP BY d ORDER BY d
----
2024-03-01 00:00:00	6
2024-03-02 00:00:00	4
2024-03-03 00:00:00	2
