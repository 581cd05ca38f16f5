import Foundation
import LakeCore

/// One record of a v2 record batch, with its key, value and header bytes copied out.
struct KafkaRecord: Sendable {
    enum TimestampType: String, Sendable { case createTime = "CreateTime", logAppendTime = "LogAppendTime" }

    var offset: Int64
    var timestamp: Int64
    var timestampType: TimestampType
    var key: [UInt8]?
    /// Nil for a tombstone.
    var value: [UInt8]?
    var headers: [(key: String, value: [UInt8]?)]
    /// Set for records of a transaction (to be kept or dropped by its control marker).
    var producerId: Int64?
}

/// What a fetched record set holds, batch by batch, in offset order.
enum RecordSetEntry: Sendable {
    case record(KafkaRecord)
    /// A transaction's end: COMMIT (`committed`) or ABORT for `producerId`.
    case marker(producerId: Int64, committed: Bool, offset: Int64)
    /// A batch that holds nothing to deliver (an empty or unknown control batch); its last offset.
    case skipped(lastOffset: Int64)
}

/// Decodes record batches (magic 2, KIP-98): checks each batch's CRC-32C, decompresses
/// gzip, snappy (raw or xerial-framed), lz4 (frame) and zstd, and reads the records' varint
/// fields. A truncated batch at the end of a record set (the fetch's size limit cut it) is
/// left for the next fetch.
enum RecordBatch {
    static let headerSize = 61

