"""Spark (pyspark from PyPI, local mode, on the installed Java 17) reads a local lake's files as
they are: raw gzip NDJSON with `spark.read.json`, staged and curated Parquet with
`spark.read.parquet`, `dt` and `region` found as partition columns. Every table's aggregates
in Spark equal `lake query`'s."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, Simulator, lake
from test_ducklake import MARKETS, land_listens, promote_all


def java_or_fail():
    java = shutil.which("java")
    if java is None or subprocess.run([java, "-version"], capture_output=True).returncode != 0:
        pytest.fail("Spark needs Java 17: install it with `apt-get install openjdk-17-jre-headless` (scripts/setup does)")


@pytest.fixture(scope="module")
def spark():
    java_or_fail()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.fail("pyspark is missing: run scripts/setup (it installs pyspark into .venv)")
    session = (SparkSession.builder.master("local[2]").appName("lake-outside-reader")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Spotify pages and listening events landed, everything promoted, as a user builds a lake."""
    root = tmp_path_factory.mktemp("spark") / "lake"
    simulator = Simulator("--scale", "0.5")
    try:
        lake("init", "--lake", str(root), "--schemas", str(REPO / "schemas"))
        lake("ingest", "spotify", "--markets", MARKETS, *simulator.spotify_args(), "--lake", str(root), env=simulator.env())
    finally:
        simulator.stop()
    land_listens(root, 3000, 0, 5)
    promote_all(root)
    return root


def lake_one(root, sql):
    rows = json.loads(lake("query", sql, "--lake", str(root), "--format", "json").stdout)
    return list(rows[0].values())


def comparable(value):
    if isinstance(value, float):
        return round(value, 6)
    if value is not None and not isinstance(value, (int, str, bool)):
        return str(value)
    return value


def aggregate_sql(fields, table, text_type):
    """count(*); per column its count, and the sum of numbers or distinct count and min/max of text and dates."""
    parts = ["count(*)"]
    for name, kind in fields:
        parts.append(f'count("{name}")' if text_type == "VARCHAR" else f"count(`{name}`)")
        quoted = f'"{name}"' if text_type == "VARCHAR" else f"`{name}`"
        if kind in ("long", "integer", "double"):
            parts.append(f"sum({quoted})")
        elif kind in ("string", "date"):
            parts += [f"count(DISTINCT {quoted})", f"CAST(min({quoted}) AS {text_type})", f"CAST(max({quoted}) AS {text_type})"]
    return f"SELECT {', '.join(parts)} FROM {table}"


def test_spark_reads_raw_ndjson_with_dt_and_region_as_partitions(built, spark):
    datasets = sorted(p for p in Path(built, "raw").glob("*/*") if p.is_dir())
    assert len(datasets) >= 3
    for folder in datasets:
        df = spark.read.json(str(folder))
        types = {f.name: f.dataType.typeName() for f in df.schema.fields}
        # A dataset landed without regions has only the default partition: Spark types it void (all null).
        assert types["dt"] == "date" and types["region"] in ("string", "void"), (folder, types)
        assert {"_meta"} <= types.keys() and ("body" in types or "value" in types)
        count = df.count()
        regions = df.select("region").distinct().count()
        mine = lake_one(built, f"SELECT count(*), count(DISTINCT region) + max(CASE WHEN region IS NULL THEN 1 ELSE 0 END) "
                               f"FROM raw.{folder.name}")
        assert [count, regions] == mine, folder


def test_spark_reads_every_staged_and_curated_table_as_lake_query_does(built, spark):
    tables = json.loads(lake("catalog", "tables", "--lake", str(built), "--format", "json").stdout)
    assert {"staged.plays", "curated.track_plays_daily"} <= {f"{t['schema']}.{t['table']}" for t in tables}
    for t in tables:
        name = f"{t['schema']}.{t['table']}"
        df = spark.read.parquet(str(Path(built, t["schema"], t["table"])))
        if t["schema"] == "staged" or "dt" in df.columns:
            assert "dt" in df.columns, name
        view = f"{t['schema']}_{t['table']}"
        df.createOrReplaceTempView(view)
        fields = [(f.name, f.dataType.typeName()) for f in df.schema.fields]
        theirs = [comparable(v) for v in spark.sql(aggregate_sql(fields, view, "STRING")).collect()[0]]
        mine = [comparable(v) for v in lake_one(built, aggregate_sql(fields, name, "VARCHAR"))]
        assert theirs == mine, f"{name}: Spark {theirs} vs lake {mine}"
        assert theirs[0] > 0, name
