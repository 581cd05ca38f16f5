"""Curated models: materialized by `lake promote`, incrementally by dt, with versions that
time travel reads; a model whose SQL or columns are wrong fails with a message that says so."""
import datetime
import json
import shutil

import duckdb
import pytest

from conftest import REPO, lake, land_events

CONTRACT = REPO / "Tests" / "Integration" / "fixtures" / "governed.json"
TODAY = datetime.datetime.now(datetime.timezone.utc).date()

MODEL = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "curated.events_daily",
    "description": "Events per day and region.",
    "type": "object",
    "properties": {"dt": {"type": "string", "format": "date"}, "region": {"type": "string"},
                   "events": {"type": "integer"}, "users": {"type": "integer"}, "total": {"type": ["integer", "null"]}},
    "required": ["dt", "region", "events"],
    "x-lake": {"zone": "curated", "owner": "tests", "retention_days": 30, "partition_by": ["dt", "region"],
               "model": "events_daily.sql", "incremental_by": "dt"},
}
SQL = "SELECT dt, region, count(*) AS events, count(DISTINCT user_id) AS users, sum(n) AS total FROM staged.events GROUP BY dt, region\n"


def day(offset):
    return (TODAY - datetime.timedelta(days=offset)).isoformat()


def event(i, days_ago):
    return {"id": f"e{i}", "user_id": f"u{i % 5}", "at": f"{day(days_ago)}T0{i % 10}:00:00Z", "n": i, "region": ["SE", "US"][i % 2]}


@pytest.fixture
def lake_with_model(tmp_path):
    schemas = tmp_path / "schemas"
    (schemas / "curated").mkdir(parents=True)
    shutil.copy(CONTRACT, schemas / "events.json")
    (schemas / "curated" / "events_daily.json").write_text(json.dumps(MODEL))
    (schemas / "curated" / "events_daily.sql").write_text(SQL)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root), "--schemas", str(schemas))
    return root, schemas


def promote(root):
    out = json.loads(lake("promote", "--all", "--lake", str(root), "--format", "json", "--quiet").stdout)
    return {p["dataset"]: p for p in out["promotions"]}


def curated_rows(root):
    return sorted(duckdb.connect().execute(
        f"SELECT CAST(dt AS VARCHAR), region, events, users, total FROM read_parquet('{root}/curated/events_daily/**/*.parquet', hive_partitioning = true)").fetchall())


def test_a_model_is_materialized_incrementally_and_time_travels(lake_with_model, tmp_path):
    root, _ = lake_with_model
    land_events(root, "events", [event(i, i % 3) for i in range(30)], tmp_path, "first")
    first = promote(root)["events_daily"]
    assert first["version"] == 1 and first["files_written"] == 6
    v1 = curated_rows(root)
    assert sum(r[2] for r in v1) == 30

    again = promote(root)["events_daily"]
    assert again["nothing_new"] and again["version"] == 1

    land_events(root, "events", [event(100 + i, 0) for i in range(6)], tmp_path, "second")
    second = promote(root)["events_daily"]
    assert second["version"] == 2 and second["files_kept"] == 4 and second["files_written"] == 2
    assert any("recomputed 1 day" in n for n in second["notes"])
    incremental = curated_rows(root)
    assert sum(r[2] for r in incremental) == 36

    full = json.loads(lake("promote", "events_daily", "--full-refresh", "--lake", str(root), "--format", "json", "--quiet").stdout)
    assert full["promotions"][0]["version"] == 3
    assert curated_rows(root) == incremental

    def count(sql):
        return json.loads(lake("query", sql, "--lake", str(root), "--format", "json").stdout)[0]["n"]
    def snapshot_of(table, version):
        """The DuckLake snapshot a promotion committed (AT (VERSION => n) names snapshots, as in DuckDB)."""
        snapshots = json.loads(lake("catalog", "snapshots", table, "--lake", str(root), "--format", "json").stdout)
        return next(s["snapshot_id"] for s in snapshots if s["message"].endswith(f"{table} v{version}"))
    assert count(f"SELECT sum(events) AS n FROM curated.events_daily AT (VERSION => {snapshot_of('curated.events_daily', 1)})") == 30
    assert count("SELECT sum(events) AS n FROM curated.events_daily") == 36
    assert count(f"SELECT count(*) AS n FROM staged.events AT (VERSION => {snapshot_of('staged.events', 1)})") == 30
    assert count("SELECT count(*) AS n FROM staged.events") == 36


def test_a_model_missing_a_declared_column_fails_clearly(lake_with_model, tmp_path):
    root, schemas = lake_with_model
    (schemas / "curated" / "events_daily.sql").write_text("SELECT dt, region, count(*) AS events FROM staged.events GROUP BY ALL\n")
    lake("catalog", "sync", "--schemas", str(schemas), "--lake", str(root))
    land_events(root, "events", [event(i, 0) for i in range(4)], tmp_path)
    result = lake("promote", "--all", "--lake", str(root), check=False)
    assert result.returncode == 1
    assert "does not return column 'users'" in result.stderr and "events_daily" in result.stderr


def test_a_model_with_bad_sql_names_the_model(lake_with_model, tmp_path):
    root, schemas = lake_with_model
    (schemas / "curated" / "events_daily.sql").write_text("SELECT dt, region, count(*) AS events FROM staged.evnts GROUP BY ALL\n")
    lake("catalog", "sync", "--schemas", str(schemas), "--lake", str(root))
    land_events(root, "events", [event(i, 0) for i in range(4)], tmp_path)
    result = lake("promote", "--all", "--lake", str(root), check=False)
    assert result.returncode == 1 and "events_daily" in result.stderr and "did you mean 'staged.events'" in result.stderr
