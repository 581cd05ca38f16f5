"""raw → staged Parquet: types that outside readers see, quarantine with reasons, drift,
deduplication, incremental runs, and crashes at each step of publishing a version."""
import datetime
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import LAKE, REPO, catalog, lake, land_events

CONTRACT = REPO / "Tests" / "Integration" / "fixtures" / "typed.json"


def good_event(i, n=None):
    return {"id": f"e{i}", "n": i if n is None else n, "score": i / 4, "flag": i % 2 == 0,
            "day": f"2024-03-{1 + i % 28:02d}", "at": f"2024-03-0{1 + i % 3}T10:{i % 60:02d}:05.{i % 1000:03d}123Z",
            "kind": ["a", "b", None][i % 3], "note": None if i % 5 == 0 else f"note ünï {i}",
            "region": ["SE", "US"][i % 2]}


BAD = [
    ({"id": "bad-missing", "at": "2024-03-01T00:00:00Z", "region": "SE"}, 'required field "n" is missing'),
    ({"id": "bad-type", "n": "5", "at": "2024-03-01T00:00:00Z", "region": "SE"}, 'required field "n" is a string'),
    ({"id": "bad-time", "n": 1, "at": "yesterday at noon", "region": "SE"}, "is not an RFC 3339 date-time"),
    ({"id": "bad-enum", "n": 1, "at": "2024-03-01T00:00:00Z", "kind": "zzz", "region": "SE"}, "not one of the contract's enum values"),
    ({"id": None, "n": 1, "at": "2024-03-01T00:00:00Z", "region": "SE"}, 'required field "id" is null'),
    ({"id": "bad-date", "n": 1, "at": "2024-03-01T00:00:00Z", "day": "2024-02-30", "region": "SE"}, "is not a date"),
]


