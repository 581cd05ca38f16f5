"""What every benchmark here shares."""
import subprocess
import sys
import time


def timed(cmd, stdin=None, env=None, cwd=None):
    """Runs cmd under GNU time: wall seconds, CPU seconds, peak RSS in MiB, and its stdout."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", *cmd], stdin=stdin, env=env, cwd=cwd,
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"{cmd[:3]} failed:\n{out.stderr[-3000:]}")
    user, system, rss_kb = out.stderr.strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(rss_kb) / 1024, out.stdout


def land_realistic(lake, root, n, repo, partitions=8):
    """Lands n listening events with the shape of a real log, the way real ingestion does:
    `lake simulator events --shape realistic` (Zipf tracks, 60 skewed markets, ~1M users,
    UUIDs, 22-character ids, ~300 bytes) → `lake produce plays --key user_id --partitions 8`
    → `lake ingest stream` into raw/plays/plays/, one file per partition, day and region per
    flush. Returns the lake root."""
    import shutil
    subprocess.run([lake, "init", "--lake", str(root)], check=True, capture_output=True, cwd=repo)
    gen = subprocess.Popen([lake, "simulator", "events", "--shape", "realistic", "--count", str(n)],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    subprocess.run([lake, "produce", "plays", "--lake", str(root), "--key", "user_id", "--partitions", str(partitions)],
                   stdin=gen.stdout, check=True, capture_output=True)
    gen.wait()
    subprocess.run([lake, "ingest", "stream", "plays", "--lake", str(root), "--dataset", "plays", "--until-idle",
                    "--time-field", "played_at", "--region-field", "region", "--quiet"], check=True, capture_output=True)
    shutil.rmtree(root / "_streams")
    return root
