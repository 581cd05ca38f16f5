"""A team's lake: `lake init --catalog postgres://…` keeps the catalog in PostgreSQL (a
throwaway cluster) and the files in the lake folder. Every command answers as on a local lake,
DuckDB attaches `ducklake:postgres:` and agrees, and lake processes working at once, a SIGKILL
and connections the server drops lose nothing and double nothing."""
import gzip
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from conftest import LAKE, REPO, duckdb_on_postgres_and_s3, lake
from moto_server import MotoServer
from pg_server import BIN, PASSWORD

EVENTS = 6000
STREAM = ["listens", "--dataset", "plays", "--time-field", "played_at", "--region-field", "region"]
QUERIES = [
    "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, sum(ms_played) AS ms FROM staged.plays",
    "SELECT region, count(*) AS n FROM staged.plays GROUP BY region ORDER BY n DESC, region LIMIT 5",
    "SELECT count(*) AS n FROM curated.listener_activity_daily",
]


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    """Simulated listening events (a few malformed lines among them), and the ids of the good ones."""
    path = tmp_path_factory.mktemp("events") / "events.ndjson"
    with open(path, "wb") as out:
        subprocess.run([LAKE, "simulator", "events", "--count", str(EVENTS)], stdout=out, check=True, stderr=subprocess.DEVNULL)
    ids = []
    for line in path.read_bytes().splitlines():
        event = parsed(line)
        if isinstance(event, dict) and "event_id" in event:
            ids.append(event["event_id"])
    return path, ids


def parsed(line):
    try:
        return json.loads(line)
    except ValueError:
        return None


def team_lake(pg, root, database):
    pg.sql(f"CREATE DATABASE {database}")
    lake("init", "--lake", str(root), "--catalog", f"postgres://lake@127.0.0.1:{pg.port}/{database}", env=pg.env())
    return root


def produce(root, events, env):
    with open(events, "rb") as f:
        subprocess.run([LAKE, "produce", "listens", "--lake", str(root), "--key", "user_id"], stdin=f, check=True,
                       capture_output=True, env=env)


def query(root, sql, env):
    return json.loads(lake("query", sql, "--lake", str(root), "--format", "json", env=env).stdout)


DUCKDB_ON_POSTGRES = """
import json, sys
sys.path.insert(0, {integration!r})
from ducklake_client import connect, plain, renamed_extension
import duckdb_extension_postgres_scanner
con = connect()
con.execute(f"LOAD '{{renamed_extension(duckdb_extension_postgres_scanner, 'postgres', 'postgres_scanner')}}'")
con.execute("ATTACH 'ducklake:postgres:dbname={database} host=127.0.0.1 port={port} user=lake password={password}' AS lake (READ_ONLY)")
con.execute("USE lake")
print(json.dumps([[[plain(v) for v in row] for row in con.execute(sql).fetchall()] for sql in json.load(sys.stdin)]))
"""


def duckdb_on_postgres(pg, database, queries):
    script = DUCKDB_ON_POSTGRES.format(integration=str(REPO / "Tests" / "Integration"), database=database, port=pg.port, password=PASSWORD)
    out = subprocess.run([str(REPO / ".venv-ducklake" / "bin" / "python"), "-c", script], input=json.dumps(queries),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_command_answers_on_a_team_lake_as_on_a_local_lake_and_duckdb_reads_it_from_postgres(pg, events, tmp_path):
    path, ids = events
    team = team_lake(pg, tmp_path / "team", "flow")
    local = tmp_path / "local"
    lake("init", "--lake", str(local))
    config = (team / "lake.json").read_text()
    assert json.loads(config) == {"catalog": f"postgres://lake@127.0.0.1:{pg.port}/flow", "storage": "."}
    assert PASSWORD not in config and not (team / "catalog.sqlite").exists()

    for root in (team, local):
        produce(root, path, pg.env())
        lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(root), env=pg.env())
        lake("promote", "--all", "--lake", str(root), env=pg.env())
    for sql in QUERIES:
        assert query(team, sql, pg.env()) == query(local, sql, pg.env()), sql
    counts = query(team, QUERIES[0], pg.env())[0]
    assert counts["n"] == counts["ids"] == len(set(ids))

    def listed(root):
        return {(d["name"], z["zone"]): (z["files"], z["rows"]) for d in json.loads(lake("catalog", "list", "--lake", str(root), "--format", "json",
                                                                                          env=pg.env()).stdout) for z in d["zones"]}
    # The same rows in every zone (how many files a stream's flushes made depends on timing).
    assert {k: rows for k, (_, rows) in listed(team).items()} == {k: rows for k, (_, rows) in listed(local).items()}
    for args in (["governance"], ["retention"]):
        team_report = json.loads(lake(*args, "--lake", str(team), "--format", "json", env=pg.env()).stdout)
        local_report = json.loads(lake(*args, "--lake", str(local), "--format", "json", env=pg.env()).stdout)
        assert len(team_report.get("findings", [])) == len(local_report.get("findings", [])), args

    # The catalog is PostgreSQL's, in DuckLake's own PostgreSQL types.
    assert int(pg.sql("SELECT count(*) FROM lake_files", db="flow")[0][0]) == sum(f for f, _ in listed(team).values())
    assert pg.sql("SELECT data_type FROM information_schema.columns WHERE table_name = 'ducklake_data_file' AND column_name = 'path_is_relative'",
                  db="flow") == [["boolean"]]
    assert pg.sql("SELECT name FROM lake_migrations ORDER BY applied_order", db="flow")[0] == ["v1-datasets-files-checkpoints-runs"]

    # A second promotion: two snapshots of plays, both readable in lake and in DuckDB.
    template = next(e for e in map(parsed, path.read_text().splitlines()) if isinstance(e, dict) and e.get("event_id") == ids[0])
    later = "".join(json.dumps({**template, "event_id": f"later-{i}", "ms_played": 1000 + i}) + "\n" for i in range(150))
    subprocess.run([LAKE, "produce", "listens", "--lake", str(team)], input=later.encode(), check=True, capture_output=True, env=pg.env())
    lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(team), env=pg.env())
    lake("promote", "plays", "--lake", str(team), env=pg.env())
    snapshots = sorted(s["snapshot_id"] for s in json.loads(lake("catalog", "snapshots", "plays", "--lake", str(team), "--format", "json",
                                                                 env=pg.env()).stdout))
    assert len(snapshots) >= 2
    sql = "SELECT count(*) AS n, sum(ms_played) AS ms FROM staged.plays"
    traveled = [f"{sql} AT (VERSION => {n})" for n in (snapshots[0], snapshots[-1])]
    mine = [query(team, q, pg.env())[0] for q in [sql] + traveled]
    assert mine[1]["n"] == counts["n"] and mine[2]["n"] == mine[0]["n"] == counts["n"] + 150
    duck = duckdb_on_postgres(pg, "flow", [sql] + traveled + ["SELECT count(*) FROM curated.listener_activity_daily"])
    assert [rows[0] for rows in duck[:3]] == [[m["n"], m["ms"]] for m in mine]
    assert duck[3] == [[query(team, QUERIES[2], pg.env())[0]["n"]]]


