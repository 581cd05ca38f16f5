"""`lake optimize` merges each partition's small files into one, as a new version and one
DuckLake snapshot: the same rows for lake and for DuckDB, time travel to the files before,
lineage kept, and a clean governance report."""
import json
import subprocess

from conftest import LAKE, catalog, lake
from test_ducklake import duckdb, lake_rows, one, snapshots


def land(root, first, count):
    events = subprocess.run([LAKE, "simulator", "events", "--count", str(count), "--first", str(first), "--seed", "5",
                             "--scale", "0.3", "--malformed-rate", "0"], capture_output=True, check=True).stdout
    subprocess.run([LAKE, "produce", "listens", "--key", "user_id", "--lake", str(root)], input=events, capture_output=True, check=True)
    lake("ingest", "stream", "listens", "--dataset", "plays", "--until-idle", "--time-field", "played_at",
         "--region-field", "region", "--max-file-records", "300", "--lake", str(root))
    lake("promote", "plays", "--lake", str(root), "--quiet")


SUMMARY = "SELECT count(*), count(DISTINCT event_id), sum(ms_played), min(played_at), max(track_id) FROM staged.plays"


def test_optimize_merges_partitions_into_one_file_each_without_changing_a_row(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    land(root, 0, 3000)
    land(root, 3000, 3000)
    before = lake_rows(root, SUMMARY)
    before_snapshot = max(s["snapshot_id"] for s in snapshots(root, "staged.plays"))
    files_before = int(lake_rows(root, "SELECT count(*) FROM (SELECT DISTINCT _raw_file FROM staged.plays)")[0][0])

    report = json.loads(lake("optimize", "plays", "--lake", str(root), "--format", "json").stdout)[0]
    assert report["files_after"] < report["files_before"] and report["rows"] == 6000
    partitions = len(lake_rows(root, "SELECT DISTINCT dt, region FROM staged.plays"))
    assert report["files_after"] == partitions, "one file per partition"

    assert lake_rows(root, SUMMARY) == before
    assert one(root, SUMMARY)[0][0] == 6000
    after_snapshot = max(s["snapshot_id"] for s in snapshots(root, "staged.plays"))
    assert after_snapshot == before_snapshot + 1
    assert [s["message"] for s in snapshots(root, "staged.plays")][0].startswith("lake optimize: staged.plays")
    # Time travel reads the files from before the merge.
    assert one(root, f"SELECT count(*) FROM staged.plays AT (VERSION => {before_snapshot})")[0][0] == 6000
    assert lake_rows(root, f"SELECT count(*) FROM staged.plays AT (VERSION => {before_snapshot})")[0][0] == 6000
    # Every row still traces back to its raw file.
    lineage = json.loads(lake("catalog", "lineage", "plays", "--lake", str(root), "--format", "json").stdout)
    staged = [s for f in lineage["raw_files"] for s in f["staged_files"]]
    assert sum(s["rows"] for s in staged) == 6000
    current = {p for (p,) in catalog(root).execute("SELECT path FROM lake_files WHERE zone = 'staged'")}
    assert {s["path"] for s in staged} == current
    assert int(lake_rows(root, "SELECT count(DISTINCT _raw_file) FROM staged.plays")[0][0]) == files_before
    report = lake("governance", "--lake", str(root), "--format", "json", "--strict", check=False)
    assert report.returncode == 0, report.stdout
    # A second run has nothing left to merge.
    again = json.loads(lake("optimize", "plays", "--lake", str(root), "--format", "json").stdout)[0]
    assert again["partitions_merged"] == 0 and again["version"] == json.loads(
        lake("catalog", "show", "plays", "--lake", str(root), "--format", "json").stdout)["versions"][-1]["version"]
