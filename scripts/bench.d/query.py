"""scripts/bench query: `lake query` beside DuckDB (Python duckdb, 2 threads) on the same
Parquet files — N listening events (10 million by default) with the shape of a real log
(`lake simulator events --shape realistic`: Zipf tracks over 50,000, 60 skewed markets, ~1M
users, UUIDs, 22-character ids), landed through lake's stream path and promoted by lake, plus
the curated table built from them. Each query runs as a fresh process in lake and in DuckDB,
interleaved, best of --runs; wall time and peak memory from GNU time."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import land_realistic, timed

REPO = Path(__file__).resolve().parents[2]

QUERIES = [
    ("top 10 tracks per region", """
SELECT region, track_id, count(*) AS listens FROM staged.plays GROUP BY 1, 2
QUALIFY row_number() OVER (PARTITION BY region ORDER BY listens DESC, track_id) <= 10
ORDER BY region, listens DESC, track_id"""),
    ("GROUP BY region, track_id", """
SELECT region, track_id, count(*) AS plays FROM staged.plays GROUP BY region, track_id ORDER BY plays DESC, region, track_id LIMIT 20"""),
    ("GROUP BY track_id", """
SELECT track_id, count(*) AS plays, sum(ms_played) AS ms FROM staged.plays GROUP BY track_id ORDER BY plays DESC, track_id LIMIT 20"""),
    ("selective filter + count", """
SELECT count(*) AS n FROM staged.plays
WHERE region = 'SE' AND device = 'car' AND ms_played > 200000"""),
    ("distinct listeners per region", """
SELECT region, count(DISTINCT user_id) AS listeners FROM staged.plays GROUP BY region ORDER BY listeners DESC, region"""),
    ("join plays × artists' reach", """
SELECT a.markets, count(*) AS plays
FROM staged.plays p
JOIN (SELECT artist_id, count(DISTINCT region) AS markets FROM staged.plays GROUP BY artist_id) a ON a.artist_id = p.artist_id
GROUP BY a.markets ORDER BY a.markets"""),
    ("window: running plays per day", """
SELECT region, dt, plays,
       sum(plays) OVER (PARTITION BY region ORDER BY dt) AS running,
       rank() OVER (PARTITION BY dt ORDER BY plays DESC) AS rank_that_day
FROM (SELECT region, dt, count(*) AS plays FROM staged.plays GROUP BY region, dt)
ORDER BY region, dt"""),
    ("top tracks by region (curated)", """
SELECT region, track_id, plays, row_number() OVER (PARTITION BY region ORDER BY plays DESC, track_id) AS rank
FROM (SELECT region, track_id, sum(plays) AS plays FROM curated.track_plays_daily
      WHERE dt > (SELECT max(dt) FROM curated.track_plays_daily) - 7 GROUP BY region, track_id)
QUALIFY rank <= 10 ORDER BY region, rank"""),
]

DUCKDB = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
for zone, names in (("staged", ["plays"]), ("curated", ["track_plays_daily"])):
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {zone}")
    for name in names:
        con.execute(f"CREATE VIEW {zone}.{name} AS SELECT * FROM read_parquet('{root}/{zone}/{name}/**/*.parquet', hive_partitioning = true)")
rows = con.execute(sys.stdin.read()).fetchall()
print(len(rows))
"""


def build(lake, work, n):
    """Realistic listening events landed through lake's stream path, the Spotify simulator's
    new albums for the curated model's names, everything promoted."""
    root = land_realistic(lake, work / "lake", n, REPO)
    env = dict(os.environ)
    sim = subprocess.Popen([lake, "simulator", "spotify"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    info = json.loads(sim.stdout.readline())
    env.update(SPOTIFY_CLIENT_ID=info["client_id"], SPOTIFY_CLIENT_SECRET=info["client_secret"])
    subprocess.run([lake, "ingest", "spotify", "--lake", str(root), "--markets", "SE,US,DE,GB", "--requests-per-window", "100000",
                    "--api-base", info["api_base"], "--token-url", info["token_url"], "--quiet"], check=True, capture_output=True, env=env)
    sim.send_signal(signal.SIGTERM)
    sim.wait()
    wall, cpu, mib, out = timed([lake, "promote", "--all", "--lake", str(root), "--quiet", "--format", "json"], cwd=REPO)
    return root, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="reuse (or keep) the lake in this folder")
    args = parser.parse_args()
    lake = args.lake_bin
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lake-bench-query-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "lake"
    promote_s = None
    if not (root / "catalog.sqlite").exists():
        print(f"bench: landing and promoting {args.events:,} events with lake…", file=sys.stderr)
        root, promote_s = build(lake, work, args.events)
    rows = json.loads(subprocess.run([lake, "query", "--lake", str(root), "--format", "json",
                                      "SELECT count(*) AS n FROM staged.plays"], check=True, capture_output=True, text=True).stdout)[0]["n"]
    curated = json.loads(subprocess.run([lake, "query", "--lake", str(root), "--format", "json",
                                         "SELECT count(*) AS n FROM curated.track_plays_daily"], check=True, capture_output=True, text=True).stdout)[0]["n"]
    results = []
    for name, sql in QUERIES:
        best_l, best_d = None, None
        for _ in range(args.runs):
            lw, lc, lm, lo = timed([lake, "query", "--lake", str(root), "--format", "csv", sql])
            with tempfile.TemporaryFile("w+") as f:
                f.write(sql)
                f.seek(0)
                dw, dc, dm, do = timed([sys.executable, "-c", DUCKDB.replace("{root}", str(root))], stdin=f)
            lake_rows = len(lo.strip().splitlines()) - 1
            duck_rows = int(do.strip())
            assert lake_rows == duck_rows, f"{name}: lake returned {lake_rows} rows, DuckDB {duck_rows}"
            best_l = min(best_l or (1e9, 0, 0), (lw, lc, lm))
            best_d = min(best_d or (1e9, 0, 0), (dw, dc, dm))
        results.append((name, best_l, best_d, lake_rows))
        print(f"bench: {name}: lake {best_l[0]:.2f} s, DuckDB {best_d[0]:.2f} s", file=sys.stderr)

    print(f"scripts/bench query: {rows:,} staged listening events, {curated:,} curated rows; fresh process per query, "
          f"best of {args.runs}; DuckDB threads = 2" + (f"; lake promote --all took {promote_s:.1f} s" if promote_s else ""))
    print(f"{'query':<32} {'rows':>5} | {'lake s':>7} {'MiB':>6} | {'duckdb s':>8} {'MiB':>6} | {'time':>6} {'memory':>7}")
    for name, l, d, n in results:
        print(f"{name:<32} {n:>5} | {l[0]:7.2f} {l[2]:6.0f} | {d[0]:8.2f} {d[2]:6.0f} | {l[0] / d[0]:5.2f}× {l[2] / d[2]:6.2f}×")
    worst = max(l[0] / d[0] for _, l, d, _ in results)
    print(f"target: every query at most 0.5× DuckDB's time — worst {worst:.2f}×: {'met' if worst <= 0.5 else 'NOT met'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