def test_lake_processes_at_once_through_a_sigkill_and_dropped_connections_land_and_promote_every_event_once(pg, events, tmp_path):
    path, ids = events
    root = team_lake(pg, tmp_path / "lake", "busy")
    produce(root, path, pg.env())

    # The server drops lake's connections about once a second, a dozen times, while the processes
    # work; it looks often until it dropped the first (the work may take only a second or two).
    stop, dropped, failures = threading.Event(), [], []

    def drop_connections():
        while not stop.is_set() and sum(dropped) < 12:
            rows = pg.sql("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'lake' AND datname = 'busy') t", db="busy")
            dropped.append(int(rows[0][0]))
            stop.wait(0.8 if sum(dropped) else 0.05)

    def until_done(args, attempts=10):
        """Runs a lake command again while a dropped connection fails it; the last run must pass."""
        for _ in range(attempts):
            result = subprocess.run([LAKE, *args, "--lake", str(root)], capture_output=True, text=True, env=pg.env(), timeout=300)
            if result.returncode == 0:
                return
            if "Catalog error" not in result.stderr:
                failures.append(f"lake {' '.join(args)}: {result.stderr}")
                return
        failures.append(f"lake {' '.join(args)} kept failing: {result.stderr}")

    def at_once(*commands):
        threads = [threading.Thread(target=until_done, args=(c,)) for c in commands]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    dropper = threading.Thread(target=drop_connections)
    dropper.start()
    try:
        # An ingestion is SIGKILLed after it committed some files.
        args = ["ingest", "stream", *STREAM, "--max-file-records", "300", "--quiet"]
        log = open(tmp_path / "first.log", "w")
        first = subprocess.Popen([LAKE, *args, "--lake", str(root)], stdout=subprocess.DEVNULL, stderr=log, env=pg.env())
        deadline = time.time() + 120
        while time.time() < deadline and first.poll() is None:
            try:
                if int(pg.sql("SELECT count(*) FROM lake_files", db="busy")[0][0]) >= 3:
                    break
            except RuntimeError:
                pass
            time.sleep(0.02)
        assert first.poll() is None, "the ingestion ended before it could be killed: " + (tmp_path / "first.log").read_text()
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert int(pg.sql("SELECT count(*) FROM lake_files", db="busy")[0][0]) >= 3, (tmp_path / "first.log").read_text()

        # The next run lands the rest while a promotion and governance run beside it; then two
        # promotions of the same dataset at once take turns.
        at_once(args + ["--until-idle"], ["promote", "plays", "--quiet"], ["governance", "--format", "json"])
        at_once(["promote", "plays", "--quiet"], ["promote", "plays", "--quiet"])
    finally:
        stop.set()
        dropper.join()
    assert not failures, failures
    assert sum(dropped) > 0, "the server never dropped a lake connection"

    landed = duckdb.connect().execute(
        f"SELECT value.event_id FROM read_json('{root}/raw/listens/plays/**/*.ndjson.gz', hive_partitioning=true)").fetchall()
    assert sorted(i for (i,) in landed) == sorted(ids)
    counts = query(root, QUERIES[0], pg.env())[0]
    assert counts["n"] == counts["ids"] == len(set(ids))
    assert not list(Path(root, "_tmp").rglob("*.gz"))


