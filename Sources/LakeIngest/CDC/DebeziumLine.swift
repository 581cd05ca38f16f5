import Foundation
import LakeCore

/// Raw lines in Debezium's change-event envelope, so tools that read Debezium read lake's raw
/// zone:
///
/// ```
/// {"_meta": {"source": "postgres://host:5432/db", "table": "public.orders", "lsn": "0/16B3748",
///            "commit_lsn": "0/16B3790", "txid": 771, "commit_time": "…", "ingested_at": "…"},
///  "value": {"before": {…} | null, "after": {…} | null, "op": "c|u|d|r|t", "ts_ms": …,
///            "source": {"connector": "postgresql", "db": "…", "schema": "public", "table": "orders",
///                       "lsn": 23803720, "txId": 771, "ts_ms": …, "snapshot": false}}}
/// ```
///
/// A TOASTed column an UPDATE did not touch (pgoutput's "unchanged") is taken from the old
/// row when one came; otherwise it is left out of `after` and named in `_meta.unchanged`, for
/// promotion to carry forward — never a placeholder or a null.
struct DebeziumLine {
    let source: String
    let database: String
    /// The JSON strings every line of a table repeats, escaped once.
    private let sourceJSON: [UInt8]
    private let databaseJSON: [UInt8]
    private let tableJSON: [UInt32: (qualified: [UInt8], schema: [UInt8], name: [UInt8])]

    init(source: String, database: String, tables: [CapturedTable]) {
        self.source = source
        self.database = database
        func json(_ text: String) -> [UInt8] {
            var out: [UInt8] = []
            JSONBytes.string(text, to: &out)
            return out
        }
        sourceJSON = json(source)
        databaseJSON = json(database)
        tableJSON = Dictionary(tables.map { ($0.oid, (json($0.qualified), json($0.schema), json($0.name))) }, uniquingKeysWith: { a, _ in a })
    }

    /// A row as pgoutput sent it, written straight to JSON bytes (no tree in between).
    struct Row {
        var values: [PgOutput.Value]
        var columns: [PgOutput.Column]
        /// Values for unchanged columns (the old row, under REPLICA IDENTITY FULL).
        var fallback: [PgOutput.Value]?
        var onlyKeys = false

        /// The text of a column, for the region.
        func text(_ name: String) -> String? {
            guard let i = columns.firstIndex(where: { $0.name == name }), i < values.count else { return nil }
            if case let .text(bytes) = values[i] { return String(decoding: bytes, as: UTF8.self) }
            if let fallback, i < fallback.count, case let .text(bytes) = fallback[i] { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }

        /// Columns left out because they are unchanged TOAST values with nothing to fill them.
        var unchanged: [String] {
            columns.indices.compactMap { i in
                guard i < values.count, values[i] == .unchanged else { return nil }
                if let fallback, i < fallback.count, case .text = fallback[i] { return nil }
                return onlyKeys && !columns[i].isKey ? nil : columns[i].name
            }
        }

        func write(to out: inout [UInt8]) {
            out.append(0x7B)
            var first = true
            for (i, column) in columns.enumerated() where i < values.count {
                if onlyKeys, !column.isKey { continue }
                var value = values[i]
                if value == .unchanged {
                    guard let fallback, i < fallback.count, case .text = fallback[i] else { continue }
                    value = fallback[i]
                }
                if !first { out.append(0x2C) }
                first = false
                JSONBytes.string(column.name, to: &out)
                out.append(0x3A)
                switch value {
                case .null, .unchanged: out += "null".utf8
                case let .text(bytes): PgText.write(bytes, oid: column.typeOID, to: &out)
                }
            }
            out.append(0x7D)
        }
    }

    struct Change {
        var table: CapturedTable
        var op: String
        var before: Row?
        var after: Row?
        var lsn: UInt64
        var commitLSN: UInt64
        var xid: UInt64
        var commitMicros: Int64
        var snapshot = false
    }

    /// What every line of one transaction shares: rendered once.
    struct Stamp {
        var commitTime: String
        var ingestedAt: String
    }

