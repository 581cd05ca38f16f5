"""Stream throughput: lake produce, embedded log → raw gzip, and Redis → raw gzip, with
~200-byte listening events; beside them, gzip -1 and gzip -6 on the same raw bytes as the
ceiling. Peak memory of the log → raw ingestion at N and 10×N events shows it stays flat.
Then Kafka, Kinesis and SQS beside their own clients (stream_peers.py)."""
import argparse
import gzip
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from benchlib import timed
from stream_peers import print_rows as print_peer_rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lake-bin", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--no-10x", action="store_true", help="skip the 10x memory run")
    parser.add_argument("--kafka-events", type=int, default=200_000, help="0 skips the Kafka row (the mock keeps ~5 MB a partition)")
    parser.add_argument("--kinesis-records", type=int, default=20_000, help="0 skips the Kinesis row")
    parser.add_argument("--sqs-messages", type=int, default=300, help="0 skips the SQS row (moto's SQS slows as a queue grows)")
    parser.add_argument("--peers-only", action="store_true", help="only the Kafka, Kinesis and SQS rows")
    args = parser.parse_args()
    lake = args.lake_bin
    work = Path(tempfile.mkdtemp(prefix="lake-bench-stream-"))
    try:
        if args.peers_only:
            print_peer_rows(lake, work, args.kafka_events, args.kinesis_records, args.sqs_messages)
            return

        def land(n):
            events = work / f"events-{n}.ndjson"
            with open(events, "wb") as f:
                subprocess.run([lake, "simulator", "events", "--count", str(n)], stdout=f, check=True, stderr=subprocess.DEVNULL)
            root = work / f"lake-{n}"
            subprocess.run([lake, "init", "--lake", str(root)], check=True, capture_output=True)
            with open(events, "rb") as f:
                produce = timed([lake, "produce", "listens", "--lake", str(root), "--key", "user_id"], stdin=f)
            ingest = timed([lake, "ingest", "stream", "listens", "--lake", str(root), "--dataset", "plays", "--until-idle",
                            "--time-field", "played_at", "--region-field", "region", "--quiet"])
            size = events.stat().st_size
            events.unlink()
            return root, produce, ingest, size

        n = args.events
        root, produce, ingest, size = land(n)
        print(f"scripts/bench stream: {n:,} listening events, {size / n:.0f} bytes each on average; {os.cpu_count()} cores")

        # The same bytes lake wrote, uncompressed, through gzip -1 and -6.
        raw = work / "raw.ndjson"
        with open(raw, "wb") as out:
            for path in sorted(Path(root, "raw").rglob("*.ndjson.gz")):
                out.write(gzip.decompress(path.read_bytes()))
        raw_lines = sum(1 for _ in open(raw, "rb"))
        ceilings = {}
        for level in (1, 6):
            with open(raw, "rb") as f:
                wall, cpu, _, _ = timed(["sh", "-c", f"gzip -{level} -c > /dev/null"], stdin=f)
            ceilings[level] = raw_lines / wall
        raw_mb = raw.stat().st_size / 1e6

        # Redis → raw.
        port = free_port()
        server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            start = time.perf_counter()
            subprocess.run([lake, "simulator", "events", "--count", str(n), "--to", f"redis://127.0.0.1:{port}/listens"],
                           check=True, capture_output=True)
            xadd = time.perf_counter() - start
            rroot = work / "lake-redis"
            subprocess.run([lake, "init", "--lake", str(rroot)], check=True, capture_output=True)
            redis_ingest = timed([lake, "ingest", "stream", "listens", "--from", f"redis://127.0.0.1:{port}/listens",
                                  "--lake", str(rroot), "--dataset", "plays", "--until-idle", "--time-field", "played_at",
                                  "--region-field", "region", "--quiet"])
        finally:
            server.terminate()
            server.wait()

        def rate(wall):
            return n / wall

        print(f"{'':38}{'events/s':>12}{'target':>12}{'CPU s':>8}{'peak MiB':>10}")
        print(f"{'lake produce (keyed)':38}{rate(produce[0]):>12,.0f}{'>= 1M':>12}{produce[1]:>8.2f}{produce[2]:>10.0f}")
        print(f"{'embedded log -> raw gzip (lake)':38}{rate(ingest[0]):>12,.0f}{'>= 500k':>12}{ingest[1]:>8.2f}{ingest[2]:>10.0f}")
        print(f"{'Redis -> raw gzip (lake)':38}{rate(redis_ingest[0]):>12,.0f}{'>= 150k':>12}{redis_ingest[1]:>8.2f}{redis_ingest[2]:>10.0f}")
        print(f"{'gzip -1, same raw bytes (1 core)':38}{ceilings[1]:>12,.0f}{'ceiling':>12}")
        print(f"{'gzip -6, same raw bytes (1 core)':38}{ceilings[6]:>12,.0f}{'ceiling':>12}")
        print(f"log -> raw vs gzip -1: {rate(ingest[0]) / ceilings[1]:.2f}x; vs gzip -6: {rate(ingest[0]) / ceilings[6]:.2f}x "
              f"(raw lines {raw_mb / raw_lines * 1e6:.0f} bytes with _meta, {raw_mb:.0f} MB; loading Redis by XADD took {xadd:.1f} s)")
        shutil.rmtree(root, ignore_errors=True)
        raw.unlink()

        if not args.no_10x:
            big = n * 10
            broot, bproduce, bingest, _ = land(big)
            print(f"memory as events grow 10x: log -> raw peak {ingest[2]:.0f} MiB at {n:,} events, "
                  f"{bingest[2]:.0f} MiB at {big:,} ({rate(bingest[0]) * 10:,.0f} events/s); "
                  f"produce peak {produce[2]:.0f} -> {bproduce[2]:.0f} MiB")
            shutil.rmtree(broot, ignore_errors=True)
        print_peer_rows(lake, work, args.kafka_events, args.kinesis_records, args.sqs_messages)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