def test_a_promotion_waits_for_the_lock_another_machine_holds_and_says_who_holds_it(pg, events, tmp_path):
    path, ids = events
    root = team_lake(pg, tmp_path / "lake", "turns")
    produce(root, path, pg.env())
    lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(root), env=pg.env())
    # Another machine's lake promotes plays: the lock is in PostgreSQL, nothing on this disk says so.
    other = subprocess.Popen([BIN / "psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "lake", "-d", "turns", "-X", "-q", "-c",
                              "SELECT pg_advisory_lock(hashtextextended('lake:promote-plays', 0)), pg_sleep(4)"],
                             env={**pg.env(), "PGAPPNAME": "pid 4242 (lake promote plays)"}, stdout=subprocess.DEVNULL)
    deadline = time.time() + 30
    while pg.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted", db="turns") == [["0"]]:
        assert time.time() < deadline and other.poll() is None, "psql never took the lock"
        time.sleep(0.05)
    started = time.time()
    result = lake("promote", "plays", "--lake", str(root), "--format", "json", env=pg.env())
    waited = time.time() - started
    assert other.wait() == 0
    assert "waiting for the plays promotion lock, held by pid 4242 (lake promote plays) from 127.0.0.1" in result.stderr
    assert waited > 1.5, f"promote ran at once ({waited:.1f} s) while another machine held its lock"
    counts = query(root, QUERIES[0], pg.env())[0]
    assert counts["n"] == counts["ids"] == len(set(ids))
    assert not list(Path(root, "_tmp").glob("*.lock")), "a team lake's locks are PostgreSQL's, not files"
    # lake's own lock is gone with its session: nothing is left held.
    assert pg.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", db="turns") == [["0"]]


def test_a_promotion_whose_lock_connection_the_server_drops_commits_nothing_and_the_next_run_promotes(pg, events, tmp_path):
    path, ids = events
    root = team_lake(pg, tmp_path / "lake", "fenced")
    produce(root, path, pg.env())
    lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(root), env=pg.env())
    paused = subprocess.Popen([LAKE, "promote", "plays", "--lake", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, env={**pg.env(), "LAKE_PAUSE_AT": "publish:committing", "LAKE_PAUSE_SECONDS": "3"})
    said = []
    while not any("paused at publish:committing" in line for line in said):
        said.append(paused.stderr.readline())
        assert said[-1], "".join(said)
    # The server ends the session that holds the promotion's lock, as a failover or an admin would:
    # the lock is free, and another machine could take it now.
    assert pg.sql("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE application_name LIKE 'pid %' AND datname = 'fenced') t", db="fenced") == [["1"]]
    assert pg.sql("SELECT pg_try_advisory_lock(hashtextextended('lake:promote-plays', 0))", db="fenced") == [["t"]]
    stderr = paused.stderr.read()
    assert paused.wait() == 1, stderr
    assert "promote-plays lock's connection ended" in stderr and "run the command again" in stderr, stderr
    assert pg.sql("SELECT count(*) FROM lake_versions", db="fenced") == [["0"]]
    assert pg.sql("SELECT count(*) FROM ducklake_data_file", db="fenced") == [["0"]]
    lake("promote", "plays", "--lake", str(root), env=pg.env())
    counts = query(root, QUERIES[0], pg.env())[0]
    assert counts["n"] == counts["ids"] == len(set(ids))


def test_a_promotion_killed_after_its_commit_is_finished_by_the_next_run(pg, events, tmp_path):
    path, ids = events
    root = team_lake(pg, tmp_path / "lake", "killed")
    produce(root, path, pg.env())
    lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(root), env=pg.env())
    killed = subprocess.run([LAKE, "promote", "plays", "--lake", str(root)], capture_output=True, text=True,
                            env={**pg.env(), "LAKE_CRASH_AT": "promote:committed"})
    assert killed.returncode == -signal.SIGKILL
    assert pg.sql("SELECT state FROM lake_versions WHERE dataset = 'plays'", db="killed") == [["current"]]
    assert not (root / "staged" / "plays").exists(), "the link moves only after the commit, and the kill came between"
    again = json.loads(lake("promote", "plays", "--lake", str(root), "--format", "json", env=pg.env()).stdout)
    assert (root / "staged" / "plays").is_symlink()
    counts = query(root, QUERIES[0], pg.env())[0]
    assert counts["n"] == counts["ids"] == len(set(ids)), again


