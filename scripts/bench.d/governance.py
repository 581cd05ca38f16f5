"""scripts/bench governance: `lake governance` over a lake of 100k cataloged files plus some
planted findings, beside `find` (the floor: one walk of the tree) and DuckDB's glob() over the
same tree, in one run. Target: lake governance (without --verify) ≤ 2 s."""
import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import timed  # noqa: E402

CONTRACT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "bench.clicks", "description": "Benchmark clicks.", "type": "object",
    "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["id"],
    "x-lake": {"zone": "staged", "owner": "bench", "retention_days": 90, "partition_by": ["dt", "region"],
               "primary_key": ["id"]},
}


def build(root, lake_bin, files, days, regions):
    """Writes `files` small gzip NDJSON files in dt/region partitions and adopts them."""
    timed([lake_bin, "init", "--lake", str(root)])
    contract = root.parent / "clicks.json"
    contract.write_text(json.dumps(CONTRACT))
    timed([lake_bin, "catalog", "register", str(contract), "--lake", str(root)])
    per_partition = max(1, files // (days * len(regions)))
    today = time.gmtime()
    base = time.mktime((today.tm_year, today.tm_mon, today.tm_mday, 12, 0, 0, 0, 0, -1))
    written = 0
    for d in range(days):
        dt = time.strftime("%Y-%m-%d", time.gmtime(base - d * 86400))
        for region in regions:
            folder = root / "raw" / "bench" / "clicks" / f"dt={dt}" / f"region={region}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(per_partition):
                if written == files:
                    break
                lines = "".join(json.dumps({"id": f"{dt}-{region}-{i}-{k}", "n": k}) + "\n" for k in range(3))
                (folder / f"part-{i:05d}.ndjson.gz").write_bytes(gzip.compress(lines.encode(), 1))
                written += 1
    wall, cpu, mib, _ = timed([lake_bin, "catalog", "adopt", "raw/bench/clicks", "--dataset", "clicks",
                               "--lake", str(root), "--format", "json"], cwd=root.parent)
    return written, wall


def plant(root):
    """A handful of findings on top of the expired partitions: stray, missing, truncated, _tmp."""
    files = sorted((root / "raw" / "bench" / "clicks").rglob("*.ndjson.gz"))
    shutil.copy(files[0], files[0].parent / "copied-by-hand.ndjson.gz")
    files[1].unlink()
    files[2].write_bytes(files[2].read_bytes()[:10])
    stale = root / "_tmp" / "left-behind.ndjson.gz"
    stale.write_bytes(b"partial")
    old = time.time() - 7200
    os.utime(stale, (old, old))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-governance-"))
    root = work / "lake"
    regions = ["SE", "US", "DE", "GB", "BR", "IN", "JP", "MX", "FR", "AU"]
    print(f"building a lake of {args.files:,} cataloged files…", file=sys.stderr)
    written, adopt_s = build(root, args.lake_bin, args.files, days=100, regions=regions)
    plant(root)

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET enable_progress_bar = false")
    rows = []
    for run in range(args.runs):
        find_s, find_cpu, find_mib, find_out = timed(["sh", "-c", f"find {root} -type f -printf '%s %T@\\n' | wc -l"])
        start = time.perf_counter()
        globbed = con.execute(f"SELECT count(*) FROM glob('{root}/**')").fetchall()[0][0]
        duck_s = time.perf_counter() - start
        lake_s, lake_cpu, lake_mib, out = timed([args.lake_bin, "governance", "--lake", str(root), "--format", "json"],
                                                cwd=work)
        report = json.loads(out)
        rows.append((find_s, duck_s, lake_s, lake_cpu, lake_mib, report, int(find_out.strip()), globbed))
    verify_s, verify_cpu, verify_mib, _ = timed(
        [args.lake_bin, "governance", "--lake", str(root), "--format", "json", "--verify"], cwd=work)

    print(f"scripts/bench governance: {written:,} cataloged files + planted findings; 2 cores; "
          f"{args.runs} runs, warm page cache")
    print(f"{'run':>3} | {'find s':>7} {'files':>8} | {'duckdb glob s':>13} {'files':>8} | "
          f"{'lake governance s':>17} {'cpu s':>6} {'MiB':>5} {'findings':>8}")
    for i, (find_s, duck_s, lake_s, lake_cpu, lake_mib, report, found, globbed) in enumerate(rows, 1):
        print(f"{i:>3} | {find_s:7.2f} {found:>8,} | {duck_s:13.2f} {globbed:>8,} | "
              f"{lake_s:17.2f} {lake_cpu:6.2f} {lake_mib:5.0f} {report['summary']['findings']:>8,}")
    best = min(r[2] for r in rows)
    by_rule = rows[-1][5]["summary"]["by_rule"]
    print(f"findings by rule: {json.dumps(by_rule)}")
    print(f"lake governance best {best:.2f} s (target ≤ 2 s: {'met' if best <= 2 else 'NOT met'}); "
          f"find {min(r[0] for r in rows):.2f} s; with --verify (every file read and hashed) {verify_s:.2f} s; "
          f"adopting the {written:,} files took {adopt_s:.2f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