def make_lake(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("catalog", "register", str(CONTRACT), "--lake", str(root))
    return root


def land(root, events, tmp_path, name="batch"):
    land_events(root, "typed", events, tmp_path, name, "--max-file-records", "40")


def promote(root, *extra, env=None):
    out = lake("promote", "typed", "--lake", str(root), "--format", "json", "--quiet", *extra, env=env)
    return json.loads(out.stdout)["promotions"][0]


def staged(root):
    return duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{root}/staged/typed/**/*.parquet', hive_partitioning=true) ORDER BY id").fetchall()


def staged_count(root):
    return duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{root}/staged/typed/**/*.parquet', hive_partitioning=true)").fetchone()[0]


def quarantine_lines(root):
    lines = []
    for path in Path(root, "quarantine", "typed").rglob("*.ndjson.gz"):
        import gzip
        with gzip.open(path, "rt") as f:
            lines += [json.loads(l) for l in f]
    return [l for l in lines if l["_meta"].get("stage") == "promote"]


# Stream lines take a byte-level scanner; LAKE_PROMOTE_GENERAL_PATH forces the tape reader
# that API pages and unusual lines use. Both must stage the same rows.
PATHS = {"scanner": None, "general": {**os.environ, "LAKE_PROMOTE_GENERAL_PATH": "1"}}


@pytest.mark.parametrize("path", PATHS)
def test_pyarrow_reads_every_type_with_the_values_of_the_raw_source(tmp_path, path):
    root = make_lake(tmp_path)
    events = [good_event(i) for i in range(300)]
    land(root, events, tmp_path)
    report = promote(root, env=PATHS[path])
    assert report["staged"] == 300 and report["quarantined"] == 0

    files = list(Path(root, "staged", "typed").rglob("*.parquet"))
    assert files
    rows = []
    for f in files:
        table = pq.read_table(f)
        types = {field.name: str(field.type) for field in table.schema}
        assert types["id"] == "string" and types["n"] == "int64" and types["score"] == "double"
        assert types["flag"] == "bool" and types["day"] == "date32[day]" and types["at"] == "timestamp[us, tz=UTC]"
        assert not table.schema.field("id").nullable and table.schema.field("note").nullable
        rows += table.to_pylist()
    assert len(rows) == 300
    by_id = {r["id"]: r for r in rows}
    for e in events:
        r = by_id[e["id"]]
        assert r["n"] == e["n"] and r["score"] == e["score"] and r["flag"] == e["flag"]
        assert r["day"].isoformat() == e["day"]
        expected_at = datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
        assert r["at"] == expected_at
        assert r["kind"] == e["kind"] and r["note"] == e["note"]
        assert r["_raw_file"].startswith("raw/typed/typed/") and r["_raw_line"] >= 1 and r["_offset"] is not None

    # Partition keys live in the folders only, so pyarrow's Hive discovery reads the whole dataset.
    assert all("region" not in pq.read_schema(f).names for f in files)
    whole = pq.read_table(Path(root, "staged", "typed")).to_pylist()
    assert {r["id"]: str(r["region"]) for r in whole} == {e["id"]: e["region"] for e in events}
    files_rows = catalog(root).execute(
        "SELECT sum(rows) FROM lake_files WHERE dataset = 'typed' AND zone = 'staged'").fetchone()[0]
    assert staged_count(root) == files_rows == 300


@pytest.mark.parametrize("path", PATHS)
def test_each_invalid_record_is_quarantined_with_its_reason_and_nothing_else_is_lost(tmp_path, path):
    root = make_lake(tmp_path)
    events = [good_event(i) for i in range(100)]
    events += [e for e, _ in BAD]
    events.append({**good_event(7, n=7000)})                      # a later duplicate of e7: it wins
    # Drift, kept and not lost; the nested value also sends the line down the general path.
    events.append({**good_event(200), "score": "high", "mood": "happy", "ctx": {"a": [1, 2]}})
    land(root, events, tmp_path)
    report = promote(root, env=PATHS[path])

    lines = quarantine_lines(root)
    assert len(lines) == len(BAD) == report["quarantined"]
    reasons = [l["_meta"]["reason"] for l in lines]
    for _, expected in BAD:
        assert any(expected in r for r in reasons), (expected, reasons)
    assert all(l["_meta"]["raw_file"].startswith("raw/typed/") and l["_meta"]["line"] >= 1 for l in lines)

    raw_records = catalog(root).execute(
        "SELECT sum(records) FROM lake_files WHERE dataset = 'typed' AND zone = 'raw'").fetchone()[0]
    assert raw_records == len(events)
    assert report["duplicates_removed"] == 1
    assert raw_records == staged_count(root) + report["quarantined"] + report["duplicates_removed"]

    con = duckdb.connect()
    n7 = con.execute(f"SELECT n FROM read_parquet('{root}/staged/typed/**/*.parquet') WHERE id = 'e7'").fetchall()
    assert n7 == [(7000,)]
    extra = con.execute(f"SELECT score, _extra FROM read_parquet('{root}/staged/typed/**/*.parquet') WHERE id = 'e200'").fetchone()
    assert extra[0] is None and json.loads(extra[1]) == {"score": "high", "mood": "happy", "ctx": {"a": [1, 2]}}
    drift = catalog(root).execute(
        "SELECT field, seen_type, count, first_raw_file FROM lake_schema_drift WHERE dataset = 'typed' ORDER BY field").fetchall()
    assert [(d[0], d[1], d[2]) for d in drift] == [("ctx", "object", 1), ("mood", "string", 1), ("score", "string", 1)]
    source_file = con.execute(f"SELECT _raw_file FROM read_parquet('{root}/staged/typed/**/*.parquet') WHERE id = 'e200'").fetchone()[0]
    assert all(d[3] == source_file for d in drift)


# Past --keys-in-memory the dedupe index spills to _tmp/ (50M events stay within 1 GiB); both
# must find the same duplicates.
KEYS = {"keys in memory": [], "keys spilled": ["--keys-in-memory", "10"]}


def test_a_partition_of_one_row_reads_back_through_lakes_own_reader(tmp_path):
    # One row per file makes every string chunk a one-value dictionary (bit width 0 codes): a
    # release build once read those as an error that was not one and crashed (scripts/test
    # runs this module against a release build too).
    root = make_lake(tmp_path)
    land(root, [good_event(1), good_event(2)], tmp_path)
    report = promote(root)
    assert report["staged"] == 2, report
    out = lake("query", "SELECT id, kind, region FROM staged.typed ORDER BY id", "--lake", str(root), "--format", "csv")
    assert out.stdout.splitlines() == ["id,kind,region", "e1,b,US", "e2,,SE"]
    cat = lake("parquet", "cat", str(next((root / "staged" / "typed").rglob("*.parquet"))))
    assert "e1" in cat.stdout or "e2" in cat.stdout


@pytest.mark.parametrize("keys", KEYS)
def test_promotion_is_incremental_and_a_second_run_changes_nothing(tmp_path, keys):
    def promote(root, *extra):
        return globals()["promote"](root, *KEYS[keys], *extra)
    root = make_lake(tmp_path)
    land(root, [good_event(i) for i in range(120)], tmp_path, "one")
    first = promote(root)
    assert first["version"] == 1 and first["staged"] == 120

    raw_before = catalog(root).execute("SELECT count(*) FROM lake_files WHERE zone = 'raw'").fetchone()[0]
    land(root, [good_event(i) for i in range(120, 200)] + [good_event(5, n=555)], tmp_path, "two")
    raw_after = catalog(root).execute("SELECT count(*) FROM lake_files WHERE zone = 'raw'").fetchone()[0]
    second = promote(root)
    assert second["version"] == 2 and second["raw_files"] == raw_after - raw_before
    assert second["records"] == 81 and second["duplicates_removed"] == 1
    assert staged_count(root) == 200
    assert duckdb.connect().execute(
        f"SELECT n FROM read_parquet('{root}/staged/typed/**/*.parquet') WHERE id = 'e5'").fetchall() == [(555,)]
    # Every raw file accounts for its records, including the earlier row that e5's new arrival replaced.
    per_file = catalog(root).execute(
        "SELECT records, staged, quarantined, duplicates FROM lake_promoted WHERE dataset = 'typed'").fetchall()
    assert all(r == s + q + d for r, s, q, d in per_file)
    assert sum(s for _, s, _, _ in per_file) == staged_count(root) and sum(d for *_, d in per_file) == 1

    before = sorted(p.name for p in Path(root, "staged", "typed").rglob("*.parquet"))
    third = promote(root)
    assert third["nothing_new"] and third["version"] == 2
    assert sorted(p.name for p in Path(root, "staged", "typed").rglob("*.parquet")) == before
    versions = catalog(root).execute("SELECT version, state FROM lake_versions ORDER BY version").fetchall()
    assert versions == [(1, "retired"), (2, "current")]
    lineage = catalog(root).execute("SELECT count(DISTINCT input_path) FROM lake_lineage WHERE dataset = 'typed'").fetchone()[0]
    assert lineage == raw_after
    tree = json.loads(lake("catalog", "lineage", "typed", "--lake", str(root), "--format", "json").stdout)
    assert tree["current_version"] == 2 and len(tree["raw_files"]) == raw_after
    assert sum(f["rows"] for r in tree["raw_files"] for f in r["staged_files"]) == 200

    # --full-refresh rebuilds the same rows from all of raw.
    full = promote(root, "--full-refresh")
    assert full["version"] == 3 and full["raw_files"] == raw_after and staged_count(root) == 200
    assert not list(Path(root, "_tmp").glob("promote-keys-*")), "the key spill is removed"


@pytest.mark.parametrize("point", ["promote:written", "promote:committed"])
def test_a_promotion_killed_at_each_step_leaves_a_whole_version_and_the_next_run_completes(tmp_path, point):
    root = make_lake(tmp_path)
    land(root, [good_event(i) for i in range(100)], tmp_path, "one")
    promote(root)
    land(root, [good_event(i) for i in range(100, 180)], tmp_path, "two")

    killed = lake("promote", "typed", "--lake", str(root), "--quiet", check=False,
                  env={**os.environ, "LAKE_CRASH_AT": point})
    assert killed.returncode == -9
    # Readers see one whole version: the old one, or (once the catalog committed) the old one until the link moves.
    assert staged_count(root) == 100

    after = promote(root)
    assert staged_count(root) == 180
    if point == "promote:written":
        assert after["version"] == 2 and after["records"] == 80
    else:
        assert after["nothing_new"] and after["version"] == 2
    assert not [p for p in Path(root, "_tmp").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    folders = sorted(p.name for p in Path(root, "_versions", "staged", "typed").iterdir())
    assert folders == ["v000001", "v000002"]


def test_a_raw_file_committed_but_not_yet_moved_into_place_is_promoted_from_its_temp_path(tmp_path):
    root = make_lake(tmp_path)
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(good_event(i)) + "\n" for i in range(60)))
    with open(path, "rb") as f:
        subprocess.run([LAKE, "produce", "typed", "--lake", str(root)], stdin=f, check=True, capture_output=True)
    ingest = ["ingest", "stream", "typed", "--dataset", "typed", "--time-field", "at", "--region-field", "region",
              "--until-idle", "--max-file-records", "40", "--lake", str(root)]
    # The ingestion is killed after its first commit and before the rename into raw/.
    killed = lake(*ingest, check=False, env={**os.environ, "LAKE_CRASH_AT": "commit:recorded"})
    assert killed.returncode == -9
    pending = catalog(root).execute("SELECT path, tmp_path FROM lake_files WHERE zone = 'raw'").fetchall()
    assert len(pending) >= 1
    assert all(not Path(root, p).exists() and Path(root, t).exists() for p, t in pending)

    # A promotion meanwhile reads the committed file where it is.
    first = promote(root)
    assert first["records"] == sum(r for (r,) in catalog(root).execute("SELECT records FROM lake_files WHERE zone = 'raw'"))
    assert staged_count(root) == first["records"] > 0

    # The next ingestion moves it into place and lands the rest; nothing is staged twice.
    lake(*ingest)
    assert all(Path(root, p).exists() for p, _ in pending)
    promote(root)
    assert staged_count(root) == 60 and [r[0] for r in staged(root)] == sorted(f"e{i}" for i in range(60))


