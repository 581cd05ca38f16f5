"""librdkafka's mock Kafka cluster, from the confluent-kafka wheel, driven through its C API.

It is Confluent's own implementation of the Kafka protocol on real TCP ports; it lives as
long as this Python process. The mock API controls partition counts, leaders, brokers going
down and records deleted by retention."""
import ctypes
import glob
import os
import time

import confluent_kafka


class MockCluster:
    def __init__(self, brokers=3):
        libs = glob.glob(os.path.join(os.path.dirname(confluent_kafka.__file__), "..", "confluent_kafka.libs", "librdkafka*.so*"))
        if not libs:
            raise RuntimeError("confluent-kafka's bundled librdkafka is missing: run scripts/setup")
        lib = ctypes.CDLL(libs[0])
        self.lib = lib
        lib.rd_kafka_conf_new.restype = ctypes.c_void_p
        lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.rd_kafka_new.restype = ctypes.c_void_p
        lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
        lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
        lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
        lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        lib.rd_kafka_mock_partition_set_leader.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
        lib.rd_kafka_mock_broker_set_down.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        lib.rd_kafka_mock_broker_set_up.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        lib.rd_kafka_mock_partition_delete_records.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int64]
        lib.rd_kafka_mock_group_initial_rebalance_delay_ms.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        errstr = ctypes.create_string_buffer(512)
        conf = lib.rd_kafka_conf_new()
        lib.rd_kafka_conf_set(conf, b"log_level", b"0", errstr, 512)
        self.rk = lib.rd_kafka_new(0, conf, errstr, 512)
        if not self.rk:
            raise RuntimeError(errstr.value.decode())
        self.cluster = lib.rd_kafka_mock_cluster_new(self.rk, brokers)
        self.bootstraps = lib.rd_kafka_mock_cluster_bootstraps(self.cluster).decode()
        lib.rd_kafka_mock_group_initial_rebalance_delay_ms(self.cluster, 200)

    @property
    def url(self):
        return "kafka://" + self.bootstraps

    def create_topic(self, topic, partitions):
        err = self.lib.rd_kafka_mock_topic_create(self.cluster, topic.encode(), partitions, 1)
        assert err == 0, f"rd_kafka_mock_topic_create: {err}"

    def set_leader(self, topic, partition, broker):
        assert self.lib.rd_kafka_mock_partition_set_leader(self.cluster, topic.encode(), partition, broker) == 0

    def broker_down(self, broker):
        assert self.lib.rd_kafka_mock_broker_set_down(self.cluster, broker) == 0

    def broker_up(self, broker):
        assert self.lib.rd_kafka_mock_broker_set_up(self.cluster, broker) == 0

    def delete_records(self, topic, partition, before):
        err = self.lib.rd_kafka_mock_partition_delete_records(self.cluster, topic.encode(), partition, before)
        assert err == 0, f"rd_kafka_mock_partition_delete_records: {err}"

    def producer(self, **conf):
        return confluent_kafka.Producer({"bootstrap.servers": self.bootstraps, "linger.ms": 5, **conf})

    def end_offsets(self, topic, partitions):
        consumer = confluent_kafka.Consumer({"bootstrap.servers": self.bootstraps, "group.id": "lake-test-probe"})
        try:
            return [consumer.get_watermark_offsets(confluent_kafka.TopicPartition(topic, p), timeout=10)[1]
                    for p in range(partitions)]
        finally:
            consumer.close()

    def committed(self, group, topic, partitions):
        """The group's offsets as Kafka's own tools see them."""
        consumer = confluent_kafka.Consumer({"bootstrap.servers": self.bootstraps, "group.id": group})
        try:
            tps = consumer.committed([confluent_kafka.TopicPartition(topic, p) for p in range(partitions)], timeout=10)
            return [tp.offset for tp in tps]
        finally:
            consumer.close()


def produce(producer, topic, events, key=lambda e: e["user_id"]):
    import json
    for e in events:
        while True:
            try:
                producer.produce(topic, json.dumps(e).encode(), key=key(e).encode() if key else None)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    assert producer.flush(30) == 0


def wait_until(condition, timeout=60, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