    static func decode(_ bytes: [UInt8], range: Range<Int>, topic: String, partition: Int32,
                       from offset: Int64, next: inout Int64, into out: inout [RecordSetEntry]) throws {
        var p = range.lowerBound
        while range.upperBound - p >= 12 {
            var head = KafkaReader(bytes, from: p, to: range.upperBound)
            let base = try head.int64("baseOffset")
            let length = Int(try head.int32("batchLength"))
            guard length >= 0 else { throw KafkaError.corruptBatch(topic: topic, partition: partition, offset: base, reason: "negative batch length") }
            let end = p + 12 + length
            if end > range.upperBound { break }                          // cut by the fetch size: next time
            defer { p = end }
            guard length >= headerSize - 12 else {
                throw KafkaError.corruptBatch(topic: topic, partition: partition, offset: base, reason: "a batch of \(length) bytes is shorter than its header")
            }
            _ = try head.int32("partitionLeaderEpoch")
            let magic = try head.int8("magic")
            guard magic == 2 else {
                throw KafkaError.unsupported("\(topic)/\(partition) at offset \(base) holds message format v\(magic) (Kafka before 0.11); lake reads record batches v2 — upgrade the topic's message format")
            }
            let crc = try head.uint32("crc")
            let attributesPeek = UInt16(bytes[p + 21]) << 8 | UInt16(bytes[p + 22])
            let computed = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(p + 21)..<end])) }
            // librdkafka's mock cluster writes its transaction markers with no CRC (0); brokers
            // always fill it in. Only that case goes unchecked.
            let unsignedMarker = crc == 0 && attributesPeek & 0x20 != 0
            guard crc == computed || unsignedMarker else {
                throw KafkaError.corruptBatch(topic: topic, partition: partition, offset: base,
                                              reason: String(format: "CRC-32C is %08x, the batch says %08x", computed, crc))
            }
            let attributes = try head.int16("attributes")
            let lastOffsetDelta = try head.int32("lastOffsetDelta")
            let baseTimestamp = try head.int64("baseTimestamp")
            let maxTimestamp = try head.int64("maxTimestamp")
            let producerId = try head.int64("producerId")
            _ = try head.int16("producerEpoch")
            _ = try head.int32("baseSequence")
            let count = Int(try head.int32("records count"))
            let lastOffset = base + Int64(lastOffsetDelta)
            if lastOffset < offset { continue }                          // before the fetch offset (a compressed batch starts earlier)
            next = max(next, lastOffset + 1)
            let isTransactional = attributes & 0x10 != 0
            let isControl = attributes & 0x20 != 0
            let logAppend = attributes & 0x08 != 0

            let payload: [UInt8]
            let bodyRange = (p + headerSize)..<end
            switch attributes & 0x07 {
            case 0: payload = []
            case 1: payload = try codec("gzip", base) { try GzipReader.decompress(Array(bytes[bodyRange])) }
            case 2: payload = try codec("snappy", base) { try bytes.withUnsafeBytes { try SnappyFraming.decompress(UnsafeRawBufferPointer(rebasing: $0[bodyRange])) } }
            case 3: payload = try codec("lz4", base) { try bytes.withUnsafeBytes { try LZ4.decompressFrame(UnsafeRawBufferPointer(rebasing: $0[bodyRange])) } }
            case 4: payload = try codec("zstd", base) { try bytes.withUnsafeBytes { try Zstd.shared.get().decompress(UnsafeRawBufferPointer(rebasing: $0[bodyRange])) } }
            case let other:
                throw KafkaError.corruptBatch(topic: topic, partition: partition, offset: base, reason: "unknown compression type \(other)")
            }
            func codec(_ name: String, _ base: Int64, _ body: () throws -> [UInt8]) throws -> [UInt8] {
                do { return try body() } catch {
                    throw KafkaError.corruptBatch(topic: topic, partition: partition, offset: base, reason: "\(name): \(error)")
                }
            }
            var r = attributes & 0x07 == 0 ? KafkaReader(bytes, from: bodyRange.lowerBound, to: bodyRange.upperBound)
                                          : KafkaReader(payload)
            if isControl {
                // One control record: key = version INT16, type INT16 (0 ABORT, 1 COMMIT).
                var kind: Int16 = -1
                if count > 0 {
                    _ = try r.varint("control record length")
                    _ = try r.int8("attributes")
                    _ = try r.varint("timestampDelta")
                    _ = try r.varint("offsetDelta")
                    if let key = try r.varintBytes("control key"), key.count >= 4 {
                        kind = Int16(bitPattern: UInt16(r.bytes[key.lowerBound + 2]) << 8 | UInt16(r.bytes[key.lowerBound + 3]))
                    }
                }
                if kind == 0 || kind == 1 {
                    out.append(.marker(producerId: producerId, committed: kind == 1, offset: lastOffset))
                } else {
                    out.append(.skipped(lastOffset: lastOffset))
                }
                continue
            }
            var delivered = false
            for _ in 0..<max(0, count) {
                let length = Int(try r.varint("record length"))
                let recordEnd = r.position + length
                guard length >= 0, recordEnd <= r.end else {
                    throw KafkaError.corruptBatch(topic: topic, partition: partition, offset: base, reason: "a record runs past its batch")
                }
                _ = try r.int8("record attributes")
                let timestampDelta = try r.varint("timestampDelta")
                let offsetDelta = try r.varint("offsetDelta")
                let key = try r.varintBytes("key").map { Array(r.bytes[$0]) }
                let value = try r.varintBytes("value").map { Array(r.bytes[$0]) }
                let headerCount = Int(try r.varint("headers count"))
                var headers: [(key: String, value: [UInt8]?)] = []
                for _ in 0..<max(0, headerCount) {
                    guard let name = try r.varintBytes("header key") else { continue }
                    let headerKey = String(decoding: r.bytes[name], as: UTF8.self)
                    headers.append((headerKey, try r.varintBytes("header value").map { Array(r.bytes[$0]) }))
                }
                let recordOffset = base + offsetDelta
                r = KafkaReader(r.bytes, from: recordEnd, to: r.end)
                guard recordOffset >= offset else { continue }
                delivered = true
                out.append(.record(KafkaRecord(
                    offset: recordOffset, timestamp: logAppend ? maxTimestamp : baseTimestamp + timestampDelta,
                    timestampType: logAppend ? .logAppendTime : .createTime, key: key, value: value, headers: headers,
                    producerId: isTransactional ? producerId : nil)))
            }
            if !delivered { out.append(.skipped(lastOffset: lastOffset)) }
        }
    }
}

/// Snappy as Kafka's Java client writes it: xerial's framing (a magic header, then
/// length-prefixed raw snappy chunks), or a bare raw snappy block (librdkafka can write either).
enum SnappyFraming {
    static let magic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]

    static func decompress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count >= 16, input.prefix(8).elementsEqual(magic) else { return try Snappy.decompress(input) }
        var out: [UInt8] = []
        var p = 16                                                       // magic, version, compatible version
        while p + 4 <= input.count {
            let n = Int(input[p]) << 24 | Int(input[p + 1]) << 16 | Int(input[p + 2]) << 8 | Int(input[p + 3])
            p += 4
            guard n >= 0, p + n <= input.count else { throw CodecError.corrupt(codec: "snappy", "a xerial chunk runs past the end") }
            out += try Snappy.decompress(UnsafeRawBufferPointer(rebasing: input[p..<(p + n)]))
            p += n
        }
        return out
    }
}
