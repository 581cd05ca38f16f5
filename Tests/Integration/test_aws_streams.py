"""Kinesis Data Streams and SQS into raw, exactly once, against moto in server mode, with
boto3 producing. moto's own gaps (no shard limits, closed shards that never end their
iterator) are covered by the Swift unit tests over recorded answers."""
import gzip
import hashlib
import json
import sqlite3
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import LAKE, catalog, committed_files, lake, raw_lines
from moto_server import MotoServer

KPL_MAGIC = bytes([0xF3, 0x89, 0x9A, 0xC2])


@pytest.fixture(scope="module")
def moto():
    server = MotoServer()
    yield server
    server.stop()


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def kpl(records, damage=False):
    """A KPL aggregated record, as the Kinesis Producer Library writes it."""
    keys = sorted({k for k, _ in records})
    body = b"".join(field(1, k.encode()) for k in keys)
    for key, data in records:
        body += field(3, b"\x08" + varint(keys.index(key)) + field(3, data))
    digest = hashlib.md5(body).digest()
    if damage:
        digest = bytes([digest[0] ^ 1]) + digest[1:]
    return KPL_MAGIC + body + digest


def quarantine_lines(root, dataset):
    lines = []
    for path in sorted(Path(root, "quarantine", dataset).rglob("*.ndjson.gz")):
        with gzip.open(path, "rt") as f:
            lines += [json.loads(l) for l in f]
    return lines


def put(kinesis, stream, events):
    for i in range(0, len(events), 500):
        chunk = events[i:i + 500]
        kinesis.put_records(StreamName=stream, Records=[
            {"Data": json.dumps(e).encode(), "PartitionKey": e["user_id"]} for e in chunk])


def events(prefix, n):
    return [{"event_id": f"{prefix}-{i}", "user_id": f"user-{i % 97}", "region": ["SE", "US", "JP"][i % 3]} for i in range(n)]


