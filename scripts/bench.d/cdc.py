"""CDC throughput: lake ingest cdc (raw, Debezium envelopes, exactly once) beside pg_recvlogical
writing the same changes from its own pgoutput slot to a file: the server's own decoding
ceiling. The workload has the shape of a listening log: 22-character track ids, UUID users,
skewed regions; changes come in 1,000-row transactions, 70% inserts, 20% updates, 10% deletes."""
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
               "--slot", "bench", "--publication", "bench", "--region-column", "region", "--quiet", *os.environ.get("LAKE_CDC_ARGS", "").split()]
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
        print("promotion into the current state: not built yet (staged/<table> upsert by key), so no row here")
    finally:
        pg.stop()
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
