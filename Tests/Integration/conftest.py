"""Drives the real `lake` binary: simulators on 127.0.0.1, lakes in temp folders, and
outside readers (DuckDB, sqlite3) checking what it wrote."""
import gzip
import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAKE = os.environ.get("LAKE_BIN") or str(REPO / ".build" / "debug" / "lake")


class Simulator:
    def __init__(self, *args):
        self.proc = subprocess.Popen([LAKE, "simulator", "spotify", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.info = json.loads(self.proc.stdout.readline())
        self.url = self.info["url"]

    def env(self):
        return {**os.environ, "SPOTIFY_CLIENT_ID": self.info["client_id"],
                "SPOTIFY_CLIENT_SECRET": self.info["client_secret"]}

    def spotify_args(self):
        # The shipped declarations pace requests for Spotify's real rolling window; the
        # simulator keeps none unless asked (--faults window=N).
        return ["--api-base", self.info["api_base"], "--token-url", self.info["token_url"],
                "--requests-per-window", "1000000"]

    def totals(self, markets):
        import urllib.request
        with urllib.request.urlopen(f"{self.url}/_simulator/totals?markets={','.join(markets)}") as r:
            return json.load(r)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def simulator_factory():
    started = []

    def start(*args):
        sim = Simulator(*args)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(simulator_factory):
    return simulator_factory("--scale", "0.5")


def lake(*args, env=None, check=True, cwd=None):
    """Runs lake; returns the CompletedProcess."""
    result = subprocess.run([LAKE, *args], capture_output=True, text=True, env=env, cwd=cwd or REPO, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"lake {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def catalog(root):
    return sqlite3.connect(f"file:{root}/catalog.sqlite?mode=ro", uri=True)


def committed_files(root):
    """Files the catalog has committed so far (0 before the catalog exists)."""
    try:
        return catalog(root).execute("SELECT count(*) FROM lake_files").fetchone()[0]
    except Exception:
        return 0


def raw_pages(root):
    """Every raw line as (dataset, region, scope, page, body as canonical JSON)."""
    import gzip
    pages = []
    for path in sorted(Path(root, "raw").rglob("*.ndjson.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                meta = row["_meta"]
                pages.append((meta["dataset"], meta["region"], meta["scope"], meta["page"],
                              json.dumps(row["body"], sort_keys=True)))
    return sorted(pages)


def describe_difference(a, b):
    """Which (dataset, scope, page) keys one side has more of, for assertion messages."""
    from collections import Counter
    ka, kb = Counter(p[:4] for p in a), Counter(p[:4] for p in b)
    return {"only_or_more_in_first": list((ka - kb).items())[:5], "only_or_more_in_second": list((kb - ka).items())[:5]}


@pytest.fixture
def redis_port():
    """A real redis-server on a free loopback port, stopped after the test."""
    import shutil
    import socket
    import time
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: run scripts/setup")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=5)


def redis(port, *args):
    """One Redis command over a raw socket; returns the first reply line."""
    import socket
    with socket.create_connection(("127.0.0.1", port)) as c:
        out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(str(a)), str(a).encode()) for a in args)
        c.sendall(out)
        return c.recv(65536).split(b"\r\n")[0].decode()


def land_events(root, topic, events, tmp_path, name="batch", *ingest_args):
    """Produces `events` to the embedded log's `topic` and ingests them into the dataset of
    the same name, partitioned by their `at` time and `region`."""
    path = tmp_path / f"{name}.ndjson"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    with open(path, "rb") as f:
        subprocess.run([LAKE, "produce", topic, "--lake", str(root)], stdin=f, check=True, capture_output=True)
    lake("ingest", "stream", topic, "--dataset", topic, "--time-field", "at", "--region-field", "region",
         "--until-idle", *ingest_args, "--lake", str(root))


def raw_lines(root, source, dataset):
    """Every line of a dataset's raw files, decoded, in file-name order."""
    lines = []
    for path in sorted(Path(root, "raw", source, dataset).rglob("*.ndjson.gz")):
        with gzip.open(path, "rt") as f:
            lines += [json.loads(l) for l in f]
    return lines


@pytest.fixture(scope="module")
def pg():
    """A throwaway PostgreSQL cluster, one per test module."""
    from pg_server import PostgresServer
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def signed_moto():
    """moto checking every request's SigV4 signature, with bucket `team-lake`: four calls without
    auth make the user, its key and policy, and the bucket."""
    from moto_server import MotoServer
    server = MotoServer(no_auth_calls=4)
    iam = server.client("iam")
    iam.create_user(UserName="lake")
    key = iam.create_access_key(UserName="lake")["AccessKey"]
    iam.put_user_policy(UserName="lake", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    server.key = (key["AccessKeyId"], key["SecretAccessKey"])
    server.client("s3", *server.key).create_bucket(Bucket="team-lake")
    yield server
    server.stop()


DUCKDB_ON_POSTGRES_AND_S3 = """
import json, sys
sys.path.insert(0, {integration!r})
from ducklake_client import connect, extension_file, plain, renamed_extension
import duckdb_extension_httpfs, duckdb_extension_postgres_scanner
con = connect()
con.execute(f"LOAD '{{renamed_extension(duckdb_extension_postgres_scanner, 'postgres', 'postgres_scanner')}}'")
con.execute(f"LOAD '{{extension_file(duckdb_extension_httpfs, 'httpfs')}}'")
con.execute("CREATE SECRET (TYPE s3, KEY_ID 'testing', SECRET 'testing', REGION 'us-east-1', ENDPOINT '127.0.0.1:{s3_port}', URL_STYLE 'path', USE_SSL false)")
con.execute("ATTACH 'ducklake:postgres:dbname={database} host=127.0.0.1 port={pg_port} user=lake password={password}' AS lake (READ_ONLY)")
con.execute("USE lake")
out = []
for sql in json.load(sys.stdin):
    try:
        out.append([[plain(v) for v in row] for row in con.execute(sql).fetchall()])
    except Exception as e:
        out.append({{"error": str(e)}})
print(json.dumps(out))
"""


def duckdb_on_postgres_and_s3(pg, database, s3_port, queries):
    """DuckDB 1.5 attached to a DuckLake catalog in PostgreSQL with its data on S3 (moto, keys
    testing/testing) through httpfs: per query, its rows or {"error": …}."""
    from pg_server import PASSWORD
    script = DUCKDB_ON_POSTGRES_AND_S3.format(integration=str(REPO / "Tests" / "Integration"), database=database, pg_port=pg.port,
                                              password=PASSWORD, s3_port=s3_port)
    out = subprocess.run([str(REPO / ".venv-ducklake" / "bin" / "python"), "-c", script], input=json.dumps(queries),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