def test_a_wrong_password_and_an_unreachable_postgres_give_one_line_that_says_what_to_check(pg, tmp_path):
    pg.sql("CREATE DATABASE refused")
    url = f"postgres://lake@127.0.0.1:{pg.port}/refused"
    wrong = lake("init", "--lake", str(tmp_path / "a"), "--catalog", url, env={**os.environ, "PGPASSWORD": "not-the-password"}, check=False)
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1, wrong.stderr
    assert f"127.0.0.1:{pg.port}" in wrong.stderr and "PGPASSWORD" in wrong.stderr and "not-the-password" not in wrong.stderr
    assert not (tmp_path / "a" / "lake.json").exists(), "lake.json is written only once its catalog answers"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = lake("init", "--lake", str(tmp_path / "b"), "--catalog", f"postgres://lake@127.0.0.1:{port}/lake", env=pg.env(), check=False)
    assert down.returncode == 1 and len(down.stderr.strip().splitlines()) == 1, down.stderr
    assert f"127.0.0.1:{port}" in down.stderr and "check that PostgreSQL runs there" in down.stderr

    inline = lake("init", "--lake", str(tmp_path / "c"), "--catalog", f"postgres://lake:{PASSWORD}@127.0.0.1:{pg.port}/refused", check=False)
    assert inline.returncode == 1 and "put no password in the URL" in inline.stderr and PASSWORD not in inline.stderr

    # A team lake's folder is found by every command through its lake.json, however it is named.
    root = team_lake(pg, tmp_path / "d", "found")
    listed = lake("catalog", "list", "--format", "json", env={**pg.env(), "LAKE_HOME": str(root)})
    assert {d["name"] for d in json.loads(listed.stdout)} >= {"plays"}


@pytest.fixture(scope="module")
def s3():
    # moto 5.2 checks SigV4 wrongly for keys with `=` in them (hive folders): this one does not check.
    server = MotoServer()
    server.client("s3").create_bucket(Bucket="team")
    yield server
    server.stop()


def s3_lake(pg, s3, root, database):
    pg.sql(f"CREATE DATABASE {database}")
    env = {**s3.env(), "PGPASSWORD": PASSWORD}
    lake("init", "--lake", str(root), "--catalog", f"postgres://lake@127.0.0.1:{pg.port}/{database}",
         "--storage", f"s3://team/{database}", "--endpoint-url", s3.url, env=env)
    return root, env


def test_ingestion_lands_in_s3_exactly_once_through_an_upload_whose_commit_never_came_and_a_sigkill(pg, s3, events, tmp_path):
    path, ids = events
    root, env = s3_lake(pg, s3, tmp_path / "lake", "ons3")
    assert json.loads((root / "lake.json").read_text()) == {
        "catalog": f"postgres://lake@127.0.0.1:{pg.port}/ons3", "storage": "s3://team/ons3", "endpoint_url": s3.url}
    produce(root, path, env)
    bucket = s3.client("s3")

    def keys():
        pages = bucket.get_paginator("list_objects_v2").paginate(Bucket="team", Prefix="ons3/")
        return {o["Key"][len("ons3/"):] for page in pages for o in page.get("Contents", [])}

    args = [LAKE, "ingest", "stream", *STREAM, "--max-file-records", "300", "--lake", str(root)]
    # Killed between its uploads and their commit: objects in S3 that no catalog row names.
    killed = subprocess.run(args, capture_output=True, text=True, env={**env, "LAKE_CRASH_AT": "commit:uploaded"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    orphans = keys()
    assert orphans and pg.sql("SELECT count(*) FROM lake_files", db="ons3") == [["0"]]
    # Each partition commits on its own: the kill may also catch another's uploads half done.
    pending = {p for (p,) in pg.sql("SELECT path FROM lake_pending_uploads", db="ons3")}
    assert orphans <= pending

    # The next run deletes them, saying so, and is SIGKILLed itself once it has committed some files.
    log = open(tmp_path / "second.log", "w")
    second = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, env=env)
    deadline = time.time() + 120
    while time.time() < deadline and second.poll() is None and int(pg.sql("SELECT count(*) FROM lake_files", db="ons3")[0][0]) < 3:
        time.sleep(0.02)
    assert second.poll() is None, "the ingestion ended before it could be killed: " + (tmp_path / "second.log").read_text()
    os.kill(second.pid, signal.SIGKILL)
    second.wait()
    said = (tmp_path / "second.log").read_text()
    assert f"deleted the objects of {len(pending)} upload(s) to S3 a killed run did not commit" in said, said
    # Files are named by partition and offset, so the events land again under the same keys: an
    # object left in place would have refused its PUT (If-None-Match: *) and failed the run.

    lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(root), env=env)
    committed = {p for (p,) in pg.sql("SELECT path FROM lake_files", db="ons3")}
    assert keys() == committed, "every object is a committed file, and every committed file is there"
    assert pg.sql("SELECT count(*) FROM lake_pending_uploads", db="ons3") == [["0"]]
    landed = [json.loads(line)["value"]["event_id"] for key in committed if key.startswith("raw/")
              for line in gzip.decompress(bucket.get_object(Bucket="team", Key="ons3/" + key)["Body"].read()).splitlines()]
    assert sorted(landed) == sorted(ids)
    assert not list(root.rglob("*.ndjson.gz")), "nothing lands on this machine's disk"

    # lake query reads raw from S3 and agrees.
    counts = query(root, "SELECT count(*) AS n, count(DISTINCT value->>'event_id') AS ids FROM raw.plays", env)[0]
    assert counts == {"n": len(ids), "ids": len(set(ids))}


