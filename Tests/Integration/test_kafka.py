"""Kafka topics into raw, exactly once, against librdkafka's mock cluster (Confluent's own
implementation of the protocol, on real ports), with producers from two independent
clients: confluent-kafka (librdkafka) and kafka-python."""
import base64
import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import LAKE, catalog, committed_files, lake
from kafka_mock import MockCluster, produce, wait_until

REGIONS = ["SE", "US", "BR", "JP", "DE", "GB"]


@pytest.fixture(scope="module")
def mock():
    return MockCluster(brokers=3)


def events(prefix, count, first=0):
    return [{"event_id": f"{prefix}-{i}", "user_id": f"user-{(i * 7919) % 613}", "region": REGIONS[i % len(REGIONS)],
             "played_at": f"2026-11-{1 + i % 28:02d}T12:00:00Z", "ms_played": 1000 + i} for i in range(first, first + count)]


def landed(root, source, dataset):
    files = list(Path(root, "raw", source, dataset).rglob("*.ndjson.gz"))
    if not files:
        return []
    rows = duckdb.connect().execute(
        f"SELECT value.event_id FROM read_json('{root}/raw/{source}/{dataset}/**/*.ndjson.gz', hive_partitioning=true)"
    ).fetchall()
    return [r[0] for r in rows]


def landed_count(root, dataset):
    try:
        return catalog(root).execute(
            "SELECT coalesce(sum(records), 0) FROM lake_files WHERE dataset = ? AND zone = 'raw'", (dataset,)).fetchone()[0]
    except Exception:
        return 0


def ingest(mock, root, topic, dataset, *args, check=True):
    return lake("ingest", "stream", topic, "--from", mock.url, "--dataset", dataset, "--lake", str(root),
                "--time-field", "played_at", "--region-field", "region", *args, check=check)


