"""raw → staged Parquet: `lake promote` beside DuckDB converting the same raw gzip NDJSON
files with COPY … TO (FORMAT parquet), 2 threads, in one run. Listening events (~200 bytes
each) are landed by lake itself (simulator → embedded log → raw); the run is repeated at
N/10 and N events to show time growing linearly, with peak memory from GNU time."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import timed

REPO = Path(__file__).resolve().parents[2]


DUCKDB_COPY = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
con.execute(\"\"\"
COPY (
  SELECT value.event_id::VARCHAR AS event_id, value.user_id::VARCHAR AS user_id, value.track_id::VARCHAR AS track_id,
         value.played_at::TIMESTAMPTZ AS played_at, value.ms_played::BIGINT AS ms_played, value.device::VARCHAR AS device,
         value.session_id::VARCHAR AS session_id, _meta.partition::BIGINT AS _partition, _meta.offset::BIGINT AS _offset,
         _meta.arrival_time::TIMESTAMPTZ AS _arrival_time, dt, region
  FROM read_json('{raw}/**/*.ndjson.gz', hive_partitioning = true)
) TO '{out}' (FORMAT parquet, PARTITION_BY (dt, region))
\"\"\")
print(con.execute("SELECT count(*) FROM read_parquet('{out}/**/*.parquet')").fetchone()[0])
"""


def land(lake, work, n):
    root = work / f"lake-{n}"
    subprocess.run([lake, "init", "--lake", str(root)], check=True, capture_output=True, cwd=REPO)
    gen = subprocess.Popen([lake, "simulator", "events", "--count", str(n)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    subprocess.run([lake, "produce", "listens", "--lake", str(root), "--key", "user_id"], stdin=gen.stdout, check=True,
                   capture_output=True)
    gen.wait()
    subprocess.run([lake, "ingest", "stream", "listens", "--lake", str(root), "--dataset", "plays", "--until-idle",
                    "--time-field", "played_at", "--region-field", "region", "--quiet"], check=True, capture_output=True)
    shutil.rmtree(root / "_streams")
    return root


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    lake = args.lake_bin
    python = sys.executable
    work = Path(tempfile.mkdtemp(prefix="lake-bench-promote-"))
    results = []
    try:
        for n in (args.events // 10, args.events):
            print(f"bench: landing {n:,} events with lake…", file=sys.stderr)
            root = land(lake, work, n)
            raw = root / "raw" / "listens" / "plays"
            raw_bytes = sum(p.stat().st_size for p in raw.rglob("*.ndjson.gz"))
            raw_files = sum(1 for _ in raw.rglob("*.ndjson.gz"))
            print(f"bench: lake promote ({n:,} events)…", file=sys.stderr)
            l_wall, l_cpu, l_rss, l_out = timed([lake, "promote", "plays", "--lake", str(root), "--quiet", "--format", "json"])
            report = json.loads(l_out)["promotions"][0]
            staged_bytes = sum(p.stat().st_size for p in Path(root, "staged", "plays").rglob("*.parquet"))
            print(f"bench: DuckDB COPY ({n:,} events)…", file=sys.stderr)
            out = work / f"duck-{n}"
            script = DUCKDB_COPY.format(raw=raw, out=out)
            d_wall, d_cpu, d_rss, d_out = timed([python, "-c", script])
            duck_bytes = sum(p.stat().st_size for p in out.rglob("*.parquet"))
            results.append(dict(n=n, raw_bytes=raw_bytes, raw_files=raw_files, lake=(l_wall, l_cpu, l_rss), duck=(d_wall, d_cpu, d_rss),
                                staged=report["staged"], duck_rows=int(d_out.strip()), staged_bytes=staged_bytes, duck_bytes=duck_bytes))
            print(f"bench: {n:,} events: lake {l_wall:.2f} s, {l_rss:.0f} MiB; DuckDB {d_wall:.2f} s, {d_rss:.0f} MiB", file=sys.stderr)
            shutil.rmtree(out)
            shutil.rmtree(root)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"scripts/bench promote: listening events, raw gzip NDJSON → Parquet; {os.cpu_count()} cores, DuckDB threads = 2")
    print(f"{'events':>11} {'raw MB':>7} {'files':>6} | {'lake s':>7} {'cpu s':>6} {'MiB':>6} {'rows':>10} {'MB out':>7} |"
          f" {'duckdb s':>8} {'cpu s':>6} {'MiB':>6} {'rows':>10} {'MB out':>7} | lake/duckdb")
    for r in results:
        (lw, lc, lm), (dw, dc, dm) = r["lake"], r["duck"]
        print(f"{r['n']:>11,} {r['raw_bytes'] / 1e6:>7.0f} {r['raw_files']:>6} | {lw:>7.2f} {lc:>6.1f} {lm:>6.0f} {r['staged']:>10,}"
              f" {r['staged_bytes'] / 1e6:>7.0f} | {dw:>8.2f} {dc:>6.1f} {dm:>6.0f} {r['duck_rows']:>10,} {r['duck_bytes'] / 1e6:>7.0f} |"
              f" {lw / dw:.2f}×")
    if len(results) == 2:
        small, big = results
        growth = big["lake"][0] / small["lake"][0]
        print(f"lake: {big['n'] / big['lake'][0]:,.0f} events/s at {big['n']:,}; time ×{growth:.1f} for ×10 events"
              f" ({'linear' if growth <= 12 else 'worse than linear'}); peak memory {big['lake'][2]:.0f} MiB"
              f" ({'within' if big['lake'][2] <= 1024 else 'OVER'} 1 GiB)")
        print(f"target lake wall ≤ DuckDB wall at {big['n']:,}: {'met' if big['lake'][0] <= big['duck'][0] else 'NOT met'}")


if __name__ == "__main__":
    main()
