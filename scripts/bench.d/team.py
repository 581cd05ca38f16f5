"""scripts/bench team: a team's lake (catalog in PostgreSQL, files in S3) beside the same lake
on this disk (ingest, promote, the query set), and `lake query` on the S3 objects beside
DuckDB's httpfs on the same objects.

N realistic listening events (`lake simulator events --shape realistic`, 500,000 by default:
moto is slow) are landed and promoted on a local lake, then moved with
`lake migrate --to-storage s3://… --to-catalog postgres://… --to-lake DIR` to moto (S3 in
server mode) and a throwaway PostgreSQL 15. Each query then runs as a fresh process: lake on
the local lake, lake on the team lake (the S3 GETs it sent, from --stats), and DuckDB 1.5
attached to the same catalog with `ducklake:postgres` and DATA_PATH on the same bucket, through
httpfs. Best of --runs; wall time from GNU time."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import land_realistic, timed
from query import QUERIES

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Integration"))
from moto_server import MotoServer  # noqa: E402
from pg_server import PASSWORD, PostgresServer  # noqa: E402

BUCKET = "team-bench"

DUCKDB = """
import sys
sys.path.insert(0, {integration!r})
from ducklake_client import connect, extension_file, renamed_extension
import duckdb_extension_httpfs, duckdb_extension_postgres_scanner
con = connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
con.execute(f"LOAD '{{renamed_extension(duckdb_extension_postgres_scanner, 'postgres', 'postgres_scanner')}}'")
con.execute(f"LOAD '{{extension_file(duckdb_extension_httpfs, 'httpfs')}}'")
con.execute("CREATE SECRET (TYPE s3, KEY_ID 'testing', SECRET 'testing', REGION 'us-east-1', ENDPOINT '127.0.0.1:{s3_port}', URL_STYLE 'path', USE_SSL false)")
con.execute("ATTACH 'ducklake:postgres:dbname=postgres host=127.0.0.1 port={pg_port} user=lake password={password}' AS lake (READ_ONLY)")
con.execute("USE lake")
print(len(con.execute(sys.stdin.read()).fetchall()))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lake = args.lake_bin
    work = Path(tempfile.mkdtemp(prefix="lake-bench-team-"))
    moto, pg = MotoServer(), PostgresServer()
    try:
        moto.client("s3").create_bucket(Bucket=BUCKET)
        env = {**moto.env(), "PGPASSWORD": PASSWORD}
        print(f"bench: ingesting {args.events:,} events into a local lake and into S3 + PostgreSQL…", file=sys.stderr)
        ingest, promote = {}, {}
        pg.sql("CREATE DATABASE ingest")
        for name, extra in (("local", []), ("S3", ["--catalog", f"postgres://lake@127.0.0.1:{pg.port}/ingest",
                                                  "--storage", f"s3://{BUCKET}/ingest", "--endpoint-url", moto.url])):
            where = work / f"ingest-{name}"
            subprocess.run([lake, "init", "--lake", str(where), *extra], check=True, capture_output=True, env=env, cwd=REPO)
            gen = subprocess.Popen([lake, "simulator", "events", "--shape", "realistic", "--count", str(args.events)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            subprocess.run([lake, "produce", "plays", "--lake", str(where), "--key", "user_id", "--partitions", "8"],
                           stdin=gen.stdout, check=True, capture_output=True, env=env)
            gen.wait()
            ingest[name] = timed([lake, "ingest", "stream", "plays", "--lake", str(where), "--dataset", "plays", "--until-idle",
                                  "--time-field", "played_at", "--region-field", "region", "--quiet"], env=env, cwd=REPO)[0]
            promote[name] = timed([lake, "promote", "plays", "--lake", str(where), "--quiet"], env=env, cwd=REPO)[0]
            shutil.rmtree(where)
        print(f"bench: landing and promoting {args.events:,} events on a local lake…", file=sys.stderr)
        root = land_realistic(lake, work / "lake", args.events, REPO)
        promote_s = timed([lake, "promote", "plays", "--lake", str(root), "--quiet"], cwd=REPO)[0]
        team = work / "team"
        started = time.perf_counter()
        report = json.loads(subprocess.run([lake, "migrate", "--lake", str(root), "--to-storage", f"s3://{BUCKET}/lake",
                                            "--to-catalog", pg.url, "--endpoint-url", moto.url, "--to-lake", str(team),
                                            "--format", "json", "--quiet"], check=True, capture_output=True, text=True, env=env).stdout)
        migrate_s = time.perf_counter() - started
        duck = DUCKDB.format(integration=str(REPO / "Tests" / "Integration"), s3_port=moto.port, pg_port=pg.port, password=PASSWORD)
        python = str(REPO / ".venv-ducklake" / "bin" / "python")
        results = []
        for name, sql in QUERIES:
            if "curated." in sql:
                continue
            best = {}
            for _ in range(args.runs):
                local = timed([lake, "query", "--lake", str(root), "--format", "csv", sql], env=env)
                out = subprocess.run(["/usr/bin/time", "-f", "%e", lake, "query", "--lake", str(team), "--format", "csv", "--stats", sql],
                                     capture_output=True, text=True, env=env)
                if out.returncode != 0:
                    sys.exit(f"lake query on the team lake failed: {out.stderr[-2000:]}")
                lines = out.stderr.strip().splitlines()
                on_s3 = (float(lines[-1]), int(lines[-2].split(" GET")[0].rsplit(", ", 1)[1]), out.stdout)
                with tempfile.TemporaryFile("w+") as f:
                    f.write(sql)
                    f.seek(0)
                    duckdb = timed([python, "-c", duck], stdin=f, env=env)
                rows = len(local[3].strip().splitlines()) - 1
                assert rows == len(on_s3[2].strip().splitlines()) - 1 == int(duckdb[3].strip()), f"{name}: the answers differ in rows"
                assert on_s3[2] == local[3], f"{name}: lake on S3 answers differently from lake on disk"
                best["local"] = min(best.get("local", 1e9), local[0])
                best["s3"] = min(best.get("s3", (1e9, 0)), (on_s3[0], on_s3[1]))
                best["duckdb"] = min(best.get("duckdb", 1e9), duckdb[0])
            results.append((name, rows, best))
            print(f"bench: {name}: local {best['local']:.2f} s, S3 {best['s3'][0]:.2f} s ({best['s3'][1]} GETs), "
                  f"DuckDB httpfs {best['duckdb']:.2f} s", file=sys.stderr)
        files = int(pg.sql("SELECT count(*) FROM ducklake_data_file WHERE end_snapshot IS NULL")[0][0])
        print(f"scripts/bench team: {args.events:,} realistic events; local promote {promote_s:.1f} s; migrate to moto + PostgreSQL "
              f"{migrate_s:.1f} s ({report['files']} files, {report['bytes'] / 2**20:.0f} MiB); {files} live Parquet files; "
              f"fresh process per query, best of {args.runs}; DuckDB threads = 2")
        print(f"lake ingest stream of {args.events:,} events: local lake {ingest['local']:.1f} s, S3 + PostgreSQL {ingest['S3']:.1f} s; "
              f"lake promote: local {promote['local']:.1f} s, S3 + PostgreSQL {promote['S3']:.1f} s")
        print(f"{'query':<32} {'rows':>5} | {'local s':>7} | {'S3 s':>6} {'GETs':>5} | {'httpfs s':>8} | {'S3/httpfs':>9}")
        for name, rows, b in results:
            print(f"{name:<32} {rows:>5} | {b['local']:7.2f} | {b['s3'][0]:6.2f} {b['s3'][1]:5d} | {b['duckdb']:8.2f} | {b['s3'][0] / b['duckdb']:8.2f}×")
        worst = max(b["s3"][0] / b["duckdb"] for _, _, b in results)
        print(f"target: lake query on S3 at or under DuckDB httpfs's time — worst {worst:.2f}×: {'met' if worst <= 1 else 'NOT met'}")
    finally:
        moto.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
