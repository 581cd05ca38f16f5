import Crypto
import Foundation

/// Records packed by the Kinesis Producer Library: `F3 89 9A C2`, a protobuf
/// `AggregatedRecord`, and the MD5 of that protobuf. Each user record inside gets its index
/// as sub-sequence number.
///
/// ```
/// message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
///                            repeated Record records = 3; }
/// message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
///                  required bytes data = 3; repeated Tag tags = 4; }
/// ```
enum KPLAggregate {
    static let magic: [UInt8] = [0xF3, 0x89, 0x9A, 0xC2]

    struct UserRecord: Equatable {
        var partitionKey: String
        var data: [UInt8]
    }

    enum Failure: Error, CustomStringConvertible {
        case checksum
        case malformed(String)
        var description: String {
            switch self {
            case .checksum: return "KPL aggregated record: its MD5 does not match (the record is damaged)"
            case let .malformed(why): return "KPL aggregated record: \(why)"
            }
        }
    }

    static func isAggregated(_ data: [UInt8]) -> Bool {
        data.count > magic.count + 16 && data.starts(with: magic)
    }

    static func deaggregate(_ data: [UInt8]) throws -> [UserRecord] {
        let body = Array(data[magic.count..<(data.count - 16)])
        guard Array(Insecure.MD5.hash(data: body)) == Array(data.suffix(16)) else { throw Failure.checksum }
        var reader = ProtobufReader(body)
        var keys: [String] = []
        var records: [(key: Int, data: [UInt8])] = []
        while let (field, wire) = try reader.tag() {
            switch (field, wire) {
            case (1, 2): keys.append(String(decoding: try reader.lengthDelimited(), as: UTF8.self))
            case (3, 2):
                var inner = ProtobufReader(try reader.lengthDelimited())
                var key = 0
                var bytes: [UInt8]?
                while let (f, w) = try inner.tag() {
                    switch (f, w) {
                    case (1, 0): key = Int(try inner.varint())
                    case (3, 2): bytes = try inner.lengthDelimited()
                    default: try inner.skip(w)
                    }
                }
                guard let bytes else { throw Failure.malformed("a record without data") }
                records.append((key, bytes))
            default: try reader.skip(wire)
            }
        }
        return try records.map {
            guard $0.key < keys.count else { throw Failure.malformed("partition key index \($0.key) of \(keys.count)") }
            return UserRecord(partitionKey: keys[$0.key], data: $0.data)
        }
    }

    /// Packs user records as the KPL does (for tests and the simulator).
    static func aggregate(_ records: [UserRecord]) -> [UInt8] {
        var keys: [String] = []
        var body: [UInt8] = []
        for record in records where !keys.contains(record.partitionKey) { keys.append(record.partitionKey) }
        for key in keys { ProtobufReader.append(field: 1, bytes: Array(key.utf8), to: &body) }
        for record in records {
            var inner: [UInt8] = [0x08]
            ProtobufReader.appendVarint(UInt64(keys.firstIndex(of: record.partitionKey)!), to: &inner)
            ProtobufReader.append(field: 3, bytes: record.data, to: &inner)
            ProtobufReader.append(field: 3, bytes: inner, to: &body)
        }
        return magic + body + Array(Insecure.MD5.hash(data: body))
    }
}

/// Just enough protobuf: tags, varints, length-delimited fields, skipping the rest.
struct ProtobufReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func tag() throws -> (Int, Int)? {
        guard position < bytes.count else { return nil }
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw KPLAggregate.Failure.malformed("a varint runs past the end") }
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func lengthDelimited() throws -> [UInt8] {
        let n = Int(try varint())
        guard n >= 0, position + n <= bytes.count else { throw KPLAggregate.Failure.malformed("a field runs past the end") }
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1: position += 8
        case 2: _ = try lengthDelimited()
        case 5: position += 4
        default: throw KPLAggregate.Failure.malformed("wire type \(wire)")
        }
        guard position <= bytes.count else { throw KPLAggregate.Failure.malformed("a field runs past the end") }
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    static func append(field: Int, bytes: [UInt8], to out: inout [UInt8]) {
        appendVarint(UInt64(field << 3 | 2), to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out += bytes
    }
}
