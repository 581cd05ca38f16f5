import Foundation

/// pgoutput's logical replication messages, protocol version 1 (PostgreSQL's "Logical
/// Replication Message Formats"): Begin, Commit, Relation, Insert, Update, Delete, Truncate;
/// Origin and Type are read past. Values come as text, typed by the Relation's column OIDs.
enum PgOutput {
    struct Column: Equatable, Sendable {
        var name: String
        var typeOID: UInt32
        var typmod: Int32
        var isKey: Bool
    }

    struct Relation: Equatable, Sendable {
        var id: UInt32
        var schema: String
        var name: String
        /// d(efault), n(othing), f(ull), i(ndex).
        var replicaIdentity: UInt8
        var columns: [Column]
        var qualified: String { "\(schema).\(name)" }
    }

    /// One column of a tuple: SQL NULL, a TOASTed value the change did not touch, or text
    /// (a slice of the message: no copy per value).
    enum Value: Equatable, Sendable {
        case null
        case unchanged
        case text(ArraySlice<UInt8>)
    }

    enum Message: Equatable, Sendable {
        case begin(finalLSN: UInt64, commitTime: Int64, xid: UInt32)
        case commit(commitLSN: UInt64, endLSN: UInt64, commitTime: Int64)
        case relation(Relation)
        case insert(relation: UInt32, new: [Value])
        /// `old` is the key ('K') or the whole old row ('O', REPLICA IDENTITY FULL), when sent.
        case update(relation: UInt32, old: [Value]?, oldIsKey: Bool, new: [Value])
        case delete(relation: UInt32, old: [Value], oldIsKey: Bool)
        case truncate(relations: [UInt32], cascade: Bool, restartIdentity: Bool)
        case other(UInt8)
    }

    enum Failure: Error, CustomStringConvertible {
        case truncated(UInt8)
        case unexpected(UInt8, String)
        var description: String {
            switch self {
            case let .truncated(kind): return "pgoutput message '\(Character(UnicodeScalar(kind)))' ends too soon"
            case let .unexpected(kind, what): return "pgoutput message '\(Character(UnicodeScalar(kind)))': \(what)"
            }
        }
    }

    /// Microseconds from 1970 to PostgreSQL's epoch, 2000-01-01.
    static let epochOffsetMicros: Int64 = 946_684_800_000_000

    static func decode(_ bytes: [UInt8]) throws -> Message {
        var r = Reader(bytes: bytes)
        let kind = try r.u8()
        do {
            switch kind {
            case UInt8(ascii: "B"):
                return .begin(finalLSN: try r.u64(), commitTime: try r.i64(), xid: try r.u32())
            case UInt8(ascii: "C"):
                _ = try r.u8()
                return .commit(commitLSN: try r.u64(), endLSN: try r.u64(), commitTime: try r.i64())
            case UInt8(ascii: "R"):
                let id = try r.u32()
                let schema = try r.cstring(), name = try r.cstring()
                let identity = try r.u8()
                let count = Int(try r.u16())
                var columns: [Column] = []
                for _ in 0..<count {
                    let flags = try r.u8()
                    let column = try r.cstring()
                    columns.append(Column(name: column, typeOID: try r.u32(), typmod: try r.i32(), isKey: flags & 1 != 0))
                }
                return .relation(Relation(id: id, schema: schema, name: name, replicaIdentity: identity, columns: columns))
            case UInt8(ascii: "I"):
                let relation = try r.u32()
                guard try r.u8() == UInt8(ascii: "N") else { throw Failure.unexpected(kind, "no new tuple") }
                return .insert(relation: relation, new: try r.tuple())
            case UInt8(ascii: "U"):
                let relation = try r.u32()
                var marker = try r.u8()
                var old: [Value]?
                var oldIsKey = false
                if marker == UInt8(ascii: "K") || marker == UInt8(ascii: "O") {
                    oldIsKey = marker == UInt8(ascii: "K")
                    old = try r.tuple()
                    marker = try r.u8()
                }
                guard marker == UInt8(ascii: "N") else { throw Failure.unexpected(kind, "no new tuple") }
                return .update(relation: relation, old: old, oldIsKey: oldIsKey, new: try r.tuple())
            case UInt8(ascii: "D"):
                let relation = try r.u32()
                let marker = try r.u8()
                return .delete(relation: relation, old: try r.tuple(), oldIsKey: marker == UInt8(ascii: "K"))
            case UInt8(ascii: "T"):
                let count = Int(try r.u32())
                let options = try r.u8()
                var ids: [UInt32] = []
                for _ in 0..<count { ids.append(try r.u32()) }
                return .truncate(relations: ids, cascade: options & 1 != 0, restartIdentity: options & 2 != 0)
            default:
                return .other(kind)
            }
        } catch is Reader.End {
            throw Failure.truncated(kind)
        }
    }

    struct Reader {
        struct End: Error {}
        let bytes: [UInt8]
        var p = 0

        mutating func u8() throws -> UInt8 {
            guard p < bytes.count else { throw End() }
            defer { p += 1 }
            return bytes[p]
        }
        mutating func u16() throws -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }
        mutating func u32() throws -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }
        mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
        mutating func u64() throws -> UInt64 { UInt64(try u32()) << 32 | UInt64(try u32()) }
        mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
        mutating func cstring() throws -> String {
            guard let end = bytes[p...].firstIndex(of: 0) else { throw End() }
            defer { p = end + 1 }
            return String(decoding: bytes[p..<end], as: UTF8.self)
        }
        mutating func tuple() throws -> [Value] {
            let count = Int(try u16())
            var values: [Value] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                switch try u8() {
                case UInt8(ascii: "n"): values.append(.null)
                case UInt8(ascii: "u"): values.append(.unchanged)
                case UInt8(ascii: "t"), UInt8(ascii: "b"):
                    let length = Int(try u32())
                    guard p + length <= bytes.count else { throw End() }
                    values.append(.text(bytes[p..<(p + length)]))
                    p += length
                default: throw End()
                }
            }
            return values
        }
    }
}
