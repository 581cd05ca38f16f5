"""raw → staged Parquet: `lake promote` beside DuckDB converting the same raw gzip NDJSON
files with COPY … TO (FORMAT parquet, PARTITION_BY (dt, region)), 2 threads, in one run.
Listening events with the shape of a real log (`--shape realistic`: ~300 bytes, UUIDs,
22-character ids, Zipf tracks, 60 markets) are landed by lake itself (simulator → embedded
log with 8 partitions → raw, as many files as real ingestion makes); the run is repeated at
N/10 and N events to show time and memory as the input grows, with peak memory from GNU
time. Each side runs `--runs` times (3), interleaved, and the medians are compared: on a
shared 2-core VM one run of either side varies by ±15%. Every lake run promotes a fresh copy
of the landed lake (raw files hard-linked, the catalog copied), as a first promotion."""
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

REPO = Path(__file__).resolve().parents[2]


DUCKDB_COPY = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
con.execute(\"\"\"
COPY (
  SELECT value.event_id::VARCHAR AS event_id, value.user_id::VARCHAR AS user_id, value.track_id::VARCHAR AS track_id,
         value.artist_id::VARCHAR AS artist_id, value.album_id::VARCHAR AS album_id,
         value.played_at::TIMESTAMPTZ AS played_at, value.ms_played::BIGINT AS ms_played, value.device::VARCHAR AS device,
         value.session_id::VARCHAR AS session_id, value.context_uri::VARCHAR AS context_uri,
         _meta.partition::BIGINT AS _partition, _meta.offset::BIGINT AS _offset,
         _meta.arrival_time::TIMESTAMPTZ AS _arrival_time, dt, region
  FROM read_json('{raw}/**/*.ndjson.gz', hive_partitioning = true)
) TO '{out}' (FORMAT parquet, PARTITION_BY (dt, region))
\"\"\")
print(con.execute("SELECT count(*) FROM read_parquet('{out}/**/*.parquet')").fetchone()[0])
"""


def land(lake, work, n):
    return land_realistic(lake, work / f"lake-{n}", n, REPO)


def median_run(runs):
    """The median wall time's run, with the peak memory of all runs."""
    ordered = sorted(runs)
    wall, cpu, _ = ordered[(len(ordered) - 1) // 2]
    return wall, cpu, max(r[2] for r in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per side at each size; medians are compared (default 3)")
    parser.add_argument("--lake-only", action="store_true",
                        help="lake alone, at N/10 and N (for 50M: DuckDB's COPY would need about 20 GiB here)")
    args = parser.parse_args()
    lake = args.lake_bin
    python = sys.executable
    work = Path(tempfile.mkdtemp(prefix="lake-bench-promote-"))
    results = []
    try:
        for n in (args.events // 10, args.events):
            print(f"bench: landing {n:,} events with lake…", file=sys.stderr)
            root = land(lake, work, n)
            raw = root / "raw" / "plays" / "plays"
            raw_bytes = sum(p.stat().st_size for p in raw.rglob("*.ndjson.gz"))
            raw_files = sum(1 for _ in raw.rglob("*.ndjson.gz"))
            lake_runs, duck_runs = [], []
            for k in range(args.runs):
                # A fresh lake per run: the raw files hard-linked (promotion only reads them), the
                # catalog copied (promotion writes it).
                copy = work / f"lake-{n}-run{k}"
                subprocess.run(["cp", "-al", str(root), str(copy)], check=True)
                for f in root.glob("catalog.sqlite*"):
                    (copy / f.name).unlink()
                    shutil.copy2(f, copy / f.name)
                # Neither side pays for another's writes: the landing's (and then lake's) dirty
                # pages are flushed before each timed run, or the first to run does the writeback.
                os.sync()
                print(f"bench: lake promote ({n:,} events, run {k + 1} of {args.runs})…", file=sys.stderr)
                l_wall, l_cpu, l_rss, l_out = timed([lake, "promote", "plays", "--lake", str(copy), "--quiet", "--format", "json"])
                lake_runs.append((l_wall, l_cpu, l_rss))
                staged_files = sum(1 for _ in Path(copy, "staged", "plays").rglob("*.parquet"))
                report = json.loads(l_out)["promotions"][0]
                staged_bytes = sum(p.stat().st_size for p in Path(copy, "staged", "plays").rglob("*.parquet"))
                shutil.rmtree(copy)
                if args.lake_only:
                    continue
                os.sync()
                print(f"bench: DuckDB COPY ({n:,} events, run {k + 1} of {args.runs})…", file=sys.stderr)
                out = work / f"duck-{n}"
                script = DUCKDB_COPY.format(raw=raw, out=out)
                d_wall, d_cpu, d_rss, d_out = timed([python, "-c", script])
                duck_runs.append((d_wall, d_cpu, d_rss))
                duck_bytes = sum(p.stat().st_size for p in out.rglob("*.parquet"))
                duck_files = sum(1 for _ in out.rglob("*.parquet"))
                shutil.rmtree(out)
            l_wall, l_cpu, l_rss = median_run(lake_runs)
            print(f"bench: lake runs {', '.join(f'{w:.2f}' for w, _, _ in lake_runs)} s", file=sys.stderr)
            if args.lake_only:
                results.append(dict(n=n, raw_bytes=raw_bytes, raw_files=raw_files, lake=(l_wall, l_cpu, l_rss),
                                    staged=report["staged"], staged_bytes=staged_bytes, staged_files=staged_files))
                print(f"bench: {n:,} events: lake {l_wall:.2f} s, {l_rss:.0f} MiB, {staged_files} files", file=sys.stderr)
                shutil.rmtree(root)
                continue
            d_wall, d_cpu, d_rss = median_run(duck_runs)
            print(f"bench: DuckDB runs {', '.join(f'{w:.2f}' for w, _, _ in duck_runs)} s", file=sys.stderr)
            results.append(dict(n=n, raw_bytes=raw_bytes, raw_files=raw_files, lake=(l_wall, l_cpu, l_rss), duck=(d_wall, d_cpu, d_rss),
                                staged=report["staged"], duck_rows=int(d_out.strip()), staged_bytes=staged_bytes, duck_bytes=duck_bytes,
                                staged_files=staged_files, duck_files=duck_files))
            print(f"bench: {n:,} events: lake {l_wall:.2f} s, {l_rss:.0f} MiB, {staged_files} files; DuckDB {d_wall:.2f} s, {d_rss:.0f} MiB", file=sys.stderr)
            shutil.rmtree(root)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.lake_only:
        print(f"scripts/bench promote --lake-only: listening events, raw gzip NDJSON → Parquet; {os.cpu_count()} cores;"
              f" median of {args.runs} runs")
        print(f"{'events':>11} {'raw MB':>7} {'files':>6} | {'lake s':>7} {'cpu s':>6} {'MiB':>6} {'rows':>10} {'MB out':>7}")
        for r in results:
            lw, lc, lm = r["lake"]
            print(f"{r['n']:>11,} {r['raw_bytes'] / 1e6:>7.0f} {r['raw_files']:>6} | {lw:>7.2f} {lc:>6.1f} {lm:>6.0f} {r['staged']:>10,}"
                  f" {r['staged_bytes'] / 1e6:>7.0f}")
        small, big = results
        print(f"lake: {big['n'] / big['lake'][0]:,.0f} events/s at {big['n']:,}; time ×{big['lake'][0] / small['lake'][0]:.1f} and peak memory"
              f" ×{big['lake'][2] / small['lake'][2]:.2f} for ×10 events; peak {big['lake'][2]:.0f} MiB"
              f" ({'within' if big['lake'][2] <= 1024 else 'OVER'} 1 GiB)")
        return
    print(f"scripts/bench promote: listening events, raw gzip NDJSON → Parquet; {os.cpu_count()} cores, DuckDB threads = 2;"
          f" median of {args.runs} runs per side, interleaved")
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
        print(f"target lake wall ≤ 0.5× DuckDB's at {big['n']:,}: {'met' if big['lake'][0] <= 0.5 * big['duck'][0] else 'NOT met'}"
              f" ({big['lake'][0] / big['duck'][0]:.2f}×); peak ≤ 1 GiB: {'met' if big['lake'][2] <= 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