def test_two_machines_land_and_promote_in_one_s3_lake_at_once_through_dropped_connections_and_each_event_lands_once(pg, s3, events, tmp_path):
    path, ids = events
    pg.sql("CREATE DATABASE shared")
    env = {**s3.env(), "PGPASSWORD": PASSWORD}
    # Two working folders stand in for two hosts: each has its own embedded log and _tmp/, and
    # shares only the catalog and the bucket.
    machines = [tmp_path / "host-a", tmp_path / "host-b"]
    lines = path.read_bytes().splitlines(keepends=True)
    commands = []
    for k, machine in enumerate(machines):
        lake("init", "--lake", str(machine), "--catalog", f"postgres://lake@127.0.0.1:{pg.port}/shared",
             "--storage", "s3://team/shared", "--endpoint-url", s3.url, env=env)
        subprocess.run([LAKE, "produce", f"listens_{k}", "--lake", str(machine), "--key", "user_id"], input=b"".join(lines[k::2]),
                       check=True, capture_output=True, env=env)
        commands.append([LAKE, "ingest", "stream", f"listens_{k}", *STREAM[1:], "--until-idle", "--max-file-records", "200",
                         "--lake", str(machine)])

    # The server drops lake's catalog connections twice a second while both land and one promotes
    # (looking often until it dropped the first).
    stop, dropped = threading.Event(), []

    def drop_connections():
        while not stop.is_set():
            rows = pg.sql("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'lake' AND datname = 'shared') t", db="shared")
            dropped.append(int(rows[0][0]))
            stop.wait(0.5 if sum(dropped) else 0.05)

    def start(command):
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)

    dropper = threading.Thread(target=drop_connections)
    dropper.start()
    try:
        running = [start(c) for c in commands]
        reruns = 0
        while any(running):
            # Host B promotes while both land; a run failed by a dropped connection runs again.
            lake("promote", "plays", "--quiet", "--lake", str(machines[1]), env=env, check=False)
            for k, p in enumerate(running):
                if p and p.poll() is not None:
                    err = p.stderr.read()
                    if p.returncode != 0 and "Catalog error" in err and reruns < 20:
                        running[k], reruns = start(commands[k]), reruns + 1
                    else:
                        assert p.returncode == 0, err
                        running[k] = None
    finally:
        stop.set()
        dropper.join()
    assert sum(dropped) > 0, "the server never dropped a lake connection"
    lake("promote", "plays", "--lake", str(machines[0]), env=env)

    committed = {p for (p,) in pg.sql("SELECT path FROM lake_files", db="shared")}
    pages = s3.client("s3").get_paginator("list_objects_v2").paginate(Bucket="team", Prefix="shared/")
    current = pg.sql("SELECT folder FROM lake_versions WHERE state = 'current'", db="shared")[0][0]
    objects = {o["Key"][len("shared/"):] for page in pages for o in page.get("Contents", [])}
    assert {o for o in objects if not o.startswith("_versions/")} == {p for p in committed if not p.startswith("staged/")}
    assert {current + "/" + p[len("staged/plays/"):] for p in committed if p.startswith("staged/")} <= objects
    for machine in machines:
        counts = query(machine, "SELECT count(*) AS n, count(DISTINCT value->>'event_id') AS ids FROM raw.plays", env)[0]
        assert counts == {"n": len(ids), "ids": len(set(ids))}
        staged = query(machine, QUERIES[0], env)[0]
        assert staged["n"] == staged["ids"] == len(set(ids))


def test_a_wrong_s3_secret_fails_init_in_one_line_that_says_what_to_check_and_writes_no_lake_json(pg, signed_moto, tmp_path):
    pg.sql("CREATE DATABASE badkey")
    root = tmp_path / "lake"
    args = ["init", "--lake", str(root), "--catalog", f"postgres://lake@127.0.0.1:{pg.port}/badkey",
            "--storage", "s3://team-lake/lake", "--endpoint-url", signed_moto.url]
    started = time.time()
    bad = lake(*args, env={**signed_moto.env(signed_moto.key[0], "wrong-secret-value"), "PGPASSWORD": PASSWORD}, check=False)
    assert bad.returncode == 1 and time.time() - started < 10, "refused at once, not retried"
    assert len(bad.stderr.strip().splitlines()) == 1 and signed_moto.key[0] in bad.stderr and "secret" in bad.stderr, bad.stderr
    assert "wrong-secret-value" not in bad.stderr + bad.stdout
    assert not (root / "lake.json").exists()
    lake(*args, env={**signed_moto.env(*signed_moto.key), "PGPASSWORD": PASSWORD})
    assert json.loads((root / "lake.json").read_text())["storage"] == "s3://team-lake/lake"


def test_retention_deletes_expired_partitions_from_s3_with_their_catalog_rows(pg, s3, tmp_path):
    import datetime
    root, env = s3_lake(pg, s3, tmp_path / "lake", "aging")
    lake("catalog", "register", str(REPO / "Tests" / "Integration" / "fixtures" / "governed.json"), "--lake", str(root), env=env)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    events = [{"id": f"e{i}", "user_id": f"u{i % 7}", "n": i, "region": ["SE", "US"][i % 2],
               "at": f"{today - datetime.timedelta(days=[45, 0][(i // 2) % 2])}T0{i % 10}:00:00Z"}
              for i in range(40)]
    subprocess.run([LAKE, "produce", "events", "--lake", str(root)], input="".join(json.dumps(e) + "\n" for e in events).encode(),
                   check=True, capture_output=True, env=env)
    lake("ingest", "stream", "events", "--dataset", "events", "--time-field", "at", "--region-field", "region", "--until-idle",
         "--lake", str(root), env=env)
    old = f"dt={today - datetime.timedelta(days=45)}"
    bucket = s3.client("s3")

    def keys():
        pages = bucket.get_paginator("list_objects_v2").paginate(Bucket="team", Prefix="aging/")
        return {o["Key"][len("aging/"):] for page in pages for o in page.get("Contents", [])}

    before = keys()
    expired = {k for k in before if old in k}
    assert expired and expired != before
    out = json.loads(lake("retention", "--apply", "--lake", str(root), "--format", "json", env=env).stdout)
    assert out["deleted_files"] == len(expired)
    assert keys() == before - expired
    assert {p for (p,) in pg.sql("SELECT path FROM lake_files", db="aging")} == before - expired
    kept = sum(1 for e in events if not e["at"].startswith(str(today - datetime.timedelta(days=45))))
    assert query(root, "SELECT count(*) AS n FROM raw.events", env)[0]["n"] == kept