def test_vacuum_removes_retired_versions_and_keeps_the_current_one(tmp_path):
    root = make_lake(tmp_path)
    land(root, [good_event(i) for i in range(50)], tmp_path, "one")
    promote(root)
    land(root, [good_event(i) for i in range(50, 90)], tmp_path, "two")
    promote(root)
    dry = json.loads(lake("vacuum", "--retain-hours", "0", "--dry-run", "--format", "json", "--lake", str(root)).stdout)
    assert [v["version"] for v in dry["versions"]] == [1]
    assert Path(root, "_versions", "staged", "typed", "v000001").exists()
    lake("vacuum", "--retain-hours", "0", "--lake", str(root))
    assert not Path(root, "_versions", "staged", "typed", "v000001").exists()
    assert staged_count(root) == 90


def normalize(value):
    """pyarrow's Python values in the JSON shapes `lake parquet cat` prints."""
    import decimal
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        value = value.astimezone(datetime.timezone.utc)
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{value.microsecond:06d}" if value.microsecond else "") + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (float, decimal.Decimal)):
        return round(float(value), 9)
    return value


def lake_cat(path):
    out = lake("parquet", "cat", str(path)).stdout
    return [{k: normalize(v) for k, v in json.loads(line).items()} for line in out.splitlines()]


