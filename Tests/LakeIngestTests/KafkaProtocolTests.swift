import Foundation
import LakeCore
@testable import LakeIngest
import Testing

/// The Kafka client's pieces that need no broker: record batches, read_committed from the
/// markers, SCRAM against RFC 7677's example, and the settings file.
@Suite struct KafkaProtocolTests {
    struct Rec { var delta: Int64; var key: [UInt8]?; var value: [UInt8]?; var headers: [(String, [UInt8]?)] = [] }

    /// A v2 record batch as a producer writes it, with its CRC-32C.
    func batch(base: Int64, records: [Rec], codec: Int16 = 0, transactional: Int64? = nil, control: Int16? = nil,
               logAppend: Bool = false, corruptCRC: Bool = false) -> [UInt8] {
        var body = KafkaWriter()
        for r in records {
            var rec = KafkaWriter()
            rec.int8(0)
            rec.varint(r.delta * 10)                         // timestamp delta
            rec.varint(r.delta)                              // offset delta
            if let key = r.key { rec.varint(Int64(key.count)); rec.raw(key) } else { rec.varint(-1) }
            if let value = r.value { rec.varint(Int64(value.count)); rec.raw(value) } else { rec.varint(-1) }
            rec.varint(Int64(r.headers.count))
            for (k, v) in r.headers {
                rec.varint(Int64(k.utf8.count)); rec.raw(Array(k.utf8))
                if let v { rec.varint(Int64(v.count)); rec.raw(v) } else { rec.varint(-1) }
            }
            body.varint(Int64(rec.bytes.count))
            body.raw(rec.bytes)
        }
        var payload = body.bytes
        if codec == 2 {
            var out: [UInt8] = []
            payload.withUnsafeBytes { Snappy.compress($0, into: &out) }
            // xerial framing, as the Java client writes it.
            var framed = KafkaWriter()
            framed.raw(SnappyFraming.magic); framed.int32(1); framed.int32(1)
            framed.int32(Int32(out.count)); framed.raw(out)
            payload = framed.bytes
        }
        var afterCRC = KafkaWriter()
        var attributes = codec
        if logAppend { attributes |= 0x08 }
        if transactional != nil { attributes |= 0x10 }
        if control != nil { attributes |= 0x20 }
        afterCRC.int16(attributes)
        afterCRC.int32(Int32(records.last?.delta ?? 0))
        afterCRC.int64(1_764_400_000_000)                    // base timestamp
        afterCRC.int64(1_764_400_009_999)                    // max timestamp
        afterCRC.int64(transactional ?? -1)
        afterCRC.int16(0)
        afterCRC.int32(0)
        afterCRC.int32(Int32(records.count))
        afterCRC.raw(payload)
        var crc = afterCRC.bytes.withUnsafeBytes { CRC32C.checksum($0) }
        if corruptCRC { crc ^= 1 }
        var out = KafkaWriter()
        out.int64(base)
        out.int32(Int32(4 + 1 + 4 + afterCRC.bytes.count))
        out.int32(0)                                         // partition leader epoch
        out.int8(2)
        out.int32(Int32(bitPattern: crc))
        out.raw(afterCRC.bytes)
        return out.bytes
    }

    func control(base: Int64, producer: Int64, commit: Bool) -> [UInt8] {
        var key = KafkaWriter(); key.int16(0); key.int16(commit ? 1 : 0)
        return batch(base: base, records: [Rec(delta: 0, key: key.bytes, value: [0, 0, 0, 0, 0, 0])], transactional: producer, control: 1)
    }