def start(mock, root, topic, dataset, *args, log=None):
    return subprocess.Popen([LAKE, "ingest", "stream", topic, "--from", mock.url, "--dataset", dataset,
                             "--lake", str(root), "--region-field", "region", "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=log or subprocess.PIPE, text=True)


def test_every_codec_and_both_clients_land_once_and_no_aborted_transaction(tmp_path, mock):
    import kafka
    topic = "codecs"
    mock.create_topic(topic, 6)
    expected = []
    for n, codec in enumerate(["none", "gzip", "snappy", "lz4", "zstd"]):
        batch = events(codec, 400)
        produce(mock.producer(**{"compression.type": codec}), topic, batch)
        expected += [e["event_id"] for e in batch]
    # A second, independent client: kafka-python (pure Python).
    py = kafka.KafkaProducer(bootstrap_servers=mock.bootstraps, api_version=(2, 3, 0), compression_type="gzip")
    for e in events("kafka-python", 300):
        py.send(topic, json.dumps(e).encode(), key=e["user_id"].encode())
        expected.append(e["event_id"])
    py.flush()
    py.close()
    # Transactions: one aborted, one committed, with plain events landing between them.
    tx = mock.producer(**{"transactional.id": "lake-test-tx", "compression.type": "lz4"})
    tx.init_transactions(30)
    tx.begin_transaction()
    produce(tx, topic, events("aborted", 250))
    plain = events("between", 100)
    produce(mock.producer(), topic, plain)
    expected += [e["event_id"] for e in plain]
    tx.abort_transaction(30)
    tx.begin_transaction()
    committed = events("committed", 250)
    produce(tx, topic, committed)
    tx.commit_transaction(30)
    expected += [e["event_id"] for e in committed]

    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    report = json.loads(ingest(mock, root, topic, "plays", "--until-idle", "--format", "json").stdout)
    ids = landed(root, topic, "plays")
    assert Counter(ids) == Counter(expected), f"{len(ids)} landed, {len(expected)} expected"
    assert not any(i.startswith("aborted") for i in ids)
    assert report["events"] == len(expected)
    assert sorted(report["partitions"]) == [0, 1, 2, 3, 4, 5]
    # Kafka's own view of the group (what kafka-consumer-groups shows) catches up with lake's.
    ends = mock.end_offsets(topic, 6)
    wait_until(lambda: mock.committed("lake", topic, 6) == ends, timeout=20, what="the group's offsets in Kafka")
    # Raw files are named <topic>+<partition>+<startOffset>, and _meta carries the Kafka record's facts.
    names = [p.name for p in Path(root, "raw", topic, "plays").rglob("*.ndjson.gz")]
    assert all(n.startswith(f"{topic}+") and n.count("+") == 2 for n in names), names[:3]
    meta = duckdb.connect().execute(
        f"SELECT _meta.partition, _meta.offset, _meta.key, _meta.timestamp.type FROM read_json('{root}/raw/{topic}/plays/**/*.ndjson.gz') LIMIT 1"
    ).fetchone()
    assert meta[2].startswith("user-") and meta[3] == "CreateTime"
    # Run again: nothing new, nothing doubled.
    again = json.loads(ingest(mock, root, topic, "plays", "--until-idle", "--format", "json").stdout)
    assert again["events"] == 0


def test_exactly_once_across_two_sigkills(tmp_path, mock):
    topic = "kills"
    mock.create_topic(topic, 6)
    batch = events("k", 60_000)
    produce(mock.producer(**{"compression.type": "zstd"}), topic, batch)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    args = ["--time-field", "played_at", "--max-file-records", "1500", "--group", "killers"]
    for after in (3, 9):
        proc = start(mock, root, topic, "plays", *args)
        wait_until(lambda: committed_files(root) >= after or proc.poll() is not None, timeout=120, what="commits")
        assert proc.poll() is None, f"the ingestion finished before it could be killed: {proc.stderr.read()}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert landed_count(root, "plays") < len(batch), "the kill came after everything had landed"
    ingest(mock, root, topic, "plays", "--until-idle", "--group", "killers", "--max-file-records", "1500")
    ids = landed(root, topic, "plays")
    assert len(ids) == len(batch) and Counter(ids) == Counter(e["event_id"] for e in batch)


def test_leader_moves_and_a_broker_down_lose_and_double_nothing(tmp_path, mock):
    topic = "moves"
    mock.create_topic(topic, 6)
    first = events("m1", 20_000)
    produce(mock.producer(), topic, first)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    proc = start(mock, root, topic, "plays", "--max-file-records", "1000", "--max-file-age", "1")
    try:
        wait_until(lambda: committed_files(root) >= 4, timeout=60, what="first commits")
        for partition in range(6):
            mock.set_leader(topic, partition, 1 + (partition + 1) % 3)
        second = events("m2", 20_000)
        produce(mock.producer(), topic, second[:10_000])
        mock.broker_down(2)                     # the leader of two partitions goes away for a while
        time.sleep(3)
        mock.broker_up(2)
        produce(mock.producer(), topic, second[10_000:])
        total = len(first) + len(second)
        wait_until(lambda: landed_count(root, "plays") >= total or proc.poll() is not None, timeout=120, what="every event")
        assert proc.poll() is None, proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    ids = landed(root, topic, "plays")
    assert Counter(ids) == Counter(e["event_id"] for e in first + second)


def test_events_deleted_before_lake_read_them_are_a_stream_gap(tmp_path, mock):
    topic = "gappy"
    mock.create_topic(topic, 1)
    produce(mock.producer(), topic, events("g1", 100))
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    ingest(mock, root, topic, "plays", "--until-idle")
    produce(mock.producer(), topic, events("g2", 100))
    mock.delete_records(topic, 0, 150)          # retention takes offsets 100–149 before lake reads them
    ingest(mock, root, topic, "plays", "--until-idle")
    ids = landed(root, topic, "plays")
    assert Counter(ids) == Counter([f"g1-{i}" for i in range(100)] + [f"g2-{i}" for i in range(50, 100)])
    report = json.loads(lake("governance", "--format", "json", "--lake", str(root), check=False).stdout)
    gaps = [f for f in report["findings"] if f["rule"] == "stream-gap"]
    assert len(gaps) == 1 and gaps[0]["severity"] == "error", gaps
    assert "100" in gaps[0]["message"] and "149" in gaps[0]["message"] and "gappy" in gaps[0]["message"]
    assert lake("governance", "--strict", "--lake", str(root), check=False).returncode == 3


def test_two_consumers_of_a_group_split_the_partitions_and_one_takes_over(tmp_path, mock):
    topic = "shared"
    mock.create_topic(topic, 6)
    first = events("s1", 12_000)
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    config = tmp_path / "kafka.properties"
    config.write_text("session.timeout.ms=4000\nheartbeat.interval.ms=500\n")
    args = ["--group", "pair", "--kafka-config", str(config), "--max-file-records", "500", "--max-file-age", "1"]
    a = start(mock, root, topic, "plays", *args)
    b = start(mock, root, topic, "plays", *args)
    try:
        time.sleep(4)                           # both have joined: the group has settled on two members
        for i in range(0, len(first), 2_000):
            produce(mock.producer(), topic, first[i:i + 2_000])
            time.sleep(0.2)
        wait_until(lambda: landed_count(root, "plays") >= len(first), timeout=120, what="the first events")
        owners = catalog(root).execute(
            "SELECT r.pid, count(DISTINCT f.path) FROM lake_files f JOIN lake_runs r ON r.id = f.run_id "
            "WHERE f.dataset = 'plays' GROUP BY r.pid").fetchall()
        assert len(owners) == 2, f"both consumers should land part of the topic: {owners}; " + \
            f"a: {a.poll()} b: {b.poll()} {a.stderr.read() if a.poll() is not None else ''} {b.stderr.read() if b.poll() is not None else ''}"
        os.kill(a.pid, signal.SIGKILL)
        a.wait()
        second = events("s2", 6_000)
        produce(mock.producer(), topic, second)
        wait_until(lambda: landed_count(root, "plays") >= len(first) + len(second) or b.poll() is not None,
                   timeout=120, what="the survivor to take over")
        assert b.poll() is None, b.stderr.read()
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)
    ids = landed(root, topic, "plays")
    assert Counter(ids) == Counter(e["event_id"] for e in first + second)


def test_headers_binary_keys_and_tombstones(tmp_path, mock):
    import kafka
    topic = "odd"
    mock.create_topic(topic, 1)
    py = kafka.KafkaProducer(bootstrap_servers=mock.bootstraps, api_version=(2, 3, 0))
    py.send(topic, b'{"event_id": "h1", "region": "SE"}', key=b"\xff\xfe\x00k",
            headers=[("trace", b"abc-123"), ("blob", b"\xff\x00\x01"), ("trace", b"second")])
    py.send(topic, None, key=b"user-9")          # a tombstone
    py.send(topic, b'{"event_id": "h2", "region": "US"}', key=None)
    py.flush()
    py.close()
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    lake("ingest", "stream", topic, "--from", mock.url, "--dataset", "odd", "--until-idle", "--lake", str(root))
    import gzip
    lines = [json.loads(l) for p in sorted(Path(root, "raw", topic, "odd").rglob("*.ndjson.gz")) for l in gzip.open(p, "rt")]
    by_id = {l["value"]["event_id"]: l["_meta"] for l in lines}
    h1 = by_id["h1"]
    assert h1["key_base64"] is True and base64.b64decode(h1["key"]) == b"\xff\xfe\x00k"
    assert h1["headers"]["trace"] == ["abc-123", "second"]
    assert base64.b64decode(h1["headers"]["blob"]) == b"\xff\x00\x01" and h1["headers_base64"] == ["blob"]
    assert h1["timestamp"]["type"] == "CreateTime" and h1["timestamp"]["ms"] > 1_700_000_000_000
    assert by_id["h2"]["key"] is None and "headers" not in by_id["h2"]
    quarantine = [json.loads(l) for p in Path(root, "quarantine", "odd").rglob("*.ndjson.gz") for l in gzip.open(p, "rt")]
    assert [q["_meta"]["reason"] for q in quarantine] == ["tombstone"] and quarantine[0]["_meta"]["key"] == "user-9"
    # Kept on request: the value is null.
    lake("ingest", "stream", topic, "--from", mock.url, "--dataset", "odd_all", "--group", "keep", "--tombstones", "keep",
         "--until-idle", "--lake", str(root))
    kept = [json.loads(l) for p in Path(root, "raw", topic, "odd_all").rglob("*.ndjson.gz") for l in gzip.open(p, "rt")]
    assert sorted(json.dumps(l["value"]) for l in kept).count("null") == 1 and len(kept) == 3


def test_from_offset_from_time_and_partitions(tmp_path, mock):
    topic = "starts"
    mock.create_topic(topic, 2)
    # Keyed by event id so both partitions get records: without a key librdkafka's sticky partitioner may put a
    # whole quick burst on one partition.
    by_event = lambda e: e["event_id"]
    produce(mock.producer(), topic, events("a", 200), key=by_event)
    time.sleep(1.2)
    cut = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    time.sleep(1.2)
    produce(mock.producer(), topic, events("b", 100), key=by_event)
    assert all(end > 0 for end in mock.end_offsets(topic, 2))
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    # The mock cannot look offsets up by time: lake reads from the start and skips older records.
    lake("ingest", "stream", topic, "--from", mock.url, "--dataset", "late", "--from-time", cut, "--until-idle", "--lake", str(root))
    assert sorted(landed(root, topic, "late")) == sorted(f"b-{i}" for i in range(100))
    lake("ingest", "stream", topic, "--from", mock.url, "--dataset", "one", "--partitions", "1", "--from-offset", "0",
         "--until-idle", "--lake", str(root))
    partitions = duckdb.connect().execute(
        f"SELECT DISTINCT _meta.partition FROM read_json('{root}/raw/{topic}/one/**/*.ndjson.gz')").fetchall()
    assert partitions == [(1,)]


def test_a_missing_topic_a_dead_broker_and_a_secret_in_the_config_are_clear_errors(tmp_path, mock, monkeypatch):
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    missing = lake("ingest", "stream", "nope", "--from", mock.url, "--dataset", "x", "--until-idle", "--lake", str(root), check=False)
    assert missing.returncode == 1 and "no topic 'nope'" in missing.stderr
    dead = lake("ingest", "stream", "t", "--from", "kafka://127.0.0.1:9", "--dataset", "x", "--until-idle", "--lake", str(root), check=False)
    assert dead.returncode == 1 and "127.0.0.1:9" in dead.stderr
    config = tmp_path / "bad.properties"
    config.write_text("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=lake\nsasl.password=hunter2-secret\n")
    literal = lake("ingest", "stream", "t", "--from", mock.url, "--kafka-config", str(config), "--dataset", "x",
                   "--until-idle", "--lake", str(root), check=False)
    assert literal.returncode == 1 and "sasl.password" in literal.stderr and "hunter2-secret" not in literal.stderr
    config.write_text("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=lake\nsasl.password=${LAKE_TEST_KAFKA_SECRET}\n")
    unset = lake("ingest", "stream", "t", "--from", mock.url, "--kafka-config", str(config), "--dataset", "x",
                 "--until-idle", "--lake", str(root), check=False)
    assert unset.returncode == 1 and "LAKE_TEST_KAFKA_SECRET" in unset.stderr
    # The mock cluster has no SASL: a broker that does not speak it is named, and the secret is not.
    env = {**os.environ, "LAKE_TEST_KAFKA_SECRET": "s3cr3t-value"}
    refused = lake("ingest", "stream", "t", "--from", mock.url, "--kafka-config", str(config), "--dataset", "x",
                   "--until-idle", "--lake", str(root), env=env, check=False)
    assert refused.returncode == 1 and "s3cr3t-value" not in refused.stderr + refused.stdout
    assert "SaslHandshake" in refused.stderr


@pytest.fixture(scope="module")
def sasl(mock):
    """The mock behind a SASL listener (kafka_sasl_front.py): the mock itself has no SASL."""
    from kafka_sasl_front import SaslFront
    front = SaslFront(mock.bootstraps, {"analyst": "s3cr3t-kafka-pw"})
    yield front
    front.close()


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_logs_in_with_the_password_from_the_environment(tmp_path, mock, sasl, mechanism):
    topic = "sasl-" + mechanism.lower().replace("-", "")
    mock.create_topic(topic, 2)
    batch = events(topic, 120)
    produce(mock.producer(), topic, batch)
    config = tmp_path / "kafka.properties"
    config.write_text(f"security.protocol=sasl_plaintext\nsasl.mechanism={mechanism}\n"
                      "sasl.username=analyst\nsasl.password=${KAFKA_PASSWORD}\n")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    env = {**os.environ, "KAFKA_PASSWORD": "s3cr3t-kafka-pw"}
    run = lake("ingest", "stream", topic, "--from", "kafka://" + sasl.bootstraps, "--kafka-config", str(config),
               "--dataset", "plays", "--lake", str(root), "--region-field", "region", "--until-idle",
               "--reset", "earliest", env=env)
    assert sorted(landed(root, topic.replace("-", "_"), "plays")) == sorted(e["event_id"] for e in batch)
    assert "s3cr3t" not in run.stderr + run.stdout


def test_a_wrong_sasl_password_is_refused_clearly_and_never_shown(tmp_path, mock, sasl):
    mock.create_topic("sasl-wrong", 1)
    config = tmp_path / "kafka.properties"
    config.write_text("security.protocol=sasl_plaintext\nsasl.mechanism=SCRAM-SHA-256\n"
                      "sasl.username=analyst\nsasl.password=${KAFKA_PASSWORD}\n")
    root = tmp_path / "lake"
    lake("init", "--lake", str(root))
    env = {**os.environ, "KAFKA_PASSWORD": "not-the-pw-9931"}
    failed = lake("ingest", "stream", "sasl-wrong", "--from", "kafka://" + sasl.bootstraps, "--kafka-config", str(config),
                  "--dataset", "plays", "--lake", str(root), "--until-idle", check=False, env=env)
    assert failed.returncode == 1
    message = failed.stderr.lower()
    assert "scram-sha-256" in message and "analyst" in message and ("authentication" in message or "sasl" in message)
    assert "not-the-pw-9931" not in failed.stderr + failed.stdout
    assert not list((root / "raw").rglob("*.ndjson.gz"))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA, a broker certificate for 127.0.0.1 and a client certificate, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=lake test CA")
    for name, extra in (("broker", "subjectAltName=IP:127.0.0.1"), ("client", "extendedKeyUsage=clientAuth")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        (folder / f"{name}.ext").write_text(extra + "\n")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", f"{name}.pem",
            "-days", "2", "-extfile", f"{name}.ext")
    return folder


def test_tls_with_a_ca_file_and_a_client_certificate_then_sasl_over_it(tmp_path, mock, certificates):
    import ssl
    from kafka_sasl_front import SaslFront
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "broker.pem", certificates / "broker.key")
    context.load_verify_locations(certificates / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED   # mutual TLS: the client must show a certificate from the CA
    front = SaslFront(mock.bootstraps, {"analyst": "tls-pw-4410"}, tls=context)
    try:
        mock.create_topic("tls-topic", 2)
        batch = events("tls", 80)
        produce(mock.producer(), "tls-topic", batch)
        config = tmp_path / "kafka.properties"
        config.write_text(f"security.protocol=sasl_ssl\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=analyst\n"
                          f"sasl.password=${{KAFKA_PASSWORD}}\nssl.ca.location={certificates / 'ca.pem'}\n"
                          f"ssl.certificate.location={certificates / 'client.pem'}\nssl.key.location={certificates / 'client.key'}\n")
        root = tmp_path / "lake"
        lake("init", "--lake", str(root))
        env = {**os.environ, "KAFKA_PASSWORD": "tls-pw-4410"}
        lake("ingest", "stream", "tls-topic", "--from", "kafka://" + front.bootstraps, "--kafka-config", str(config),
             "--dataset", "plays", "--lake", str(root), "--region-field", "region", "--until-idle", "--reset", "earliest", env=env)
        assert sorted(landed(root, "tls_topic", "plays")) == sorted(e["event_id"] for e in batch)

        # Without the CA file the broker's certificate is not trusted: a clear error, nothing landed.
        config.write_text("security.protocol=ssl\n")
        failed = lake("ingest", "stream", "tls-topic", "--from", "kafka://" + front.bootstraps, "--kafka-config", str(config),
                      "--dataset", "other", "--lake", str(root), "--until-idle", check=False, env=env)
        assert failed.returncode == 1 and "ssl.ca.location" in failed.stderr, failed.stderr
    finally:
        front.close()


def test_partitions_added_while_running_are_taken_up(tmp_path, mock):
    """The mock cannot add partitions to a topic, so a listener in front of it first shows only
    two of the topic's four, then all four, as a broker does after kafka-topics --alter."""
    from kafka_sasl_front import SaslFront
    front = SaslFront(mock.bootstraps, {}, sasl=False)
    front.hide_partitions = {"growing": 2}
    try:
        mock.create_topic("growing", 4)
        batch = events("grow", 200)
        produce(mock.producer(), "growing", batch)
        config = tmp_path / "kafka.properties"
        config.write_text("heartbeat.interval.ms=1000\n")
        root = tmp_path / "lake"
        lake("init", "--lake", str(root))
        run = subprocess.Popen([LAKE, "ingest", "stream", "growing", "--from", "kafka://" + front.bootstraps, "--kafka-config",
                                str(config), "--dataset", "plays", "--lake", str(root), "--region-field", "region",
                                "--reset", "earliest", "--max-file-age", "1", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: landed_count(root, "plays") > 0, what="the first two partitions")
        time.sleep(2)
        assert 0 < landed_count(root, "plays") < 200          # only partitions 0 and 1 so far
        front.hide_partitions = {}
        wait_until(lambda: landed_count(root, "plays") == 200, timeout=90, what="the added partitions")
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0, run.stderr.read()
        assert sorted(landed(root, "growing", "plays")) == sorted(e["event_id"] for e in batch)
    finally:
        front.close()
