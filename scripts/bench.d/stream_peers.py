"""Kafka, Kinesis and SQS rows of `scripts/bench stream`: lake → raw beside a client of the
same service reading the same data in a fresh process and gzipping only the values.

Kafka runs on librdkafka's mock cluster (it keeps ~5 MB or 100k records per partition, so the
topic has 16 partitions and the row's events stay within that); its peer is confluent-kafka,
the C client. Kinesis and SQS run on moto; their peer is boto3. moto bounds both sides, so
those rows are a report, not a target."""
import json
import subprocess
import sys
import time
from pathlib import Path

from benchlib import timed

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Integration"))

KAFKA_PEER = r"""
import sys, zlib
from confluent_kafka import Consumer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "peer", "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "api.version.request": True})
c.subscribe([topic])
z, seen, out = zlib.compressobj(1, zlib.DEFLATED, 31), 0, 0
while seen < n:
    for m in c.consume(10000, 1.0):
        if m.error() is None:
            out += len(z.compress(m.value() or b"")); seen += 1
out += len(z.flush())
c.close()
"""

KINESIS_PEER = r"""
import sys, zlib, boto3
url, stream, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
k = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
z, seen = zlib.compressobj(1, zlib.DEFLATED, 31), 0
its = [k.get_shard_iterator(StreamName=stream, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
       for s in k.list_shards(StreamName=stream)["Shards"]]
while seen < n:
    for i, it in enumerate(its):
        r = k.get_records(ShardIterator=it, Limit=10000)
        for rec in r["Records"]:
            z.compress(rec["Data"]); seen += 1
        its[i] = r["NextShardIterator"]
z.flush()
"""

SQS_PEER = r"""
import sys, zlib, boto3
url, queue, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = boto3.client("sqs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
qurl = q.get_queue_url(QueueName=queue)["QueueUrl"]
z, seen = zlib.compressobj(1, zlib.DEFLATED, 31), 0
while seen < n:
    ms = q.receive_message(QueueUrl=qurl, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    for m in ms:
        z.compress(m["Body"].encode()); seen += 1
    if ms:
        q.delete_message_batch(QueueUrl=qurl, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(ms)])
z.flush()
"""


def events(lake, n):
    out = subprocess.run([lake, "simulator", "events", "--shape", "realistic", "--count", str(n)],
                         check=True, capture_output=True).stdout
    return out.splitlines()


def ingest(lake, root, source, dataset, env=None, extra=()):
    subprocess.run([lake, "init", "--lake", str(root)], check=True, capture_output=True)
    return timed([lake, "ingest", "stream", dataset, "--from", source, "--lake", str(root), "--dataset", dataset,
                  "--until-idle", "--time-field", "played_at", "--region-field", "region", "--quiet", *extra], env=env)


def kafka_rows(lake, work, n):
    """lake vs confluent-kafka on one mock cluster; lake's peak memory at n/10 and n."""
    from confluent_kafka import Producer
    from kafka_mock import MockCluster
    mock = MockCluster(brokers=3)
    rows = {}
    for count in (max(1, n // 10), n):
        topic = f"listens{count}"
        mock.create_topic(topic, 16)
        producer = Producer({"bootstrap.servers": mock.bootstraps, "compression.type": "lz4", "linger.ms": 50,
                             "batch.num.messages": 10000, "queue.buffering.max.messages": 1_000_000})
        lines = events(lake, count)
        for line in lines:
            producer.produce(topic, value=line, key=json.loads(line)["user_id"].encode())
            producer.poll(0)
        producer.flush()
        lake_run = ingest(lake, work / f"kafka-{count}", mock.url, topic, extra=("--reset", "earliest"))
        peer = timed([sys.executable, "-c", KAFKA_PEER, mock.bootstraps, topic, str(count)])
        # The memory bound: with a 16 MiB open-bytes budget (the default, 256 MiB, is more
        # than the mock can hold), peak memory must not grow with the event count.
        bounded = ingest(lake, work / f"kafka-bounded-{count}", mock.url, topic,
                         extra=("--reset", "earliest", "--group", "bounded", "--max-open-bytes", str(16 << 20)))
        rows[count] = (lake_run, peer, bounded)
    return rows


def kinesis_rows(lake, work, moto, n):
    k = moto.client("kinesis")
    k.create_stream(StreamName="listens", ShardCount=4)
    lines = events(lake, n)
    for start in range(0, n, 500):
        k.put_records(StreamName="listens", Records=[{"Data": l, "PartitionKey": json.loads(l)["user_id"]} for l in lines[start:start + 500]])
    lake_run = ingest(lake, work / "kinesis", "kinesis://listens", "listens", env=moto.env())
    peer = timed([sys.executable, "-c", KINESIS_PEER, moto.url, "listens", str(n)])
    return lake_run, peer


def sqs_rows(lake, work, moto, n):
    q = moto.client("sqs")
    # Two queues with the same messages: each side empties its own.
    for name in ("listens", "listens_peer"):
        url = q.create_queue(QueueName=name)["QueueUrl"]
        lines = events(lake, n)
        for start in range(0, n, 10):
            q.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": l.decode()} for i, l in enumerate(lines[start:start + 10])])
    lake_run = ingest(lake, work / "sqs", "sqs://listens", "listens", env=moto.env(), extra=("--poll-seconds", "1"))
    peer = timed([sys.executable, "-c", SQS_PEER, moto.url, "listens_peer", str(n)])
    return lake_run, peer


def print_rows(lake, work, kafka_events, kinesis_records, sqs_messages):
    def row(name, count, run, note=""):
        print(f"{name:38}{count / run[0]:>12,.0f}{note:>12}{run[1]:>8.2f}{run[2]:>10.0f}")

    if kafka_events:
        rows = kafka_rows(lake, work, kafka_events)
        small, big = sorted(rows)
        (lake_run, peer, bounded) = rows[big]
        print(f"Kafka (librdkafka mock cluster, 3 brokers, 16 partitions, lz4 batches), {big:,} events:")
        row("  Kafka -> raw gzip (lake)", big, lake_run, ">= peer")
        row("  confluent-kafka consumer, gzip values", big, peer, "peer")
        print(f"  lake / peer rate: {(big / lake_run[0]) / (big / peer[0]):.2f}x; "
              f"lake peak {rows[small][0][2]:.0f} MiB at {small:,} events, {lake_run[2]:.0f} MiB at {big:,}; "
              f"with --max-open-bytes 16 MiB: {rows[small][2][2]:.0f} MiB at {small:,}, {bounded[2]:.0f} MiB at {big:,}")
    if kinesis_records or sqs_messages:
        from moto_server import MotoServer
        moto = MotoServer()
        try:
            if kinesis_records:
                lake_run, peer = kinesis_rows(lake, work, moto, kinesis_records)
                print(f"Kinesis (moto, 4 shards), {kinesis_records:,} records — bounded by moto, a report:")
                row("  Kinesis -> raw gzip (lake)", kinesis_records, lake_run, "report")
                row("  boto3 GetRecords, gzip values", kinesis_records, peer, "peer")
            if sqs_messages:
                lake_run, peer = sqs_rows(lake, work, moto, sqs_messages)
                print(f"SQS (moto, standard queue), {sqs_messages:,} messages — bounded by moto, a report:")
                row("  SQS -> raw gzip + delete (lake)", sqs_messages, lake_run, "report")
                row("  boto3 receive + delete, gzip bodies", sqs_messages, peer, "peer")
        finally:
            moto.stop()
