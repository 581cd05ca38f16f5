"""`lake query` over a real lake (built by `lake demo`: Spotify pages and listening events,
promoted to staged and curated Parquet by lake), checked against DuckDB reading the same
files: generated queries, the named questions, output formats, errors, PII masking of curated
tables, incremental curated models and time travel."""
import hashlib
import hmac
import json
import os
import random
import re
import subprocess

import duckdb
import pytest

from conftest import LAKE, REPO, lake
from test_query import rows_match, text

TABLES = {
    "staged": ["plays", "new_albums", "album_tracks"],
    "curated": ["track_plays_daily", "new_albums_by_region", "listener_activity_daily"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("query")
    root = base / "lake"
    key = base / "pii.key"
    key.write_text("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n")
    env = {**os.environ, "LAKE_PII_KEY_FILE": str(key)}
    out = lake("demo", "--lake", str(root), "--format", "json", env=env)
    report = json.loads(out.stdout)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'UTC'")
    for zone, names in TABLES.items():
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {zone}")
        for name in names:
            con.execute(f"CREATE VIEW {zone}.{name} AS SELECT * FROM read_parquet('{root}/{zone}/{name}/**/*.parquet', hive_partitioning = true)")
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE VIEW raw.plays AS SELECT * FROM read_json('{root}/raw/listens/plays/**/*.ndjson.gz', "
                "columns = {'_meta': 'JSON', 'value': 'JSON'}, hive_partitioning = true)")
    con.execute(f"CREATE VIEW raw.album_tracks AS SELECT * FROM read_json('{root}/raw/spotify/album_tracks/**/*.ndjson.gz', "
                "columns = {'_meta': 'JSON', 'body': 'JSON'}, hive_partitioning = true)")
    return {"root": root, "con": con, "report": report, "env": env, "key": bytes.fromhex(key.read_text().strip())}


def query(root, sql, *extra, env=None, check=True):
    return lake("query", sql, "--lake", str(root), *extra, env=env, check=check)


def lake_rows(root, sql):
    out = query(root, sql, "--format", "json").stdout
    return [[text(v) for v in row.values()] for row in json.loads(out)]


def duck_rows(con, sql):
    return [[text(v) for v in row] for row in con.execute(sql).fetchall()]


def compare(demo, sql):
    got = ["\t".join(r) for r in lake_rows(demo["root"], sql)]
    want = ["\t".join(r) for r in duck_rows(demo["con"], sql)]
    assert rows_match(got, want, "ORDER BY" in sql.upper()), f"{sql}\nlake:   {got[:8]}\nduckdb: {want[:8]}"


def generated_queries(n=120, seed=11):
    rng = random.Random(seed)
    filters = ["region IN ('SE', 'US', 'DE')", "region = 'BR'", "ms_played > 120000", "ms_played BETWEEN 30000 AND 90000",
               "device IS NULL", "device = 'mobile'", "track_id LIKE '%a%'", "dt >= (SELECT max(dt) FROM staged.plays) - 1",
               "session_id IS NOT NULL", "NOT (region = 'US')", "played_at >= TIMESTAMP '2000-01-01 00:00:00'",
               "user_id < 'user-5'", "ms_played IS NULL OR ms_played < 5000"]
    groups = ["region", "dt", "device", "region, dt", "region, device", "track_id"]
    aggs = ["count(*)", "count(DISTINCT user_id)", "sum(ms_played)", "avg(ms_played)", "min(ms_played)", "max(ms_played)",
            "count(device)", "max(played_at)", "min(track_id)", "count(DISTINCT track_id)"]
    out = []
    for i in range(n):
        kind = i % 6
        f = " AND ".join(rng.sample(filters, rng.randint(0, 2))) or "true"
        if kind == 0:
            g = rng.choice(groups)
            a = rng.sample(aggs, 2)
            out.append(f"SELECT {g}, {a[0]} AS a0, {a[1]} AS a1 FROM staged.plays WHERE {f} GROUP BY {g} ORDER BY {g} NULLS FIRST")
        elif kind == 1:
            out.append(f"SELECT count(*) AS n, sum(ms_played) AS ms FROM staged.plays WHERE {f}")
        elif kind == 2:
            k = rng.randint(1, 5)
            out.append(f"SELECT region, track_id, count(*) AS plays FROM staged.plays WHERE {f} GROUP BY region, track_id "
                       f"QUALIFY row_number() OVER (PARTITION BY region ORDER BY count(*) DESC, track_id) <= {k} ORDER BY region, plays DESC, track_id")
        elif kind == 3:
            m = rng.choice(["plays", "listeners", "ms_played"])
            out.append(f"SELECT t.region, sum(t.{m}) AS total, count(DISTINCT t.track_id) AS tracks FROM curated.track_plays_daily t "
                       f"JOIN staged.album_tracks a ON a.track_id = t.track_id AND a.region = t.region "
                       f"WHERE a.track_number >= {rng.randint(1, 2)} GROUP BY t.region ORDER BY t.region")
        elif kind == 4:
            out.append(f"SELECT event_id, region, ms_played FROM staged.plays WHERE {f} ORDER BY ms_played DESC NULLS LAST, event_id LIMIT {rng.randint(1, 20)}")
        else:
            out.append(f"SELECT p.region, coalesce(n.artist_name, 'unknown') AS artist, count(*) AS plays FROM staged.plays p "
                       f"LEFT JOIN (SELECT track_id, max(artist_name) AS artist_name FROM staged.album_tracks GROUP BY track_id) n "
                       f"ON n.track_id = p.track_id WHERE {f.replace('region', 'p.region').replace('dt >=', 'p.dt >=').replace('track_id LIKE', 'p.track_id LIKE')} "
                       f"GROUP BY ALL ORDER BY plays DESC, p.region, artist LIMIT 15")
    return out


GENERATED = generated_queries()


@pytest.mark.parametrize("sql", GENERATED, ids=[f"gen{i}" for i in range(len(GENERATED))])
def test_generated_query_matches_duckdb(demo, sql):
    compare(demo, sql)


LISTED = [
    "SELECT count(*) FROM staged.plays",
    "SELECT count(*), count(DISTINCT track_id) FROM curated.track_plays_daily",
    "SELECT region, sum(plays) FROM curated.track_plays_daily GROUP BY region ORDER BY region",
    "SELECT dt, region, sum(plays) AS plays, sum(listeners) AS listener_days FROM curated.track_plays_daily GROUP BY ALL ORDER BY ALL",
    "SELECT region, count(*), sum(tracks), max(release_date), count(DISTINCT artist_id) FROM curated.new_albums_by_region GROUP BY region ORDER BY region",
    "SELECT count(*), count(DISTINCT user_id), sum(plays) FROM curated.listener_activity_daily",
    "SELECT album_type, count(*) FROM staged.new_albums GROUP BY album_type ORDER BY album_type",
    "SELECT region, count(*) FROM staged.album_tracks GROUP BY region ORDER BY region",
    "SELECT album_name FROM staged.new_albums WHERE region = 'SE' ORDER BY release_date DESC, album_name LIMIT 5",
    "SELECT region, avg(duration_ms), max(track_number), count(*) FILTER (WHERE explicit) FROM staged.album_tracks GROUP BY region ORDER BY region",
    "SELECT count(*) FROM staged.plays WHERE dt = (SELECT max(dt) FROM staged.plays)",
    "SELECT date_trunc('hour', played_at) AS h, count(*) FROM staged.plays GROUP BY h ORDER BY h LIMIT 5",
    "SELECT strftime(played_at, '%H') AS hour, count(*) FROM staged.plays GROUP BY hour ORDER BY hour",
    "WITH t AS (SELECT track_id, sum(plays) AS p FROM curated.track_plays_daily GROUP BY track_id) SELECT count(*) FROM t WHERE p > 10",
    "SELECT region, count(*) FILTER (WHERE device = 'mobile') AS mobile, count(*) AS total FROM staged.plays GROUP BY region ORDER BY region",
    "SELECT value->>'device' AS device, count(*) AS n FROM raw.plays GROUP BY ALL ORDER BY n DESC, device",
    "SELECT region, json_extract_string(value, '$.track_id') AS track, count(*) AS n FROM raw.plays GROUP BY ALL ORDER BY n DESC, region, track LIMIT 5",
    "SELECT _meta->>'region' AS region, count(*) AS pages, sum(CAST(_meta->>'records' AS BIGINT)) AS records FROM raw.album_tracks GROUP BY ALL ORDER BY region",
    "SELECT count(*) FROM raw.plays WHERE dt = (SELECT max(dt) FROM raw.plays) AND value->>'device' IS NULL",
]


@pytest.mark.parametrize("sql", LISTED, ids=[f"listed{i}" for i in range(len(LISTED))])
def test_listed_query_matches_duckdb(demo, sql):
    compare(demo, sql)


def question_sql(root, phrase):
    """A question's SQL, as `lake query --explain` shows it."""
    out = query(root, phrase, "--explain", check=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    return "\n".join(lines[1:lines.index("")])


@pytest.mark.parametrize("phrase", ["top tracks by region", "top 3 artists by region", "top 5 tracks in se",
                                    "trending tracks by region", "plays by region last 3 days", "top 2 tracks by region last 2 days",
                                    "new albums by region", "new albums by region top 3"])
def test_named_questions_match_duckdb_running_the_same_sql(demo, phrase):
    sql = question_sql(demo["root"], phrase)
    got = lake_rows(demo["root"], phrase)
    want = duck_rows(demo["con"], sql)
    assert rows_match(["\t".join(r) for r in got], ["\t".join(r) for r in want], True), (phrase, got[:5], want[:5])
    assert got


def test_top_tracks_by_region_is_the_top_ten_per_region(demo):
    rows = json.loads(query(demo["root"], "top tracks by region", "--format", "json").stdout)
    assert list(rows[0]) == ["region", "rank", "track", "artist", "plays", "listeners"]
    by_region = {}
    for r in rows:
        by_region.setdefault(r["region"], []).append(r)
    assert len(by_region) >= 5
    for region, ranked in by_region.items():
        assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1)) and len(ranked) <= 10
        assert all(a["plays"] >= b["plays"] for a, b in zip(ranked, ranked[1:]))
        assert all(isinstance(r["plays"], int) and r["listeners"] <= r["plays"] for r in ranked)
    assert demo["report"]["top_tracks_by_region"] == rows
    table = query(demo["root"], "top tracks by region")
    assert table.stdout.splitlines()[0].split() == ["region", "rank", "track", "artist", "plays", "listeners"]
    assert "rows in" in table.stderr


def test_output_formats_keep_types(demo):
    sql = "SELECT region, count(*) AS n, avg(ms_played) AS mean, max(dt) AS last_day, NULL AS nothing, true AS yes FROM staged.plays GROUP BY region ORDER BY region LIMIT 2"
    rows = json.loads(query(demo["root"], sql, "--format", "json").stdout)
    assert list(rows[0]) == ["region", "n", "mean", "last_day", "nothing", "yes"]
    assert isinstance(rows[0]["n"], int) and isinstance(rows[0]["mean"], float) and rows[0]["nothing"] is None and rows[0]["yes"] is True
    nd = [json.loads(l) for l in query(demo["root"], sql, "--format", "ndjson").stdout.splitlines()]
    assert nd == rows
    csv = query(demo["root"], sql, "--format", "csv").stdout.splitlines()
    assert csv[0] == "region,n,mean,last_day,nothing,yes" and csv[1].split(",")[0] == rows[0]["region"]
    assert csv[1].split(",")[4] == ""


def test_errors_say_where_and_what(demo):
    r = query(demo["root"], "SELECT region,\n  count(* FROM staged.plays", check=False)
    assert r.returncode == 1 and "line 2, column" in r.stderr
    r = query(demo["root"], "SELECT * FROM staged.plais", check=False)
    assert r.returncode == 1 and "did you mean 'staged.plays'" in r.stderr
    r = query(demo["root"], "SELECT regoin FROM staged.plays", check=False)
    assert r.returncode == 1 and "did you mean 'region'" in r.stderr
    r = query(demo["root"], "SELECT region + 1 FROM staged.plays", check=False)
    assert r.returncode == 1 and "(region + 1)" in r.stderr
    r = query(demo["root"], "best songs please", check=False)
    assert r.returncode == 1 and "top tracks by region" in r.stderr


def test_explain_shows_pruning(demo):
    out = query(demo["root"], "EXPLAIN SELECT count(*) FROM staged.plays WHERE dt = DATE '2020-01-01' AND ms_played > 1000").stdout
    assert "partition pruning" in out and "row-group pruning" in out and "columns: " in out
    assert query(demo["root"], "SELECT count(*) AS n FROM staged.plays WHERE dt = DATE '2020-01-01'", "--format", "json").stdout.strip() == '[{"n":0}]'


def test_curated_pii_is_masked_with_the_lake_key(demo):
    masked = {r[0] for r in demo["con"].execute("SELECT DISTINCT user_id FROM curated.listener_activity_daily").fetchall()}
    users = {r[0] for r in demo["con"].execute("SELECT DISTINCT user_id FROM staged.plays").fetchall()}
    assert all(re.fullmatch(r"[0-9a-f]{64}", m) for m in masked)
    assert masked == {hmac.new(demo["key"], u.encode(), hashlib.sha256).hexdigest() for u in users}
    report = json.loads(lake("governance", "--lake", str(demo["root"]), "--format", "json", check=False, cwd=demo["root"].parent).stdout)
    assert [f for f in report["findings"] if f["rule"] == "pii-unmasked"] == []


def test_curated_lineage_names_the_input_versions(demo):
    tree = json.loads(lake("catalog", "lineage", "track_plays_daily", "--lake", str(demo["root"]), "--format", "json").stdout)
    inputs = {f["path"] for f in tree["raw_files"]}
    assert any(i.startswith("staged/plays@v") for i in inputs) and any(i.startswith("staged/album_tracks@v") for i in inputs)