def test_governance_lists_an_s3_lakes_objects_and_finds_a_stray_and_a_damaged_one(pg, s3, events, tmp_path):
    path, ids = events
    root, env = s3_lake(pg, s3, tmp_path / "lake", "governed")
    produce(root, path, env)
    lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(root), env=env)

    def findings(*extra):
        report = json.loads(lake("governance", "--lake", str(root), "--format", "json", *extra, env=env, check=False).stdout)
        return {(f["rule"], f["path"]) for f in report["findings"] if f["category"] in ("integrity", "uncataloged")}

    assert not {f for f in findings("--verify") if f[0] != "dataset-without-contract"}
    bucket = s3.client("s3")
    committed = sorted(p for (p,) in pg.sql("SELECT path FROM lake_files WHERE zone = 'raw'", db="governed"))
    stray = committed[0].rsplit("/", 1)[0] + "/dropped-by-hand.ndjson.gz"
    bucket.put_object(Bucket="team", Key="governed/" + stray, Body=gzip.compress(b'{"x": 1}\n'))
    # Same size, other bytes: only --verify, which reads each object whole, can tell.
    damaged = committed[1]
    body = bucket.get_object(Bucket="team", Key="governed/" + damaged)["Body"].read()
    bucket.delete_object(Bucket="team", Key="governed/" + damaged)
    bucket.put_object(Bucket="team", Key="governed/" + damaged, Body=bytes(len(body)))
    found = findings("--verify")
    assert ("uncataloged-file", stray) in found, found
    assert ("checksum-mismatch", damaged) in found and ("corrupt-gzip", damaged) in found, found


