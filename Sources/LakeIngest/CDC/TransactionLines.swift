import Foundation
import LakeCore

/// A committed transaction's changes as raw Debezium lines. Decoding pgoutput and writing the
/// JSON is most of a capture's work, and PostgreSQL waits while lake reads the rows of a peek,
/// so a large transaction is converted on every core, in chunks that keep their order.
struct TransactionLines: @unchecked Sendable {
    let line: DebeziumLine
    let tables: [UInt32: CapturedTable]
    let relations: [UInt32: PgOutput.Relation]
    let snapshots: [UInt32: XidSnapshot]
    let regionColumn: String?

    struct Converted {
        var table: CapturedTable
        var region: String?
        var lsn: UInt64
        var bytes: [UInt8]
    }

    /// `changes`: each change's LSN and its pgoutput message, in the transaction's order.
    func convert(_ changes: [(UInt64, [UInt8])], xid: UInt32, commitLSN: UInt64, commitMicros: Int64,
                 stamp: DebeziumLine.Stamp) throws -> [Converted] {
        let chunks = changes.count < 512 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 4)
        let size = (changes.count + chunks - 1) / chunks
        return try Parallel.map(chunks, workers: chunks, state: {}) { chunk, _ in
            var out: [Converted] = []
            out.reserveCapacity(size)
            for (lsn, bytes) in changes[min(chunk * size, changes.count)..<min((chunk + 1) * size, changes.count)] {
                for (table, var record) in Self.records(try PgOutput.decode(bytes), relations: relations, tables: tables) {
                    // The snapshot already holds this transaction's rows of the table.
                    if let snapshot = snapshots[table.oid], snapshot.holds(xid) { continue }
                    record.lsn = lsn
                    record.commitLSN = commitLSN
                    record.xid = UInt64(xid)
                    record.commitMicros = commitMicros
                    out.append(Converted(table: table, region: region(record.after ?? record.before), lsn: lsn,
                                         bytes: line.bytes(record, stamp: stamp)))
                }
            }
            return out
        }.flatMap { $0 }
    }

    func region(_ row: DebeziumLine.Row?) -> String? { Self.region(row, column: regionColumn) }

    /// The region a row names in `column` (`--region-column`), as an ISO code.
    static func region(_ row: DebeziumLine.Row?, column: String?) -> String? {
        guard let column, let value = row?.text(column) else { return nil }
        return Regions.normalize(value)
    }

    /// The Debezium records one pgoutput change makes: a truncate makes one per table.
    static func records(_ message: PgOutput.Message, relations: [UInt32: PgOutput.Relation],
                        tables: [UInt32: CapturedTable]) -> [(CapturedTable, DebeziumLine.Change)] {
        func make(_ table: CapturedTable, _ op: String, before: DebeziumLine.Row?, after: DebeziumLine.Row?) -> DebeziumLine.Change {
            DebeziumLine.Change(table: table, op: op, before: before, after: after, lsn: 0, commitLSN: 0, xid: 0, commitMicros: 0)
        }
        switch message {
        case let .insert(id, new):
            guard let table = tables[id], let relation = relations[id] else { return [] }
            return [(table, make(table, "c", before: nil, after: DebeziumLine.Row(values: new, columns: relation.columns)))]
        case let .update(id, old, oldIsKey, new):
            guard let table = tables[id], let relation = relations[id] else { return [] }
            let before = old.map { DebeziumLine.Row(values: $0, columns: relation.columns, onlyKeys: oldIsKey) }
            let after = DebeziumLine.Row(values: new, columns: relation.columns, fallback: oldIsKey ? nil : old)
            return [(table, make(table, "u", before: before, after: after))]
        case let .delete(id, old, oldIsKey):
            guard let table = tables[id], let relation = relations[id] else { return [] }
            return [(table, make(table, "d", before: DebeziumLine.Row(values: old, columns: relation.columns, onlyKeys: oldIsKey), after: nil))]
        case let .truncate(ids, _, _):
            return ids.compactMap { id in tables[id].map { ($0, make($0, "t", before: nil, after: nil)) } }
        default:
            return []
        }
    }
}