def test_kinesis_split_shards_and_kpl_records_land_once(tmp_path, moto):
    kinesis = moto.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=4)
    first = events("a", 2000)
    put(kinesis, "clicks", first)
    shards = kinesis.list_shards(StreamName="clicks")["Shards"]
    parent = shards[1]
    low, high = int(parent["HashKeyRange"]["StartingHashKey"]), int(parent["HashKeyRange"]["EndingHashKey"])
    kinesis.split_shard(StreamName="clicks", ShardToSplit=parent["ShardId"], NewStartingHashKey=str((low + high) // 2))
    second = events("b", 1000)
    put(kinesis, "clicks", second)
    packed = [("user-x", json.dumps({"event_id": f"kpl-{i}", "user_id": "user-x", "region": "SE"}).encode()) for i in range(50)]
    kinesis.put_record(StreamName="clicks", Data=kpl(packed), PartitionKey="user-x")
    kinesis.put_record(StreamName="clicks", Data=kpl(packed[:3], damage=True), PartitionKey="user-y")

    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    started = time.time()
    result = lake("ingest", "stream", "clicks", "--from", "kinesis://clicks", "--dataset", "clicks", "--region-field", "region",
                  "--until-idle", "--lake", str(root), "--format", "json", env=moto.env())
    report = json.loads(result.stdout)
    assert time.time() - started < 120, "the run must finish although moto never ends a closed shard's iterator"
    ids = [l["value"]["event_id"] for l in raw_lines(root, "clicks", "clicks")]
    expected = [e["event_id"] for e in first + second] + [f"kpl-{i}" for i in range(50)]
    assert Counter(ids) == Counter(expected)
    assert len(report["partitions"]) == 6, "4 shards and the 2 children of the split"
    kpl_meta = [l["_meta"] for l in raw_lines(root, "clicks", "clicks") if l["value"]["event_id"].startswith("kpl-")]
    assert sorted(m["sub_sequence_number"] for m in kpl_meta) == list(range(50))
    assert all(m["key"] == "user-x" and m["offset"].endswith(f":{m['sub_sequence_number']}") for m in kpl_meta)
    bad = quarantine_lines(root, "clicks")
    assert len(bad) == 1 and "MD5" in bad[0]["_meta"]["reason"]
    # Run again: nothing new lands.
    again = json.loads(lake("ingest", "stream", "clicks", "--from", "kinesis://clicks", "--dataset", "clicks", "--until-idle",
                            "--lake", str(root), "--format", "json", env=moto.env()).stdout)
    assert again["events"] == 0


def test_kinesis_exactly_once_across_sigkill(tmp_path, moto):
    kinesis = moto.client("kinesis")
    kinesis.create_stream(StreamName="kills", ShardCount=4)
    batch = events("k", 16_000)
    put(kinesis, "kills", batch)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["ingest", "stream", "kills", "--from", "kinesis://kills", "--dataset", "kills", "--lake", str(root),
            "--max-file-records", "400", "--batch", "400"]
    proc = subprocess.Popen([LAKE, *args, "--quiet"], env=moto.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while committed_files(root) < 4 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    landed = sum(1 for _ in raw_lines(root, "kills", "kills"))
    assert 0 < landed < len(batch)
    lake(*args, "--until-idle", env=moto.env())
    ids = [l["value"]["event_id"] for l in raw_lines(root, "kills", "kills")]
    assert Counter(ids) == Counter(e["event_id"] for e in batch)


def queue_depth(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def send(sqs, url, bodies, fifo=False):
    for i in range(0, len(bodies), 10):
        entries = []
        for j, body in enumerate(bodies[i:i + 10]):
            entry = {"Id": str(j), "MessageBody": body, "MessageAttributes": {"origin": {"DataType": "String", "StringValue": "test"}}}
            if fifo:
                entry["MessageGroupId"] = f"g{(i + j) % 3}"
                entry["MessageDeduplicationId"] = f"d{i + j}"
            entries.append(entry)
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def test_sqs_lands_once_quarantines_poison_and_empties_the_queue(tmp_path, moto):
    sqs = moto.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    bodies = [json.dumps(e) for e in events("q", 200)] + ["this is not json"]
    send(sqs, url, bodies)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "stream", "orders", "--from", "sqs://orders", "--dataset", "orders", "--until-idle", "--poll-seconds", "1",
         "--lake", str(root), env=moto.env())
    lines = raw_lines(root, "orders", "orders")
    assert Counter(l["value"]["event_id"] for l in lines) == Counter(f"q-{i}" for i in range(200))
    meta = lines[0]["_meta"]
    assert meta["message_id"] == meta["offset"] and "SentTimestamp" in meta["attributes"]
    assert meta["message_attributes"]["origin"]["StringValue"] == "test"
    bad = quarantine_lines(root, "orders")
    assert len(bad) == 1 and bad[0]["raw"] == "this is not json" and "not JSON" in bad[0]["_meta"]["reason"]
    assert queue_depth(sqs, url) == 0


def test_sqs_fifo_keeps_group_order_and_records_fifo_fields(tmp_path, moto):
    sqs = moto.client("sqs")
    url = sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    send(sqs, url, [json.dumps({"event_id": f"f-{i}", "n": i}) for i in range(60)], fifo=True)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "stream", "orders", "--from", "sqs://orders.fifo", "--dataset", "fifo", "--until-idle", "--poll-seconds", "1",
         "--lake", str(root), env=moto.env())
    # Landing order: files in commit order (the catalog's ids), lines as received. (moto's
    # SequenceNumber is random, unlike SQS's, so it cannot order them.)
    with sqlite3.connect(root / "catalog.sqlite") as db:
        paths = [p for (p,) in db.execute("SELECT path FROM lake_files WHERE dataset = 'fifo' AND zone = 'raw' ORDER BY id")]
    lines = []
    for path in paths:
        with gzip.open(root / path, "rt") as f:
            lines += [json.loads(l) for l in f]
    assert sorted(l["value"]["n"] for l in lines) == list(range(60))
    by_group = {}
    for l in lines:
        by_group.setdefault(l["_meta"]["attributes"]["MessageGroupId"], []).append(l["value"]["n"])
    for group, ns in by_group.items():
        assert ns == sorted(ns), f"group {group} out of order: {ns}"
    assert all("MessageDeduplicationId" in l["_meta"]["attributes"] for l in lines)
    assert queue_depth(sqs, url) == 0


def test_sqs_killed_between_commit_and_delete_lands_nothing_twice(tmp_path, moto):
    sqs = moto.client("sqs")
    url = sqs.create_queue(QueueName="crashy", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
    send(sqs, url, [json.dumps(e) for e in events("c", 120)])
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["ingest", "stream", "crashy", "--from", "sqs://crashy", "--dataset", "crashy", "--until-idle", "--poll-seconds", "1",
            "--max-file-records", "40", "--lake", str(root)]
    # lake SIGKILLs itself right after its first raw commit, before deleting those messages.
    crashed = subprocess.run([LAKE, *args], env={**moto.env(), "LAKE_CRASH_AT": "stream:committed"}, capture_output=True)
    assert crashed.returncode == -signal.SIGKILL
    committed = catalog(root).execute("SELECT count(*) FROM lake_landed_messages").fetchone()[0]
    # None deleted. The depth is SQS's approximate count: a message whose visibility ran out
    # while it was counted can be counted twice (seen under load), never less.
    assert committed >= 40 and queue_depth(sqs, url) >= 120, "committed, not deleted"
    time.sleep(2.5)                       # the visibility timeout passes: SQS delivers them again
    lake(*args, env=moto.env())
    ids = [l["value"]["event_id"] for l in raw_lines(root, "crashy", "crashy")]
    assert Counter(ids) == Counter(f"c-{i}" for i in range(120))
    assert queue_depth(sqs, url) == 0


def test_a_wrong_secret_is_refused_once_with_a_clear_error(tmp_path):
    server = MotoServer(no_auth_calls=4)
    try:
        iam = server.client("iam")
        iam.create_user(UserName="lake")
        key = iam.create_access_key(UserName="lake")["AccessKey"]
        iam.put_user_policy(UserName="lake", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        sqs = server.client("sqs", key["AccessKeyId"], key["SecretAccessKey"])
        sqs.create_queue(QueueName="signed")
        root = tmp_path / "lake"
        lake("init", "--lake", str(root))
        ok = lake("ingest", "stream", "signed", "--from", "sqs://signed", "--dataset", "signed", "--until-idle", "--poll-seconds", "0",
                  "--lake", str(root), env=server.env(key["AccessKeyId"], key["SecretAccessKey"]))
        assert ok.returncode == 0
        started = time.time()
        bad = lake("ingest", "stream", "signed", "--from", "sqs://signed", "--dataset", "signed", "--until-idle", "--poll-seconds", "0",
                   "--lake", str(root), env=server.env(key["AccessKeyId"], "wrong-secret-value"), check=False)
        assert bad.returncode == 1 and time.time() - started < 10, "refused at once, not retried"
        assert key["AccessKeyId"] in bad.stderr and "refused" in bad.stderr
        assert "wrong-secret-value" not in bad.stderr + bad.stdout
    finally:
        server.stop()