    private static let metaSource = Array(#"{"_meta":{"source":"#.utf8)
    private static let table = Array(#","table":"#.utf8)
    private static let lsn = Array(#","lsn":""#.utf8)
    private static let commitLSN = Array(#"","commit_lsn":""#.utf8)
    private static let txid = Array(#"","txid":"#.utf8)
    private static let commitTime = Array(#","commit_time":""#.utf8)
    private static let unchanged = Array(#"","unchanged":["#.utf8)
    private static let ingestedAt = Array(#","ingested_at":""#.utf8)
    private static let before = Array(#""},"value":{"before":"#.utf8)
    private static let after = Array(#","after":"#.utf8)
    private static let op = Array(#","op":""#.utf8)
    private static let tsMS = Array(#"","ts_ms":"#.utf8)
    private static let sourceBlock = Array(#","source":{"connector":"postgresql","name":"lake","db":"#.utf8)
    private static let schema = Array(#","schema":"#.utf8)
    private static let txId = Array(#","txId":"#.utf8)
    private static let snapshotTrue = Array(#","snapshot":true}}}"#.utf8) + [0x0A]
    private static let snapshotFalse = Array(#","snapshot":false}}}"#.utf8) + [0x0A]
    private static let null = Array("null".utf8)

    func bytes(_ change: Change, stamp: Stamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        let ms = change.commitMicros / 1000
        let names = tableJSON[change.table.oid]
        out += Self.metaSource
        out += sourceJSON
        out += Self.table
        if let names { out += names.qualified } else { JSONBytes.string(change.table.qualified, to: &out) }
        out += Self.lsn
        LSN.write(change.lsn, to: &out)
        out += Self.commitLSN
        LSN.write(change.commitLSN, to: &out)
        out += Self.txid
        Self.decimal(Int64(bitPattern: change.xid), to: &out)
        out += Self.commitTime
        out += stamp.commitTime.utf8
        let unchanged = change.after?.unchanged ?? []
        if !unchanged.isEmpty {
            out += Self.unchanged
            for (i, name) in unchanged.enumerated() {
                if i > 0 { out.append(0x2C) }
                JSONBytes.string(name, to: &out)
            }
            out.append(0x5D)
        } else {
            out.append(0x22)
        }
        out += Self.ingestedAt
        out += stamp.ingestedAt.utf8
        out += Self.before
        if let before = change.before { before.write(to: &out) } else { out += Self.null }
        out += Self.after
        if let after = change.after { after.write(to: &out) } else { out += Self.null }
        out += Self.op
        out += change.op.utf8
        out += Self.tsMS
        Self.decimal(ms, to: &out)
        out += Self.sourceBlock
        out += databaseJSON
        out += Self.schema
        if let names { out += names.schema } else { JSONBytes.string(change.table.schema, to: &out) }
        out += Self.table
        if let names { out += names.name } else { JSONBytes.string(change.table.name, to: &out) }
        out += Self.lsn.dropLast()
        Self.decimal(Int64(bitPattern: change.lsn), to: &out)
        out += Self.txId
        Self.decimal(Int64(bitPattern: change.xid), to: &out)
        out += Self.tsMS.dropFirst()
        Self.decimal(ms, to: &out)
        out += change.snapshot ? Self.snapshotTrue : Self.snapshotFalse
        return out
    }

    /// A whole number's digits, without a String in between.
    static func decimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(0x2D) }
        let start = out.count
        var v = value.magnitude
        repeat {
            out.append(UInt8(v % 10) + 0x30)
            v /= 10
        } while v > 0
        out[start...].reverse()
    }
}

/// JSON strings written from bytes: quotes, backslashes and control characters escaped.
enum JSONBytes {
    static func string(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { string(UnsafeRawBufferPointer($0), to: &out) }
    }

    static func string(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(0x22)
        var start = 0
        for (i, b) in bytes.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
            out += bytes[start..<i]
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
            start = i + 1
        }
        out += bytes[start...]
        out.append(0x22)
    }

    static func string(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBytes { string($0, to: &out) }
    }

    static func string(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        bytes.withUnsafeBytes { string($0, to: &out) }
    }
}

/// The transactions a snapshot already holds (`pg_current_snapshot()`: `xmin:xmax:xip,…`):
/// a streamed transaction it holds is skipped, so none is lost and none is doubled.
struct XidSnapshot: Sendable {
    var xmin: UInt64
    var xmax: UInt64
    var inProgress: Set<UInt64>
    var text: String

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = UInt64(parts[0]), let xmax = UInt64(parts[1]) else { return nil }
        self.xmin = xmin
        self.xmax = xmax
        inProgress = Set(parts[2].split(separator: ",").compactMap { UInt64($0) })
        self.text = text
    }

    /// pgoutput's 32-bit xid, widened to the 64-bit xid nearest the snapshot's xmax.
    func full(_ xid: UInt32) -> UInt64 {
        var value = (xmax & ~0xFFFF_FFFF) | UInt64(xid)
        if value > xmax + (1 << 31), value >= 1 << 32 { value -= 1 << 32 }
        else if value + (1 << 31) < xmax { value += 1 << 32 }
        return value
    }

    func holds(_ xid: UInt32) -> Bool {
        let x = full(xid)
        return x < xmin || (x < xmax && !inProgress.contains(x))
    }
}