    func decode(_ bytes: [UInt8], from: Int64 = 0) throws -> (entries: [RecordSetEntry], next: Int64) {
        var entries: [RecordSetEntry] = []
        var next = from
        try RecordBatch.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, from: from, next: &next, into: &entries)
        return (entries, next)
    }

    @Test func readsRecordsWithKeysHeadersAndTombstones() throws {
        let bytes = batch(base: 100, records: [
            Rec(delta: 0, key: Array("u1".utf8), value: Array(#"{"a":1}"#.utf8), headers: [("trace", Array("x".utf8)), ("n", nil)]),
            Rec(delta: 1, key: nil, value: nil),
        ])
        let (entries, next) = try decode(bytes, from: 100)
        #expect(next == 102)
        guard case let .record(first) = entries[0], case let .record(second) = entries[1] else { Issue.record("\(entries)"); return }
        #expect(first.offset == 100 && first.key == Array("u1".utf8) && first.value == Array(#"{"a":1}"#.utf8))
        #expect(first.headers.map(\.key) == ["trace", "n"] && first.headers[1].value == nil)
        #expect(first.timestamp == 1_764_400_000_000 && first.timestampType == .createTime)
        #expect(second.offset == 101 && second.value == nil && second.timestamp == 1_764_400_000_010)
    }

    @Test func logAppendTimeIsTheBatchMaxTimestamp() throws {
        let (entries, _) = try decode(batch(base: 0, records: [Rec(delta: 0, key: nil, value: [0x7B, 0x7D])], logAppend: true))
        guard case let .record(r) = entries[0] else { Issue.record("no record"); return }
        #expect(r.timestampType == .logAppendTime && r.timestamp == 1_764_400_009_999)
    }

    @Test func snappyInXerialFramingAndSkippingRecordsBeforeTheFetchOffset() throws {
        let records = (0..<5).map { Rec(delta: Int64($0), key: nil, value: Array("{\"i\":\($0)}".utf8)) }
        let (entries, next) = try decode(batch(base: 10, records: records, codec: 2), from: 12)
        #expect(entries.count == 3 && next == 15)
        if case let .record(r) = entries[0] { #expect(r.offset == 12 && r.value == Array(#"{"i":2}"#.utf8)) }
    }

    @Test func aBadCRCNamesTheOffset() {
        #expect { try decode(batch(base: 7, records: [Rec(delta: 0, key: nil, value: [1])], corruptCRC: true)) } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.message.contains("offset 7") && error.message.contains("CRC-32C")
        }
    }

    @Test func aBatchCutByTheFetchLimitWaitsForTheNextFetch() throws {
        let whole = batch(base: 0, records: [Rec(delta: 0, key: nil, value: [1])])
        let cut = whole + Array(batch(base: 1, records: [Rec(delta: 0, key: nil, value: [2])]).prefix(30))
        let (entries, next) = try decode(cut)
        #expect(entries.count == 1 && next == 1)
    }

    @Test func transactionsResolveByTheirMarkersInOffsetOrder() throws {
        var bytes = batch(base: 0, records: [Rec(delta: 0, key: nil, value: Array("a0".utf8))], transactional: 7)       // aborted later
        bytes += batch(base: 1, records: [Rec(delta: 0, key: nil, value: Array("c1".utf8))], transactional: 8)          // committed later
        bytes += batch(base: 2, records: [Rec(delta: 0, key: nil, value: Array("plain".utf8))])
        bytes += control(base: 3, producer: 7, commit: false)
        bytes += control(base: 4, producer: 8, commit: true)
        bytes += batch(base: 5, records: [Rec(delta: 0, key: nil, value: Array("open".utf8))], transactional: 9)        // still open
        bytes += batch(base: 6, records: [Rec(delta: 0, key: nil, value: Array("after".utf8))])
        let (entries, next) = try decode(bytes)
        #expect(next == 7)
        var filter = TransactionFilter()
        var ready: [KafkaRecord] = []
        for entry in entries { filter.add(entry, ready: &ready) }
        // The aborted record is gone; the open transaction holds back what follows it.
        #expect(ready.map { String(decoding: $0.value!, as: UTF8.self) } == ["c1", "plain"])
        #expect(!filter.isEmpty)
        var more: [KafkaRecord] = []
        filter.add(.marker(producerId: 9, committed: true, offset: 7), ready: &more)
        #expect(more.map { String(decoding: $0.value!, as: UTF8.self) } == ["open", "after"])
    }

    @Test func scramSHA256MatchesRFC7677() throws {
        var scram = ScramClient(username: "user", password: "pencil", sha512: false, nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(scram.clientFirst() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try scram.clientFinal(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try scram.verify(serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        #expect(throws: (any Error).self) { try scram.verify(serverFinal: "v=AAAArBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=") }
    }

    @Test func scramRefusesAServerNonceThatDoesNotExtendOurs() {
        var scram = ScramClient(username: "u", password: "p", sha512: true, nonce: "abc")
        _ = scram.clientFirst()
        #expect(throws: (any Error).self) { try scram.clientFinal(serverFirst: "r=zzz,s=QUJD,i=4096") }
    }

    @Test func settingsReadLibrdkafkaNamesAndSecretsOnlyFromTheEnvironment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-settings-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("client.properties").path
        try "# a comment\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanisms=SCRAM-SHA-512\nsasl.username=lake\nsasl.password=${KAFKA_PW}\nsession.timeout.ms=6000\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let s = try KafkaSettings.parse(url: "kafka://b1:9092,b2:9093", configFile: file, environment: ["KAFKA_PW": "pw"])
        #expect(s.bootstrap.map(\.host) == ["b1", "b2"] && s.bootstrap.map(\.port) == [9092, 9093])
        #expect(s.sasl?.mechanism == .scramSHA512 && s.sasl?.username == "lake" && s.sessionTimeoutMs == 6000 && !s.tls)
        try "sasl.password=hunter2\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect { try KafkaSettings.parse(url: "kafka://b:1", configFile: file, environment: [:]) } throws: { error in
            let message = (error as? KafkaError)?.message ?? ""
            return message.contains("${VARIABLE}") && !message.contains("hunter2")
        }
        try "fetch.min.bytes=1\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: KafkaError.self) { try KafkaSettings.parse(url: "kafka://b:1", configFile: file, environment: [:]) }
        #expect(throws: KafkaError.self) { try KafkaSettings.parse(url: "kafka://nohostport", configFile: nil) }
    }

    @Test func rangeAssignorSplitsPartitionsInMemberOrder() throws {
        let plan = ConsumerProtocol.range(members: [("b", ["t"]), ("a", ["t"])], partitions: ["t": 5])
        #expect(plan["a"]?["t"] == [0, 1, 2] && plan["b"]?["t"] == [3, 4])
        let bytes = ConsumerProtocol.assignment(plan["a"]!)
        #expect(try ConsumerProtocol.partitions(inAssignment: bytes) == ["t": [0, 1, 2]])
    }
}
