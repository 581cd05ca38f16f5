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

    func bytes(_ change: Change, stamp: Stamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        let ms = change.commitMicros / 1000
        out += "{\"_meta\":{\"source\":".utf8
        JSONBytes.string(source, to: &out)
        out += ",\"table\":".utf8
        JSONBytes.string(change.table.qualified, to: &out)
        out += ",\"lsn\":\"".utf8
        out += LSN.format(change.lsn).utf8
        out += "\",\"commit_lsn\":\"".utf8
        out += LSN.format(change.commitLSN).utf8
        out += "\",\"txid\":".utf8
        out += String(change.xid).utf8
        out += ",\"commit_time\":\"".utf8
        out += stamp.commitTime.utf8
        out += "\"".utf8
        let unchanged = change.after?.unchanged ?? []
        if !unchanged.isEmpty {
            out += ",\"unchanged\":[".utf8
            for (i, name) in unchanged.enumerated() {
                if i > 0 { out.append(0x2C) }
                JSONBytes.string(name, to: &out)
            }
            out.append(0x5D)
        }
        out += ",\"ingested_at\":\"".utf8
        out += stamp.ingestedAt.utf8
        out += "\"},\"value\":{\"before\":".utf8
        if let before = change.before { before.write(to: &out) } else { out += "null".utf8 }
        out += ",\"after\":".utf8
        if let after = change.after { after.write(to: &out) } else { out += "null".utf8 }
        out += ",\"op\":\"".utf8
        out += change.op.utf8
        out += "\",\"ts_ms\":".utf8
        out += String(ms).utf8
        out += ",\"source\":{\"connector\":\"postgresql\",\"name\":\"lake\",\"db\":".utf8
        JSONBytes.string(database, to: &out)
        out += ",\"schema\":".utf8
        JSONBytes.string(change.table.schema, to: &out)
        out += ",\"table\":".utf8
        JSONBytes.string(change.table.name, to: &out)
        out += ",\"lsn\":".utf8
        out += String(change.lsn).utf8
        out += ",\"txId\":".utf8
        out += String(change.xid).utf8
        out += ",\"ts_ms\":".utf8
        out += String(ms).utf8
        out += change.snapshot ? ",\"snapshot\":true}}}\n".utf8 : ",\"snapshot\":false}}}\n".utf8
        return out
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
