"""CDC throughput: lake ingest cdc (raw, Debezium envelopes, exactly once) beside pg_recvlogical
writing the same changes from its own pgoutput slot to a file: the server's own decoding
ceiling. The workload has the shape of a listening log: 22-character track ids, UUID users,
skewed regions; changes come in 1,000-row transactions, 70% inserts, 20% updates, 10% deletes.
Then `lake promote pg_plays` (the shipped contracts have a `plays` already) (the changes applied to the table's current state, Parquet) beside
DuckDB (Python duckdb, 2 threads, a fresh process) computing the same current state from lake's
raw changes: the latest change per key, deletes removed, written as Parquet. Both answers are
checked against PostgreSQL's row count."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import timed

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Integration"))

# The workload runs in one session, so a change's own LSN orders it as its commit does.
DUCKDB_STATE = """
import duckdb
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
con.execute(\"\"\"
COPY (
  SELECT unnest(after) FROM (
    SELECT value.op AS op, value.after AS after,
           row_number() OVER (PARTITION BY coalesce(value.after.id, value.before.id) ORDER BY value.source.lsn DESC) AS newest
    FROM read_json('{raw}/**/*.ndjson.gz', hive_partitioning = false, columns = {{
        value: 'STRUCT(before STRUCT(id BIGINT), after STRUCT(id BIGINT, user_id UUID, track_id VARCHAR, region VARCHAR,
                       ms_played INTEGER, played_at TIMESTAMPTZ, device VARCHAR), op VARCHAR, source STRUCT(lsn BIGINT))'}})
  ) WHERE newest = 1 AND op <> 'd'
) TO '{out}' (FORMAT parquet)
\"\"\")
print(con.execute("SELECT count(*) FROM read_parquet('{out}')").fetchone()[0])
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--changes", type=int, default=1_000_000)
    args = parser.parse_args()
    from pg_server import BIN, PostgresServer
    pg = PostgresServer()
    work = Path(tempfile.mkdtemp(prefix="lake-bench-cdc-"))
    try:
        pg.sql("""CREATE TABLE plays (id bigint PRIMARY KEY, user_id uuid, track_id text, region text, ms_played int,
                                      played_at timestamptz, device text)""")
        root = work / "lake"
        subprocess.run([args.lake_bin, "init", "--lake", str(root)], check=True, capture_output=True)
        cdc = [args.lake_bin, "ingest", "cdc", pg.url, "--tables", "plays", "--lake", str(root), "--until-idle",
               "--slot", "bench", "--publication", "bench", "--region-column", "region", "--quiet",
               "--dataset-prefix", "pg_", *os.environ.get("LAKE_CDC_ARGS", "").split()]
        subprocess.run(cdc, check=True, capture_output=True, env=pg.env())      # the slot, and an empty snapshot
        pg.sql("SELECT pg_create_logical_replication_slot('recv', 'pgoutput')")
        transactions = max(1, args.changes // 1000)
        script = work / "workload.sql"
        with open(script, "w") as f:
            for t in range(transactions):
                base = t * 700
                f.write(f"""BEGIN;
INSERT INTO plays SELECT {base} + i, md5(({base} + i)::text)::uuid,
    substr(encode(sha256((({base} + i) % (1 + (i * i) % 5000))::text::bytea), 'base64'), 1, 22),
    (ARRAY['US','US','US','GB','DE','SE','BR','JP','FR','MX'])[1 + (i * 7) % 10], 1000 + i * 37 % 200000,
    '2026-11-20 00:00:00+00'::timestamptz + ({base} + i) * interval '1 second', 'mobile' FROM generate_series(0, 699) i;
UPDATE plays SET ms_played = ms_played + 1 WHERE id >= {max(0, base - 400)} AND id < {max(0, base - 400)} + 200;
DELETE FROM plays WHERE id >= {max(0, base - 700)} AND id < {max(0, base - 700)} + 100;
COMMIT;
""")
        start = time.perf_counter()
        subprocess.run([BIN / "psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "lake", "-d", "postgres", "-X", "-q",
                        "-v", "ON_ERROR_STOP=1", "-f", str(script)], check=True, env=pg.env(), capture_output=True)
        load = time.perf_counter() - start
        end = pg.sql("SELECT pg_current_wal_lsn()::text")[0][0]
        changes = int(pg.sql("SELECT count(*) FROM plays")[0][0])  # for the record only

        lake_run = timed([*cdc, "--format", "json"], env=pg.env())
        report = json.loads(lake_run[3])
        landed = sum(report["changes"].values())
        recv = timed([str(BIN / "pg_recvlogical"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "lake", "-d", "postgres",
                      "--slot", "recv", "--start", "--endpos", end, "--no-loop", "-o", "proto_version=1",
                      "-o", "publication_names=bench", "-f", str(work / "recv.out")], env=pg.env())
        raw_bytes = sum(p.stat().st_size for p in Path(root, "raw").rglob("*.ndjson.gz"))
        print(f"scripts/bench cdc: {landed:,} row changes in {transactions:,} transactions of 1,000 "
              f"(loaded in {load:.1f} s; {changes:,} rows remain); PostgreSQL 15, 2 cores")
        print(f"{'':44}{'changes/s':>12}{'CPU s':>8}{'peak MiB':>10}")
        print(f"{'lake ingest cdc -> raw gzip (Debezium)':44}{landed / lake_run[0]:>12,.0f}{lake_run[1]:>8.2f}{lake_run[2]:>10.0f}")
        print(f"{'pg_recvlogical -> file (pgoutput, ceiling)':44}{landed / recv[0]:>12,.0f}{recv[1]:>8.2f}{recv[2]:>10.0f}")
        print(f"lake / pg_recvlogical: {recv[0] / lake_run[0]:.2f}x (target >= 0.5x); raw {raw_bytes / 1e6:.0f} MB gzip, "
              f"pg_recvlogical wrote {(work / 'recv.out').stat().st_size / 1e6:.0f} MB")

        if os.environ.get("LAKE_BENCH_KEEP"):
            subprocess.run(["cp", "-a", str(root), os.environ["LAKE_BENCH_KEEP"]], check=True)
        promote = timed([args.lake_bin, "promote", "pg_plays", "--lake", str(root), "--quiet", "--format", "json"])
        promotion = json.loads(promote[3])["promotions"][0]
        staged_rows = promotion["total_rows"]
        duck = timed([sys.executable, "-c", DUCKDB_STATE.format(raw=Path(root, "raw", "postgres", "pg_plays"), out=work / "state.parquet")])
        duck_rows = int(duck[3].strip())
        print(f"\ncurrent state of {changes:,} rows from {landed:,} changes{'':8}{'seconds':>9}{'CPU s':>8}{'peak MiB':>10}{'rows':>10}")
        print(f"{'lake promote pg_plays (staged Parquet, DuckLake snapshot)':62}{promote[0]:>9.2f}{promote[1]:>8.2f}{promote[2]:>10.0f}{staged_rows:>10,}")
        print(f"{'DuckDB: latest change per key from raw -> Parquet':62}{duck[0]:>9.2f}{duck[1]:>8.2f}{duck[2]:>10.0f}{duck_rows:>10,}")
        print(f"lake / DuckDB: {promote[0] / duck[0]:.2f}x (target < 1x)")
        if not staged_rows == duck_rows == changes:
            sys.exit(f"row counts differ: PostgreSQL {changes}, lake {staged_rows}, DuckDB {duck_rows}; lake: {promotion}")
    finally:
        pg.stop()
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
