"""Event streams into raw: exactly once through SIGKILL, for the embedded log and a real
Redis; quarantine; follow mode; consumer groups; capacity planning."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb

from conftest import LAKE, catalog, committed_files, lake, redis

EVENTS = 200_000


def generate(path, count=EVENTS, first=0):
    with open(path, "wb") as out:
        subprocess.run([LAKE, "simulator", "events", "--count", str(count), "--first", str(first)],
                       stdout=out, check=True, stderr=subprocess.DEVNULL)
    good, bad = [], 0
    for line in Path(path).read_bytes().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(event, dict):
            good.append(event["event_id"])
        else:
            bad += 1
    return good, bad


def ingest_with_kills(root, args, kills=(2, 6)):
    """Starts the ingestion, SIGKILLs it after some commits, as often as asked; then runs it to idle."""
    for after in kills:
        proc = subprocess.Popen([LAKE, "ingest", "stream", *args, "--lake", str(root), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while committed_files(root) < after and proc.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the ingestion finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return lake("ingest", "stream", *args, "--lake", str(root), "--until-idle", "--format", "json")


def raw_event_ids(root, source, dataset):
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT value.event_id FROM read_json('{root}/raw/{source}/{dataset}/**/*.ndjson.gz', hive_partitioning=true)"
    ).fetchall()
    return [r[0] for r in rows]


def quarantined(root, dataset):
    files = list(Path(root, "quarantine", dataset).rglob("*.ndjson.gz"))
    if not files:
        return []
    con = duckdb.connect()
    return con.execute(f"SELECT _meta.reason FROM read_json('{root}/quarantine/{dataset}/**/*.ndjson.gz')").fetchall()


def test_embedded_log_lands_every_event_exactly_once_through_sigkill(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    good, bad = generate(tmp_path / "events.ndjson")
    with open(tmp_path / "events.ndjson", "rb") as f:
        subprocess.run([LAKE, "produce", "listens", "--lake", str(root), "--key", "user_id"], stdin=f, check=True,
                       capture_output=True)
    args = ["listens", "--dataset", "plays", "--time-field", "played_at", "--region-field", "region",
            "--max-file-records", "4000"]
    report = json.loads(ingest_with_kills(root, args).stdout)
    ids = raw_event_ids(root, "listens", "plays")
    assert len(ids) == len(good) and sorted(ids) == sorted(good)
    reasons = quarantined(root, "plays")
    assert len(reasons) == bad and all(r[0].startswith(("not JSON", "not a JSON object")) for r in reasons)
    assert not list(Path(root, "_tmp").rglob("*.gz"))
    described = json.loads(lake("topics", "describe", "listens", "--lake", str(root), "--format", "json").stdout)
    assert all(p["lag"] == 0 for g in described["groups"] for p in g["partitions"])
    assert report["events"] >= 0


def test_late_events_land_in_their_own_days_folder(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    generate(tmp_path / "events.ndjson", count=5000)
    with open(tmp_path / "events.ndjson", "rb") as f:
        subprocess.run([LAKE, "produce", "listens", "--lake", str(root)], stdin=f, check=True, capture_output=True)
    lake("ingest", "stream", "listens", "--lake", str(root), "--dataset", "plays", "--time-field", "played_at",
         "--region-field", "region", "--until-idle")
    con = duckdb.connect()
    mismatched = con.execute(
        f"SELECT count(*) FROM read_json('{root}/raw/listens/plays/**/*.ndjson.gz', hive_partitioning=true) "
        f"WHERE dt <> CAST(CAST(value.played_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS DATE)").fetchone()[0]
    days = con.execute(
        f"SELECT count(DISTINCT dt) FROM read_json('{root}/raw/listens/plays/**/*.ndjson.gz', hive_partitioning=true)").fetchone()[0]
    assert mismatched == 0 and days >= 2


def test_redis_stream_lands_every_event_exactly_once_through_sigkill(tmp_path, redis_port):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    good, bad = generate(tmp_path / "events.ndjson")
    lake("simulator", "events", "--count", str(EVENTS), "--to", f"redis://127.0.0.1:{redis_port}/listens")
    assert redis(redis_port, "XLEN", "listens") == f":{EVENTS}"
    args = ["listens", "--from", f"redis://127.0.0.1:{redis_port}/listens", "--dataset", "plays",
            "--time-field", "played_at", "--region-field", "region", "--max-file-records", "4000"]
    ingest_with_kills(root, args)
    ids = raw_event_ids(root, "listens", "plays")
    assert len(ids) == len(good) and sorted(ids) == sorted(good)
    assert len(quarantined(root, "plays")) == bad
    # Nothing is left pending: XPENDING's summary starts with a count of 0.
    import socket
    with socket.create_connection(("127.0.0.1", redis_port)) as c:
        c.sendall(b"*3\r\n$8\r\nXPENDING\r\n$7\r\nlistens\r\n$4\r\nlake\r\n")
        assert c.recv(4096).split(b"\r\n")[1] == b":0"


def test_a_redis_entry_without_the_value_field_becomes_an_object_of_its_fields(tmp_path, redis_port):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    redis(redis_port, "XADD", "s", "*", "event_id", "x1", "region", "SE")
    lake("ingest", "stream", "s", "--from", f"redis://127.0.0.1:{redis_port}/s", "--lake", str(root),
         "--dataset", "fields", "--region-field", "region", "--until-idle")
    con = duckdb.connect()
    row = con.execute(f"SELECT value.event_id, region, _meta.stream_id FROM read_json('{root}/raw/s/fields/**/*.ndjson.gz', "
                      f"hive_partitioning=true)").fetchone()
    assert row[0] == "x1" and row[1] == "SE" and "-" in row[2]


def test_follow_mode_commits_what_it_holds_on_sigterm(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("topics", "create", "listens", "--lake", str(root), "--partitions", "2")
    proc = subprocess.Popen([LAKE, "ingest", "stream", "listens", "--lake", str(root), "--dataset", "plays",
                             "--max-file-age", "3600", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    good, _ = generate(tmp_path / "events.ndjson", count=3000)
    with open(tmp_path / "events.ndjson", "rb") as f:
        subprocess.run([LAKE, "produce", "listens", "--lake", str(root)], stdin=f, check=True, capture_output=True)
    time.sleep(1.5)
    assert committed_files(root) == 0  # nothing is committed yet: files stay open for an hour
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopping" in err
    assert sorted(raw_event_ids(root, "listens", "plays")) == sorted(good)


def test_a_partition_goes_to_one_consumer_of_a_group(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    generate(tmp_path / "events.ndjson", count=2000)
    with open(tmp_path / "events.ndjson", "rb") as f:
        subprocess.run([LAKE, "produce", "listens", "--lake", str(root), "--key", "user_id"], stdin=f, check=True,
                       capture_output=True)
    # A follower holds partitions 0 and 1 of group g; a second consumer of g gets only 2 and 3.
    follower = subprocess.Popen([LAKE, "ingest", "stream", "listens", "--lake", str(root), "--dataset", "a",
                                 "--group", "g", "--partitions", "0,1", "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.7)
    second = json.loads(lake("ingest", "stream", "listens", "--lake", str(root), "--dataset", "a", "--group", "g",
                             "--until-idle", "--format", "json").stdout)
    follower.send_signal(signal.SIGTERM)
    follower.wait(timeout=30)
    assert second["partitions"] == [2, 3]
    other = json.loads(lake("ingest", "stream", "listens", "--lake", str(root), "--dataset", "b", "--group", "h",
                            "--until-idle", "--format", "json").stdout)
    assert other["partitions"] == [0, 1, 2, 3] and other["events"] == 2000


def test_replay_from_the_start_lands_again_beside_the_first_landing(tmp_path):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    generate(tmp_path / "events.ndjson", count=1000)
    with open(tmp_path / "events.ndjson", "rb") as f:
        subprocess.run([LAKE, "produce", "listens", "--lake", str(root)], stdin=f, check=True, capture_output=True)
    args = ["ingest", "stream", "listens", "--lake", str(root), "--dataset", "plays", "--until-idle", "--format", "json"]
    assert json.loads(lake(*args).stdout)["events"] == 1000
    assert json.loads(lake(*args).stdout)["events"] == 0
    assert json.loads(lake(*args, "--reset", "earliest").stdout)["events"] == 1000
    # Unkeyed, the 1,000 events went to one partition in one sticky batch: offsets 990–999 remain.
    assert json.loads(lake(*args, "--from-offset", "990").stdout)["events"] == 10


def test_topics_plan_shows_the_arithmetic():
    out = lake("topics", "plan", "--write-mb-s", "5", "--records-s", "12000", "--read-mb-s", "4", "--consumers", "3").stdout
    assert "partitions needed: max(5, 12, 6) = 12" in out
    plan = json.loads(lake("topics", "plan", "--write-mb-s", "5", "--records-s", "12000", "--read-mb-s", "4",
                           "--consumers", "3", "--format", "json").stdout)
    assert plan["partitions"] == 12
