"""catalog.sqlite is also a DuckLake: DuckDB 1.5 with its ducklake and sqlite extensions (from
PyPI, loaded from the wheels' files) attaches a lake built by `lake ingest` + `lake promote`
and reads what `lake query` reads, as of any snapshot; tables DuckDB creates are read back by
lake; a promotion killed part-way leaves the previous snapshot readable."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import LAKE, REPO, catalog, lake

CLIENT = Path(__file__).with_name("ducklake_client.py")
PYTHON = os.environ.get("LAKE_DUCKLAKE_PYTHON") or str(REPO / ".venv-ducklake" / "bin" / "python")
MARKETS = "SE,US,GB,BR"


def duckdb(root, *statements, write=False):
    """Runs statements in DuckDB on the attached lake; a failed statement comes back as {"error": …}."""
    if not Path(PYTHON).exists():
        pytest.fail(f"{PYTHON} is missing: run scripts/setup (it installs duckdb 1.5 and its ducklake and sqlite extensions)")
    request = {"catalog": f"{root}/catalog.sqlite", "read_only": not write, "statements": list(statements)}
    out = subprocess.run([PYTHON, str(CLIENT)], input=json.dumps(request), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def one(root, sql):
    result = duckdb(root, sql)[0]
    assert not isinstance(result, dict), f"DuckDB: {sql}: {result}"
    return result


def lake_rows(root, sql):
    rows = json.loads(lake("query", sql, "--lake", str(root), "--format", "json").stdout)
    return [list(r.values()) for r in rows]


def snapshots(root, table=None):
    return json.loads(lake("catalog", "snapshots", *([table] if table else []), "--lake", str(root), "--format", "json").stdout)


def land_listens(root, count, first, seed):
    events = subprocess.run([LAKE, "simulator", "events", "--count", str(count), "--first", str(first), "--seed", str(seed),
                             "--scale", "0.5"], capture_output=True, check=True).stdout
    subprocess.run([LAKE, "produce", "listens", "--key", "user_id", "--lake", str(root)], input=events, capture_output=True, check=True)
    lake("ingest", "stream", "listens", "--dataset", "plays", "--until-idle", "--lake", str(root))


def promote_all(root, env=None, check=True):
    return lake("promote", "--all", "--lake", str(root), "--quiet", env=env, check=check)


@pytest.fixture
def built_lake(tmp_path, simulator):
    """A lake as a user builds one: Spotify pages and listening events landed, everything promoted."""
    root = tmp_path / "lake"
    lake("init", "--lake", str(root), "--schemas", str(REPO / "schemas"))
    lake("ingest", "spotify", "--markets", MARKETS, *simulator.spotify_args(), "--lake", str(root), env=simulator.env())
    land_listens(root, 4000, 0, 11)
    promote_all(root)
    return root


def comparable(value):
    if isinstance(value, float):
        return round(value, 6)
    return value


def aggregates(root, table):
    """count(*), per-column counts, sums of numbers, distinct counts and min/max of strings and dates."""
    columns = one(root, f"SELECT column_name, column_type FROM (DESCRIBE {table})")
    parts = ["count(*)"]
    for name, kind in columns:
        parts.append(f'count("{name}")')
        if kind in ("BIGINT", "INTEGER", "DOUBLE"):
            parts.append(f'sum("{name}")')
        elif kind in ("VARCHAR", "DATE"):
            parts += [f'count(DISTINCT "{name}")', f'CAST(min("{name}") AS VARCHAR)', f'CAST(max("{name}") AS VARCHAR)']
    return f"SELECT {', '.join(parts)} FROM {table}"


def test_duckdb_attaches_the_lake_and_every_table_agrees_with_lake_query(built_lake):
    root = built_lake
    listed = sorted(f"{schema}.{name}" for _, schema, name, *_ in one(root, "SHOW ALL TABLES"))
    ours = sorted(f"{t['schema']}.{t['table']}" for t in json.loads(lake("catalog", "tables", "--lake", str(root), "--format", "json").stdout))
    assert listed == ours
    assert {"staged.plays", "staged.new_albums", "staged.album_tracks",
            "curated.track_plays_daily", "curated.new_albums_by_region", "curated.listener_activity_daily"} <= set(listed)
    assert catalog(root).execute("SELECT value FROM ducklake_metadata WHERE key = 'version'").fetchone() == ("1.0",)
    for table in listed:
        sql = aggregates(root, table)
        theirs = [comparable(v) for v in one(root, sql)[0]]
        mine = [comparable(v) for v in lake_rows(root, sql)[0]]
        assert theirs == mine, f"{table}: DuckDB {theirs} vs lake {mine}"
        assert theirs[0] > 0, table


def test_filters_that_duckdb_prunes_with_lakes_column_statistics_give_lakes_answers(built_lake):
    root = built_lake
    lo, hi = lake_rows(root, "SELECT min(ms_played), max(ms_played) FROM staged.plays")[0]
    middle = (lo + hi) // 2
    day = lake_rows(root, "SELECT CAST(max(dt) AS VARCHAR) FROM staged.plays")[0][0]
    for where in [f"ms_played > {middle}", f"ms_played <= {lo}", f"played_at >= TIMESTAMPTZ '{day} 00:00:00+00'",
                  f"dt = DATE '{day}'", "region = 'SE' AND device = 'web'", "track_id < 'M'"]:
        sql = f"SELECT count(*) FROM staged.plays WHERE {where}"
        assert one(root, sql) == lake_rows(root, sql), where
    # The statistics DuckDB pruned with are the Parquet writer's, one row per file and column.
    missing = catalog(root).execute("""
        SELECT count(*) FROM ducklake_data_file f JOIN ducklake_column c USING (table_id)
        WHERE f.end_snapshot IS NULL AND c.end_snapshot IS NULL AND NOT EXISTS (
            SELECT 1 FROM ducklake_file_column_stats s WHERE s.data_file_id = f.data_file_id AND s.column_id = c.column_id)""").fetchone()[0]
    assert missing == 0


def test_after_a_second_promotion_the_previous_snapshot_still_reads_the_previous_rows(built_lake):
    root = built_lake
    previous = max(s["snapshot_id"] for s in snapshots(root))
    before = {t: lake_rows(root, f"SELECT count(*) FROM {t}")[0][0] for t in ("staged.plays", "curated.track_plays_daily")}

    land_listens(root, 1500, 100_000, 12)
    promote_all(root)
    after = lake_rows(root, "SELECT count(*) FROM staged.plays")[0][0]
    assert after > before["staged.plays"]
    assert one(root, "SELECT count(*) FROM staged.plays") == [[after]]
    for table, count in before.items():
        travel = f"SELECT count(*) FROM {table} AT (VERSION => {previous})"
        assert one(root, travel) == [[count]], table
        assert lake_rows(root, travel) == [[count]], table
    # DuckDB's change feed over the promotion: its inserts less its deletes are the new rows.
    latest = max(s["snapshot_id"] for s in snapshots(root))
    feed = dict(one(root, f"SELECT change_type, count(*) FROM ducklake_table_changes('lake', 'staged', 'plays', {previous + 1}, {latest}) GROUP BY ALL"))
    assert feed.get("insert", 0) - feed.get("delete", 0) == after - before["staged.plays"] and feed["insert"] > 0
    # The snapshots of one table: each promotion of it, newest first, with lake's commit message.
    mine = snapshots(root, "staged.plays")
    assert [s["message"] for s in mine[:2]] == ["lake promote: staged.plays v2", "lake promote: staged.plays v1"]
    theirs = one(root, "SELECT snapshot_id FROM ducklake_snapshots('lake') ORDER BY snapshot_id DESC")
    assert [s["snapshot_id"] for s in snapshots(root)] == [r[0] for r in theirs]

    # Timestamps travel too: the newest snapshot at or before the time given.
    at = next(s for s in snapshots(root) if s["snapshot_id"] == previous)["snapshot_time"]
    assert lake_rows(root, f"SELECT count(*) FROM staged.plays AT (TIMESTAMP => '{at}')") == [[before['staged.plays']]]

    # Vacuum expires snapshots older than its window, in DuckDB's eyes too; current data stays.
    lake("vacuum", "--retain-hours", "0", "--lake", str(root))
    gone = duckdb(root, f"SELECT count(*) FROM staged.plays AT (VERSION => {previous})")[0]
    assert isinstance(gone, dict) and "snapshot" in gone["error"].lower()
    refused = lake("query", f"SELECT count(*) FROM staged.plays AT (VERSION => {previous})", "--lake", str(root), check=False)
    assert refused.returncode != 0 and "expired by `lake vacuum`" in refused.stderr
    assert one(root, "SELECT count(*) FROM staged.plays") == [[after]]
    assert lake_rows(root, "SELECT count(*) FROM staged.plays") == [[after]]


def test_a_table_duckdb_creates_in_the_attached_lake_is_read_back_by_lake(built_lake):
    root = built_lake
    results = duckdb(root,
                     "CREATE TABLE curated.region_plays AS SELECT region, count(*) AS plays, sum(ms_played) AS ms FROM staged.plays GROUP BY region",
                     "CREATE TABLE curated.notes (id INTEGER, note VARCHAR, score DOUBLE, day DATE, seen_at TIMESTAMPTZ, ok BOOLEAN)",
                     "INSERT INTO curated.notes VALUES (1, 'first', 1.5, DATE '2026-01-02', TIMESTAMPTZ '2026-01-02 03:04:05+00', true),"
                     " (2, NULL, NULL, NULL, NULL, NULL), (3, 'third', -2.25, DATE '2025-12-31', NULL, false)",
                     "DELETE FROM curated.notes WHERE id = 2",
                     "CREATE TABLE curated.kinds AS SELECT i, i::SMALLINT AS s, (i / 4)::DECIMAL(10, 2) AS d, "
                     "TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i) HOUR AS ts, uuid() AS u, [i, i] AS pair FROM range(3000) t(i)",
                     "INSERT INTO curated.region_plays VALUES ('ZZ', 1, 1)",
                     "DELETE FROM curated.region_plays WHERE region = 'SE'",
                     write=True)
    assert not any(isinstance(r, dict) for r in results), results

    for sql in ["SELECT region, plays, ms FROM curated.region_plays ORDER BY region",
                "SELECT id, note, score, CAST(day AS VARCHAR), ok FROM curated.notes ORDER BY id",
                "SELECT count(*), sum(plays) FROM curated.region_plays WHERE region <> 'ZZ'",
                "SELECT count(*), sum(i), sum(s), CAST(sum(d) AS DOUBLE), CAST(max(ts) AS VARCHAR), min(u), max(u), count(DISTINCT u) FROM curated.kinds"]:
        assert lake_rows(root, sql) == one(root, sql), sql
    # A nested column lake cannot read is left out, and naming it is an error, not a column of NULLs.
    refused = lake("query", "SELECT pair FROM curated.kinds", "--lake", str(root), check=False)
    assert refused.returncode == 1 and "pair" in refused.stderr
    # lake also finds it by its bare name, as it does its own tables.
    assert lake_rows(root, "SELECT count(*) FROM region_plays") == one(root, "SELECT count(*) FROM curated.region_plays")
    assert lake_rows(root, "SELECT count(*) FROM curated.notes") == [[2]]

    tables = {f"{t['schema']}.{t['table']}": t for t in json.loads(lake("catalog", "tables", "--lake", str(root), "--format", "json").stdout)}
    assert tables["curated.region_plays"]["lake_contract"] is False and tables["staged.plays"]["lake_contract"] is True
    assert tables["curated.notes"]["rows"] == 2
    assert "curated.region_plays" in lake("catalog", "list", "--lake", str(root)).stdout

    # Governance: a finding for the table without a contract, not for its files.
    report = json.loads(lake("governance", "--lake", str(root), "--format", "json", check=False).stdout)
    rules = [(f["rule"], f["dataset"]) for f in report["findings"]]
    assert ("table-without-contract", "region_plays") in rules and ("table-without-contract", "notes") in rules
    assert not [f for f in report["findings"] if f["rule"] in ("uncataloged-file", "dataset-without-contract")
                and "region_plays" in (f["path"] or "")]


@pytest.mark.parametrize("point", ["promote:written", "promote:committed"])
def test_a_promotion_killed_part_way_leaves_duckdb_the_previous_snapshot(built_lake, point):
    root = built_lake
    previous = max(s["snapshot_id"] for s in snapshots(root))
    count = lake_rows(root, "SELECT count(*) FROM staged.plays")[0][0]
    land_listens(root, 1000, 200_000, 13)

    killed = lake("promote", "plays", "--lake", str(root), "--quiet", env={**os.environ, "LAKE_CRASH_AT": point}, check=False)
    assert killed.returncode == -9
    assert one(root, f"SELECT count(*) FROM staged.plays AT (VERSION => {previous})") == [[count]]
    latest = one(root, "SELECT count(*) FROM staged.plays")[0][0]
    # Killed before its commit: no new snapshot. After it: the new snapshot, whole, even before the link moved.
    assert latest == count if point == "promote:written" else latest > count

    lake("promote", "plays", "--lake", str(root), "--quiet")
    final = lake_rows(root, "SELECT count(*) FROM staged.plays")[0][0]
    assert final > count and one(root, "SELECT count(*) FROM staged.plays") == [[final]]
    assert one(root, f"SELECT count(*) FROM staged.plays AT (VERSION => {previous})") == [[count]]


def test_a_contract_change_is_a_new_schema_version_and_old_snapshots_keep_old_columns(built_lake, tmp_path):
    root = built_lake
    previous = max(s["snapshot_id"] for s in snapshots(root))
    contract = json.loads((REPO / "schemas" / "listens" / "plays.json").read_text())
    contract["properties"]["country"] = {"type": ["string", "null"], "description": "Where the play happened."}
    changed = tmp_path / "plays.json"
    changed.write_text(json.dumps(contract))
    lake("catalog", "register", str(changed), "--lake", str(root))
    lake("promote", "plays", "--full-refresh", "--lake", str(root), "--quiet")

    now = [r[0] for r in one(root, "SELECT column_name FROM (DESCRIBE staged.plays)")]
    assert "country" in now
    old = duckdb(root, f"SELECT * FROM staged.plays AT (VERSION => {previous}) LIMIT 0",
                 f"SELECT count(*) FROM staged.plays AT (VERSION => {previous})")
    assert not any(isinstance(r, dict) for r in old), old
    sql = "SELECT count(*), count(country) FROM staged.plays"
    assert one(root, sql) == lake_rows(root, sql)
    versions = one(root, "SELECT count(DISTINCT schema_version) FROM ducklake_snapshots('lake')")[0][0]
    assert versions >= 2