def sample_table():
    import pyarrow as pa
    n = 3000
    return pa.table({
        "i64": pa.array([None if i % 11 == 0 else i * 7919 - 10**6 for i in range(n)], pa.int64()),
        "i32": pa.array([i % 300 - 150 for i in range(n)], pa.int32()),
        "s": pa.array([None if i % 13 == 0 else f"val-{i % 40}-ü" for i in range(n)], pa.string()),
        "d": pa.array([i / 7 for i in range(n)], pa.float64()),
        "f": pa.array([None if i % 17 == 0 else i / 2 for i in range(n)], pa.float32()),
        "b": pa.array([None if i % 19 == 0 else i % 3 == 0 for i in range(n)], pa.bool_()),
        "day": pa.array([datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 400) for i in range(n)], pa.date32()),
        "ts": pa.array([datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=i * 1234567)
                        for i in range(n)], pa.timestamp("us", tz="UTC")),
        "ts_ms": pa.array([i * 1000 for i in range(n)], pa.timestamp("ms")),
        "ts_ns": pa.array([None if i % 23 == 0 else i * 1_000_001_000 for i in range(n)], pa.timestamp("ns", tz="UTC")),
    })


@pytest.mark.parametrize("codec", ["snappy", "zstd", "gzip", "lz4", "none"])
@pytest.mark.parametrize("dictionary", [True, False])
@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_lakes_reader_gets_what_pyarrow_gets_from_pyarrow_files(tmp_path, codec, dictionary, page_version):
    table = sample_table()
    path = tmp_path / "sample.parquet"
    pq.write_table(table, path, compression=codec, use_dictionary=dictionary, data_page_version=page_version,
                   row_group_size=1000, data_page_size=4096)
    expected = [{k: normalize(v) for k, v in row.items()} for row in pq.read_table(path).to_pylist()]
    assert lake_cat(path) == expected


