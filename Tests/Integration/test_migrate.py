"""`lake migrate --to-storage s3://…`: a local lake's files copied to S3 (moto in server mode,
checking SigV4 signatures), resumably, never overwriting, checked object by object; pyarrow
reads the copied staged and curated versions and agrees with `lake query`."""
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import gzip
import shutil
import sys

import pyarrow.dataset as ds
import pyarrow.fs
import pytest

from conftest import LAKE, REPO, duckdb_on_postgres_and_s3, lake
from moto_server import MotoServer
from pg_server import PASSWORD

BUCKET = "team-lake"


@pytest.fixture(scope="module")
def moto():
    # moto 5.2 checks SigV4 wrongly for a key with `=` in it (boto3's own PUT of `dt=1/x` is
    # refused there too), and hive folders are full of them: the lake's copies go to a moto
    # that does not check; `signed_moto` (conftest) checks every signature, on keys without `=`.
    server = MotoServer()
    server.key = ("testing", "testing")
    server.client("s3", *server.key).create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("migrate") / "lake"
    lake("demo", "--lake", str(root), "--events", "3000", "--format", "json")
    return root


def local_files(root):
    out = {}
    for folder in ("raw", "quarantine", "_versions"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not path.is_symlink():
                out[str(path.relative_to(root))] = path
    return out


def objects(s3, prefix):
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for o in page.get("Contents", []):
            found[o["Key"][len(prefix):]] = o
    return found


def migrate(root, moto, prefix, *extra, secret=None, check=True):
    env = moto.env(moto.key[0], secret or moto.key[1])
    return lake("migrate", "--lake", str(root), "--to-storage", f"s3://{BUCKET}/{prefix}", "--format", "json", *extra,
                env=env, check=check)


def test_every_file_is_copied_and_checked_and_pyarrow_reads_what_lake_query_reads(demo_lake, moto):
    report = json.loads(migrate(demo_lake, moto, "copy1").stdout)
    files = local_files(demo_lake)
    assert report["files"] == len(files) == report["uploaded"] == report["verified"] and report["kept"] == 0
    s3 = moto.client("s3", *moto.key)
    found = objects(s3, "copy1/")
    assert set(found) == set(files)
    for name in list(files)[:: max(1, len(files) // 20)]:
        body = files[name].read_bytes()
        assert found[name]["Size"] == len(body) and found[name]["ETag"].strip('"') == hashlib.md5(body).hexdigest()

    fs = pyarrow.fs.S3FileSystem(access_key=moto.key[0], secret_key=moto.key[1], endpoint_override=moto.url,
                                 scheme="http", region="us-east-1")
    tables = [("staged", p.name) for p in (demo_lake / "staged").iterdir()] + [("curated", p.name) for p in (demo_lake / "curated").iterdir()]
    assert len(tables) >= 4
    for zone, name in tables:
        # S3 has no symbolic links: the current version is the folder the local link points at.
        version = (demo_lake / zone / name).resolve().relative_to(demo_lake.resolve())
        dataset = ds.dataset(f"{BUCKET}/copy1/{version}", filesystem=fs, format="parquet", partitioning="hive")
        expected = json.loads(lake("query", f"SELECT count(*) AS n FROM {zone}.{name}", "--lake", str(demo_lake),
                                   "--format", "json").stdout)[0]["n"]
        assert dataset.count_rows() == expected, f"{zone}.{name}"
    plays = ds.dataset(f"{BUCKET}/copy1/{(demo_lake / 'staged' / 'plays').resolve().relative_to(demo_lake.resolve())}",
                       filesystem=fs, format="parquet", partitioning="hive").to_table(columns=["ms_played"])
    expected = json.loads(lake("query", "SELECT sum(ms_played) AS s FROM staged.plays", "--lake", str(demo_lake),
                               "--format", "json").stdout)[0]["s"]
    assert sum(v for v in plays.column("ms_played").to_pylist() if v is not None) == expected


def test_a_killed_copy_carries_on_and_nothing_is_doubled(demo_lake, moto):
    s3 = moto.client("s3", *moto.key)
    total = len(local_files(demo_lake))
    proc = subprocess.Popen([LAKE, "migrate", "--lake", str(demo_lake), "--to-storage", f"s3://{BUCKET}/killed",
                             "--concurrency", "1", "--quiet"], env=moto.env(*moto.key),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(objects(s3, "killed/")) < 20:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len(objects(s3, "killed/"))
    assert 20 <= before < total, "killed after some objects were written and before the copy ended"
    report = json.loads(migrate(demo_lake, moto, "killed").stdout)
    assert report["kept"] >= before and report["kept"] + report["uploaded"] == total == report["verified"]
    assert set(objects(s3, "killed/")) == set(local_files(demo_lake))


def test_large_files_go_up_in_parts_signed_and_their_etags_are_checked(signed_moto, tmp_path):
    moto = signed_moto
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    big = root / "raw" / "exports" / "old" / "dump.ndjson.gz"
    big.parent.mkdir(parents=True)
    big.write_bytes(os.urandom(11 << 20))
    report = json.loads(migrate(root, moto, "parts", "--multipart-above-mb", "6", "--part-mb", "5").stdout)
    assert report["uploaded"] == report["verified"] == report["files"] >= 1
    head = moto.client("s3", *moto.key).head_object(Bucket=BUCKET, Key="parts/raw/exports/old/dump.ndjson.gz")
    assert head["ETag"].strip('"').endswith("-3") and head["ContentLength"] == 11 << 20


def test_an_object_with_other_content_is_never_overwritten(demo_lake, moto):
    s3 = moto.client("s3", *moto.key)
    first = sorted(local_files(demo_lake))[0]
    s3.put_object(Bucket=BUCKET, Key=f"other/{first}", Body=b"someone else's file")
    result = migrate(demo_lake, moto, "other", check=False)
    assert result.returncode == 1 and f"s3://{BUCKET}/other/{first}" in result.stderr and "empty prefix" in result.stderr
    assert s3.get_object(Bucket=BUCKET, Key=f"other/{first}")["Body"].read() == b"someone else's file"


def test_a_wrong_secret_and_a_missing_bucket_give_one_line_that_says_what_to_check(demo_lake, signed_moto):
    moto = signed_moto
    started = time.time()
    bad = migrate(demo_lake, moto, "nope", secret="wrong-secret-value", check=False)
    assert bad.returncode == 1 and time.time() - started < 10, "refused at once, not retried"
    assert len(bad.stderr.strip().splitlines()) == 1 and moto.key[0] in bad.stderr and "secret" in bad.stderr
    assert "wrong-secret-value" not in bad.stderr + bad.stdout
    missing = lake("migrate", "--lake", str(demo_lake), "--to-storage", "s3://no-such-bucket/x", env=moto.env(*moto.key), check=False)
    assert missing.returncode == 1 and "no bucket 'no-such-bucket'" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def history_lake(demo_lake, tmp_path_factory):
    """The demo lake with a second promotion of plays: two snapshots of it to travel between."""
    root = tmp_path_factory.mktemp("history") / "lake"
    shutil.copytree(demo_lake, root, symlinks=True)
    template = next(json.loads(l)["value"] for p in sorted((root / "raw").rglob("*.ndjson.gz")) if "plays" in str(p)
                    for l in gzip.open(p, "rt"))
    events = "".join(json.dumps({**template, "event_id": f"later-{i}", "ms_played": 1000 + i}) + "\n" for i in range(150))
    subprocess.run([LAKE, "produce", "listens", "--lake", str(root)], input=events.encode(), check=True, capture_output=True)
    lake("ingest", "stream", "listens", "--dataset", "plays", "--time-field", "played_at", "--region-field", "region",
         "--until-idle", "--lake", str(root))
    lake("promote", "plays", "--lake", str(root))
    return root


def test_the_catalog_moves_to_postgres_and_duckdb_and_lake_time_travel_over_postgres_and_s3(history_lake, moto, pg, tmp_path):
    env = {**moto.env(*moto.key), "PGPASSWORD": PASSWORD}
    team = tmp_path / "team"
    args = ["migrate", "--lake", str(history_lake), "--to-storage", f"s3://{BUCKET}/team", "--to-catalog", pg.url, "--format", "json",
            "--endpoint-url", moto.url, "--to-lake", str(team)]
    report = json.loads(lake(*args, env=env).stdout)
    local = sqlite3.connect(history_lake / "catalog.sqlite")
    names = [n for (n,) in local.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'ducklake%' OR name LIKE 'lake%')")]
    filled = [n for n in names if local.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] > 0]
    assert report["tables"] == len(names) and report["tables_copied"] == len(filled) and report["verified"] == report["files"]
    for name in names:
        assert int(pg.sql(f'SELECT count(*) FROM "{name}"')[0][0]) == local.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0], name
    assert pg.sql("SELECT value FROM ducklake_metadata WHERE key = 'data_path'") == [[f"s3://{BUCKET}/team/"]]
    assert pg.sql("SELECT data_type FROM information_schema.columns WHERE table_name = 'ducklake_snapshot' AND column_name = 'snapshot_time'") \
        == [["timestamp with time zone"]]

    tables = [f"staged.{p.name}" for p in (history_lake / "staged").iterdir()] + [f"curated.{p.name}" for p in (history_lake / "curated").iterdir()]
    snapshots = [s["snapshot_id"] for s in json.loads(lake("catalog", "snapshots", "plays", "--lake", str(history_lake), "--format", "json").stdout)]
    assert len(snapshots) >= 2
    queries = [f"SELECT count(*) FROM {t}" for t in tables]
    queries += [f"SELECT count(*), sum(ms_played) FROM staged.plays AT (VERSION => {n})" for n in snapshots]
    duck = duckdb_on_postgres_and_s3(pg, "postgres", moto.port, queries)
    for table, rows in zip(tables, duck):
        expected = json.loads(lake("query", f"SELECT count(*) AS n FROM {table}", "--lake", str(history_lake), "--format", "json").stdout)[0]["n"]
        assert rows == [[expected]], (table, rows)
    counts = set()
    for n, rows in zip(snapshots, duck[len(tables):]):
        mine = json.loads(lake("query", f"SELECT count(*) AS n, sum(ms_played) AS s FROM staged.plays AT (VERSION => {n})",
                               "--lake", str(history_lake), "--format", "json").stdout)[0]
        assert rows == [[mine["n"], mine["s"]]], f"plays at snapshot {n}"
        counts.add(mine["n"])
    assert len(counts) == 2, "the two promotions of plays differ, and both snapshots read back"

    # lake query reads the moved lake from PostgreSQL and S3, through its lake.json, and agrees
    # with the local lake on every table and at every snapshot.
    assert json.loads((team / "lake.json").read_text())["storage"] == f"s3://{BUCKET}/team"
    def answers(root, sql):
        out = lake("query", sql, "--lake", str(root), "--format", "json", "--stats", env=env)
        return json.loads(out.stdout), out.stderr
    checks = [f"SELECT count(*) AS n FROM {t}" for t in tables]
    checks += [f"SELECT count(*) AS n, sum(ms_played) AS s FROM staged.plays AT (VERSION => {n})" for n in snapshots]
    checks += ["SELECT region, count(*) AS n, count(DISTINCT track_id) AS tracks FROM staged.plays GROUP BY region ORDER BY region"]
    for sql in checks:
        mine, stats = answers(team, sql)
        assert mine == answers(history_lake, sql)[0], sql
        assert "GET" in stats and "from S3" in stats, stats
    assert not [p for p in team.rglob("*") if p.suffix in (".parquet", ".gz")], "nothing of the lake is copied to the reading machine"

    # Partitions are pruned before any GET, and a column is fetched, not the file: a one-region
    # count asks for fewer objects than the whole table, and no more than a footer and a chunk per file.
    files = int(pg.sql("SELECT count(*) FROM ducklake_data_file f JOIN ducklake_table t USING (table_id) "
                       "WHERE t.table_name = 'plays' AND f.end_snapshot IS NULL AND t.end_snapshot IS NULL")[0][0])
    def gets(sql):
        stats = answers(team, sql)[1]
        return int(stats.split(" GET")[0].rsplit(", ", 1)[1])
    everything = gets("SELECT sum(ms_played) AS s FROM staged.plays")
    region = answers(history_lake, "SELECT region FROM staged.plays GROUP BY region ORDER BY count(*) DESC LIMIT 1")[0][0]["region"]
    one = gets(f"SELECT sum(ms_played) AS s FROM staged.plays WHERE region = '{region}'")
    assert 0 < one < everything <= 2 * files, (one, everything, files)
    # The catalog's statistics prune files before any GET: no play is longer than a day.
    assert gets("SELECT count(*) AS n FROM staged.plays WHERE ms_played > 86400000") == 0
    # Rows per partition come from the catalog's record counts: no file is opened.
    assert gets("SELECT region, count(*) AS n FROM staged.plays GROUP BY region") == 0

    again = json.loads(lake(*args, env=env).stdout)
    assert again["tables_copied"] == 0 and again["tables_kept"] == again["tables"] and again["uploaded"] == 0

    # The moved lake takes new writes: a stream of this machine lands in S3, promotion adds to the
    # copied versions, optimize merges them, and the older snapshots still read as before.
    before = answers(team, "SELECT count(*) AS n, sum(ms_played) AS s FROM staged.plays")[0][0]
    template = json.loads(gzip.open(next(p for p in sorted((history_lake / "raw").rglob("*.ndjson.gz")) if "plays" in str(p)), "rt")
                          .readline())["value"]
    more = "".join(json.dumps({**template, "event_id": f"moved-{i}", "ms_played": 7}) + "\n" for i in range(120))
    subprocess.run([LAKE, "produce", "after_move", "--lake", str(team)], input=more.encode(), check=True, capture_output=True, env=env)
    lake("ingest", "stream", "after_move", "--dataset", "plays", "--time-field", "played_at", "--region-field", "region",
         "--until-idle", "--lake", str(team), env=env)
    lake("promote", "plays", "--lake", str(team), env=env)
    lake("optimize", "plays", "--lake", str(team), env=env)
    after = answers(team, "SELECT count(*) AS n, sum(ms_played) AS s FROM staged.plays")[0][0]
    assert after == {"n": before["n"] + 120, "s": before["s"] + 7 * 120}, (before, after)
    for n in snapshots:
        sql = f"SELECT count(*) AS n, sum(ms_played) AS s FROM staged.plays AT (VERSION => {n})"
        assert answers(team, sql)[0] == answers(history_lake, sql)[0], sql
    [duck_after] = duckdb_on_postgres_and_s3(pg, "postgres", moto.port, ["SELECT count(*), sum(ms_played) FROM staged.plays"])
    assert duck_after == [[after["n"], after["s"]]]
    assert not [p for p in team.rglob("*") if p.suffix in (".parquet",)], "nothing of the lake stays on this machine"


def test_an_unreachable_postgres_gives_one_line_that_says_what_to_check(demo_lake):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = lake("migrate", "--lake", str(demo_lake), "--to-catalog", f"postgres://lake@127.0.0.1:{port}/lake",
                  env={**os.environ, "PGPASSWORD": "secret-pw-value"}, check=False)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in result.stderr and "check the host, port" in result.stderr
    assert "secret-pw-value" not in result.stderr
