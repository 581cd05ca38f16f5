"""lake ingest spotify vs dlt's rest_api source (filesystem destination, gzip JSONL), one
after the other against the same Spotify simulator with faults off.

Prints pages/s, records/s, CPU and peak memory for both, and the simulator's own CPU per
page, so it shows which side is the bottleneck."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from benchlib import timed

MARKETS = ["SE", "US", "GB", "DE", "BR", "JP", "IN", "MX"]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def served_pages(url):
    with urllib.request.urlopen(url + "/_simulator/stats") as r:
        return json.load(r).get("pages", 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--scale", type=float, default=3.0)
    args = parser.parse_args()

    sim = subprocess.Popen([args.lake_bin, "simulator", "spotify", "--scale", str(args.scale)],
                           stdout=subprocess.PIPE, text=True)
    info = json.loads(sim.stdout.readline())
    env = {**os.environ, "SPOTIFY_CLIENT_ID": info["client_id"], "SPOTIFY_CLIENT_SECRET": info["client_secret"]}
    with urllib.request.urlopen(f"{info['url']}/_simulator/totals?markets={','.join(MARKETS)}") as r:
        totals = json.load(r)
    records = sum(t[d] for t in totals.values()
                  for d in ("new_releases", "featured_playlists", "categories", "playlist_tracks"))
    work = tempfile.mkdtemp(prefix="lake-bench-")
    results = {}
    try:
        for name in ("lake", "dlt"):
            pages_before, sim_cpu_before = served_pages(info["url"]), cpu_seconds(sim.pid)
            if name == "lake":
                root = os.path.join(work, "lake")
                subprocess.run([args.lake_bin, "init", "--lake", root], check=True, capture_output=True)
                cmd = [args.lake_bin, "ingest", "spotify", "--lake", root, "--markets", ",".join(MARKETS),
                       "--api-base", info["api_base"], "--token-url", info["token_url"], "--quiet", "--format", "json"]
            else:
                cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "dlt_spotify.py"),
                       info["api_base"], info["token_url"], os.path.join(work, "dlt"), ",".join(MARKETS)]
            wall, cpu, rss, _ = timed(cmd, env=env)
            pages = served_pages(info["url"]) - pages_before
            results[name] = dict(wall=wall, cpu=cpu, rss=rss, pages=pages,
                                 sim_cpu=cpu_seconds(sim.pid) - sim_cpu_before)
    finally:
        sim.terminate()
        shutil.rmtree(work, ignore_errors=True)

    print(f"scripts/bench ingest: Spotify simulator, scale {args.scale}, {len(MARKETS)} markets, "
          f"{records} records, faults off; {os.cpu_count()} cores")
    print(f"{'':24}{'lake':>14}{'dlt rest_api':>14}{'lake/dlt':>10}")
    rows = [
        ("pages fetched", lambda r: r["pages"], "{:.0f}"),
        ("wall time (s)", lambda r: r["wall"], "{:.2f}"),
        ("pages/s", lambda r: r["pages"] / r["wall"], "{:.0f}"),
        ("records/s", lambda r: records / r["wall"], "{:.0f}"),
        ("CPU time (s)", lambda r: r["cpu"], "{:.2f}"),
        ("CPU ms per page", lambda r: 1000 * r["cpu"] / r["pages"], "{:.2f}"),
        ("simulator CPU ms/page", lambda r: 1000 * r["sim_cpu"] / r["pages"], "{:.2f}"),
        ("peak memory (MiB)", lambda r: r["rss"], "{:.0f}"),
    ]
    for label, value, fmt in rows:
        a, b = value(results["lake"]), value(results["dlt"])
        print(f"{label:24}{fmt.format(a):>14}{fmt.format(b):>14}{(a / b if b else 0):>10.2f}")
    lake = results["lake"]
    bottleneck = "simulator" if lake["sim_cpu"] > lake["cpu"] else "lake"
    print(f"records/s ratio lake/dlt: {results['dlt']['wall'] / lake['wall']:.1f}x (target >= 5x); "
          f"during lake's run the {bottleneck} used more CPU ({lake['sim_cpu']:.2f} s simulator vs {lake['cpu']:.2f} s lake)")


if __name__ == "__main__":
    main()