def test_lakes_reader_gets_what_pyarrow_gets_from_duckdb_files(tmp_path):
    path = tmp_path / "duck.parquet"
    duckdb.connect().execute(f"""
        COPY (SELECT i::BIGINT AS a, i::INTEGER AS b, 'x' || (i % 10) AS s, i * 1.5 AS dec, (i / 3)::DOUBLE AS d,
                     i % 2 = 0 AS bo, DATE '2024-01-01' + (i % 5)::INTEGER AS dt,
                     TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS ts,
                     CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END AS ns
              FROM range(5000) t(i)) TO '{path}' (FORMAT parquet)""")
    expected = [{k: normalize(v) for k, v in row.items()} for row in pq.read_table(path).to_pylist()]
    assert lake_cat(path) == expected


def test_lakes_reader_gets_what_pyarrow_gets_from_delta_and_byte_stream_split_pages(tmp_path):
    table = sample_table()
    path = tmp_path / "delta.parquet"
    pq.write_table(table, path, use_dictionary=False, data_page_version="2.0", row_group_size=1000,
                   column_encoding={"i64": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
                                    "s": "DELTA_LENGTH_BYTE_ARRAY", "d": "BYTE_STREAM_SPLIT"})
    expected = [{k: normalize(v) for k, v in row.items()} for row in pq.read_table(path).to_pylist()]
    assert lake_cat(path) == expected

    strings = tmp_path / "delta-strings.parquet"
    pq.write_table(table.select(["s"]), strings, use_dictionary=False, column_encoding={"s": "DELTA_BYTE_ARRAY"})
    assert lake_cat(strings) == [{"s": r["s"]} for r in pq.read_table(strings).to_pylist()]


def test_lakes_reader_gets_what_pyarrow_gets_from_duckdb_parquet_v2_files(tmp_path):
    path = tmp_path / "duck-v2.parquet"
    duckdb.connect().execute(f"""
        COPY (SELECT i::BIGINT AS a, 'v' || (i * 7919 % 1000) AS s, (i / 3)::DOUBLE AS d
              FROM range(5000) t(i)) TO '{path}' (FORMAT parquet, PARQUET_VERSION V2)""")
    expected = [{k: normalize(v) for k, v in row.items()} for row in pq.read_table(path).to_pylist()]
    assert lake_cat(path) == expected