def test_promotion_on_s3_answers_as_a_local_lake_through_a_kill_between_its_uploads_and_its_commit(pg, s3, events, tmp_path):
    path, ids = events
    root, env = s3_lake(pg, s3, tmp_path / "lake", "promoted")
    local = tmp_path / "local"
    lake("init", "--lake", str(local))
    lines = path.read_bytes().splitlines(keepends=True)
    half = len(lines) // 2
    bucket = s3.client("s3")

    def keys():
        pages = bucket.get_paginator("list_objects_v2").paginate(Bucket="team", Prefix="promoted/")
        return {o["Key"][len("promoted/"):] for page in pages for o in page.get("Contents", [])}

    for k, batch in enumerate((lines[:half], lines[half:])):
        for where, e in ((root, env), (local, None)):
            subprocess.run([LAKE, "produce", "listens", "--lake", str(where), "--key", "user_id"], input=b"".join(batch),
                           check=True, capture_output=True, env=e)
            lake("ingest", "stream", *STREAM, "--until-idle", "--lake", str(where), env=e)
        if k == 0:
            # Killed after its version and quarantine went up, before the commit that names them.
            killed = subprocess.run([LAKE, "promote", "plays", "--lake", str(root)], capture_output=True, text=True,
                                    env={**env, "LAKE_CRASH_AT": "publish:uploaded"})
            assert killed.returncode == -signal.SIGKILL, killed.stderr
            assert any(key.startswith("_versions/staged/plays/") for key in keys())
            assert pg.sql("SELECT count(*) FROM lake_versions", db="promoted") == [["0"]]
        out = lake("promote", "plays", "--lake", str(root), env=env)
        if k == 0:
            assert "a killed run did not commit" in out.stderr + out.stdout, out.stderr
        lake("promote", "plays", "--lake", str(local))

    # The second promotion kept the first's files: every live file is in the current version's folder.
    live = {p for (p,) in pg.sql("SELECT path FROM ducklake_data_file WHERE end_snapshot IS NULL", db="promoted")}
    current = pg.sql("SELECT folder FROM lake_versions WHERE state = 'current'", db="promoted")[0][0]
    version = current.rsplit("/", 1)[1]
    assert live and all(p.startswith(version + "/") for p in live), (current, sorted(live)[:3])
    assert {current + p[len(version):] for p in live} <= keys()
    assert pg.sql("SELECT count(*) FROM lake_pending_uploads", db="promoted") == [["0"]]
    for sql in QUERIES[:2] + ["SELECT count(*) AS n, sum(ms_played) AS ms FROM staged.plays AT (VERSION => 1)"]:
        assert query(root, sql, env) == query(local, sql, None), sql
    counts = query(root, QUERIES[0], env)[0]
    assert counts["n"] == counts["ids"] == len(set(ids))
    assert not list(root.rglob("*.parquet")) and not list(root.rglob("*.ndjson.gz")), "nothing stays on this machine"

    # Curated models read the staged objects and write their own; PII is masked with the team's key.
    refused = lake("promote", "--all", "--lake", str(root), env=env, check=False)
    assert refused.returncode != 0 and "LAKE_PII_KEY_FILE" in refused.stderr, refused.stderr
    key = tmp_path / "team.key"
    key.write_text("ab" * 32 + "\n")
    for where, e in ((root, env), (local, None)):
        lake("promote", "--all", "--lake", str(where), env={**(e or os.environ), "LAKE_PII_KEY_FILE": str(key)})
    assert query(root, QUERIES[2], env) == query(local, QUERIES[2], None) and query(root, QUERIES[2], env)[0]["n"] > 0
    assert not list(root.rglob("*.parquet")), "nothing stays on this machine"

    # lake optimize merges the staged objects into a new version, through a kill before its commit.
    killed = subprocess.run([LAKE, "optimize", "plays", "--lake", str(root)], capture_output=True, text=True,
                            env={**env, "LAKE_CRASH_AT": "publish:uploaded"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    before = query(root, QUERIES[0], env)
    [optimized] = json.loads(lake("optimize", "plays", "--lake", str(root), "--format", "json", env=env).stdout)
    assert any("a killed run did not commit" in n for n in optimized["notes"]), optimized
    assert optimized["files_after"] < optimized["files_before"], optimized
    lake("optimize", "plays", "--lake", str(local))
    assert query(root, QUERIES[0], env) == before == query(local, QUERIES[0], None)
    live = pg.sql("SELECT count(*) FROM ducklake_data_file f JOIN ducklake_table t USING (table_id) "
                  "WHERE f.end_snapshot IS NULL AND t.end_snapshot IS NULL AND t.table_name = 'plays'", db="promoted")
    assert int(live[0][0]) == optimized["files_after"]
    assert pg.sql("SELECT count(*) FROM lake_pending_uploads", db="promoted") == [["0"]]
    assert not list(root.rglob("*.parquet")), "nothing stays on this machine"

    # DuckDB attaches the same catalog with its httpfs on the same bucket, and agrees.
    sqls = [QUERIES[0], "SELECT count(*) AS n, sum(ms_played) AS ms FROM staged.plays AT (VERSION => 1)"]
    for sql, rows in zip(sqls, duckdb_on_postgres_and_s3(pg, "promoted", s3.port, sqls)):
        assert rows == [list(r.values()) for r in query(root, sql, env)], sql

    # Vacuum deletes the retired versions' objects; the current ones still answer.
    retired = [f for (f,) in pg.sql("SELECT folder FROM lake_versions WHERE state = 'retired'", db="promoted")]
    assert retired and all(any(k.startswith(f + "/") for k in keys()) for f in retired)
    lake("vacuum", "--retain-hours", "0", "--lake", str(root), env=env)
    assert not any(k.startswith(f + "/") for f in retired for k in keys())
    assert query(root, QUERIES[0], env)[0]["n"] == len(set(ids))
    assert query(root, QUERIES[2], env) == query(local, QUERIES[2], None)


def test_api_ingestion_lands_in_s3_and_a_sigkilled_run_resumes_with_every_page_once(pg, s3, simulator_factory, tmp_path):
    # Slow answers stretch the run so the kill lands part-way.
    sim = simulator_factory("--scale", "0.5", "--faults", "slow=0.5")
    root, env = s3_lake(pg, s3, tmp_path / "lake", "pages")
    env = {**sim.env(), **env, "SPOTIFY_CLIENT_ID": sim.info["client_id"], "SPOTIFY_CLIENT_SECRET": sim.info["client_secret"]}
    args = ["ingest", "spotify", "--lake", str(root), "--markets", "SE,US,GB", "--concurrency", "3", "--max-file-records", "2",
            *sim.spotify_args()]
    first = subprocess.Popen([LAKE, *args, "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and first.poll() is None and int(pg.sql("SELECT count(*) FROM lake_files", db="pages")[0][0]) < 3:
        time.sleep(0.02)
    assert first.poll() is None, "the ingestion finished before it could be killed"
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    resumed = lake(*args, env=env)
    assert "Resumed ingestion #1" in resumed.stdout

    clean = tmp_path / "clean"
    lake("init", "--lake", str(clean))
    lake("ingest", "spotify", "--lake", str(clean), "--markets", "SE,US,GB", "--quiet", *sim.spotify_args(), env=sim.env())
    for dataset in ("new_albums", "album_tracks"):
        sql = f"SELECT _meta->>'region' AS region, count(*) AS pages, sum(CAST(_meta->>'records' AS BIGINT)) AS records FROM raw.{dataset} GROUP BY ALL ORDER BY region"
        assert query(root, sql, env) == query(clean, sql, sim.env()), dataset
    pages = s3.client("s3").get_paginator("list_objects_v2").paginate(Bucket="team", Prefix="pages/")
    assert {o["Key"][len("pages/"):] for page in pages for o in page.get("Contents", [])} \
        == {p for (p,) in pg.sql("SELECT path FROM lake_files", db="pages")}


def test_exports_put_into_s3_are_adopted_from_their_objects_and_promote_as_on_a_local_lake(pg, s3, tmp_path):
    from test_bare_records import CONTRACT, orders
    root, env = s3_lake(pg, s3, tmp_path / "lake", "adopted")
    contract = tmp_path / "orders.json"
    contract.write_text(json.dumps(CONTRACT))
    lake("catalog", "register", str(contract), "--lake", str(root), env=env)
    bucket = s3.client("s3")
    folder = "raw/exports/orders/dt=2026-11-01/region=SE"
    # An exporter's files, as Python's gzip + json and a plain NDJSON writer leave them in a bucket.
    bucket.put_object(Bucket="team", Key=f"adopted/{folder}/part-0.ndjson.gz",
                      Body=gzip.compress("".join(json.dumps(o) + "\n" for o in orders(0, 30)).encode()))
    bucket.put_object(Bucket="team", Key=f"adopted/{folder}/part-1.ndjson",
                      Body="".join(json.dumps(o) + "\n" for o in orders(30, 12)).encode())
    missing = lake("catalog", "adopt", "raw/exports/nothing", "--dataset", "orders", "--lake", str(root), env=env, check=False)
    assert missing.returncode != 0 and "s3://team/adopted/raw/exports/nothing" in missing.stderr, missing.stderr
    adopted = json.loads(lake("catalog", "adopt", f"s3://team/adopted/{folder}", "--dataset", "orders", "--lake", str(root),
                              "--format", "json", env=env).stdout)
    assert sorted(f["path"] for f in adopted["files"]) == [f"{folder}/part-0.ndjson.gz", f"{folder}/part-1.ndjson"]
    assert adopted["rows"] == 42
    again = lake("catalog", "adopt", "raw/exports", "--dataset", "orders", "--lake", str(root), env=env, check=False)
    assert again.returncode != 0 and "nothing to adopt" in again.stderr, again.stderr
    findings = json.loads(lake("governance", "--lake", str(root), "--format", "json", "--verify", env=env, check=False).stdout)
    assert not [f for f in findings["findings"] if f.get("path", "").startswith(folder)], findings

    report = json.loads(lake("promote", "orders", "--lake", str(root), "--format", "json", env=env).stdout)["promotions"][0]
    assert report["records"] == 42 and report["staged"] == 42 and report["quarantined"] == 0, report
    got = query(root, "SELECT region, count(*) AS n, sum(amount) AS total, count(_page) AS pages FROM staged.orders GROUP BY region", env)
    assert got == [{"region": "SE", "n": 42, "total": sum(o["amount"] for o in orders(0, 42)), "pages": 0}]
    audit = json.loads(lake("catalog", "audit", "--lake", str(root), "--format", "json", env=env).stdout)
    assert audit[0]["action"] == "adopt" and audit[0]["files"] == 2, audit
    assert not list(root.rglob("*.parquet")) and not list(root.rglob("*.ndjson*")), "nothing stays on this machine"


def test_a_postgres_capture_lands_in_s3_and_promotes_its_current_state_and_history_as_on_a_local_lake(pg, s3, tmp_path):
    pg.sql("CREATE DATABASE shop")
    pg.sql("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(8,2));"
           "INSERT INTO items SELECT i, 'item ' || i, i * 1.5 FROM generate_series(1, 50) i;", db="shop")
    root, env = s3_lake(pg, s3, tmp_path / "lake", "captured")
    local = tmp_path / "local"
    lake("init", "--lake", str(local))
    source = f"postgres://lake@127.0.0.1:{pg.port}/shop"

    def capture(where, slot, e):
        lake("ingest", "cdc", source, "--tables", "items", "--slot", slot, "--publication", slot, "--until-idle",
             "--lake", str(where), env={**(e or os.environ), "PGPASSWORD": PASSWORD})

    for step in ("UPDATE items SET price = price * 2 WHERE id <= 10; DELETE FROM items WHERE id > 45;",
                 "INSERT INTO items VALUES (99, 'late', 9.99); UPDATE items SET name = 'renamed' WHERE id = 3;"):
        capture(root, "on_s3", env)
        capture(local, "on_disk", None)
        for where, e in ((root, env), (local, None)):
            lake("promote", "items", "--history", "--lake", str(where), env=e)
        pg.sql(step, db="shop")
    capture(root, "on_s3", env)
    capture(local, "on_disk", None)
    for where, e in ((root, env), (local, None)):
        lake("promote", "items", "--history", "--lake", str(where), env=e)

    sqls = ["SELECT id, name, price, _op FROM staged.items ORDER BY id",
            "SELECT id, name, price, is_current FROM staged.items_history ORDER BY id, valid_from",
            "SELECT count(*) AS n FROM staged.items AT (VERSION => 1)"]
    for sql in sqls:
        assert query(root, sql, env) == query(local, sql, None), sql
    expected = pg.sql("SELECT id, name FROM items ORDER BY id", db="shop")
    assert [[str(r["id"]), r["name"]] for r in query(root, sqls[0], env)] == expected
    assert not list(root.rglob("*.parquet")) and not list(root.rglob("*.ndjson.gz")), "nothing stays on this machine"
