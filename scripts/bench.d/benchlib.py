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
