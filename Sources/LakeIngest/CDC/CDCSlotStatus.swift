import Foundation
import LakeCatalog
import LakeCore
import PostgresNIO

/// `lake cdc status` and `lake cdc drop`: the slot as the server sees it and as lake landed it.
public struct CDCSlotStatus: Sendable {
    public var slot: String
    public var exists: Bool
    public var active: Bool
    public var confirmedLSN: String?
    public var currentLSN: String
    /// WAL the server keeps for this slot (from its restart LSN).
    public var retainedBytes: Int64
    /// WAL written since what the slot confirmed.
    public var lagBytes: Int64
    public var landedLSN: String?
    public var landedAt: String?

    public var json: JSONValue {
        .object([
            ("slot", .string(slot)), ("exists", .bool(exists)), ("active", .bool(active)),
            ("confirmed_lsn", confirmedLSN.map(JSONValue.string) ?? .null), ("current_lsn", .string(currentLSN)),
            ("retained_wal_bytes", .int(Int(retainedBytes))), ("lag_bytes", .int(Int(lagBytes))),
            ("last_landed_commit_lsn", landedLSN.map(JSONValue.string) ?? .null),
            ("last_landed_at", landedAt.map(JSONValue.string) ?? .null),
        ])
    }
}

extension CDCIngestion {
    public func status() async throws -> CDCSlotStatus {
        let connection = try await connect()
        defer { Task { [connection] in try? await connection.close() } }
        let landed = try catalog.streamOffsets(source: server, stream: options.slot, group: "cdc").first { $0.partition == 0 }
        var status = CDCSlotStatus(slot: options.slot, exists: false, active: false, confirmedLSN: nil, currentLSN: "0/0",
                                   retainedBytes: 0, lagBytes: 0, landedLSN: landed?.nextOffset, landedAt: landed?.updatedAt)
        for try await current in try await sql(connection, "reading the WAL position", "SELECT pg_current_wal_lsn()::text").decode(String.self) {
            status.currentLSN = current
        }
        let rows = try await sql(connection, "reading slot \(options.slot)", """
            SELECT active, confirmed_flush_lsn::text,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::int8,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::int8
            FROM pg_replication_slots WHERE slot_name = \(options.slot)
            """)
        for try await (active, confirmed, retained, lag) in rows.decode((Bool, String?, Int64, Int64).self) {
            status.exists = true
            status.active = active
            status.confirmedLSN = confirmed
            status.retainedBytes = retained
            status.lagBytes = lag
        }
        return status
    }

    /// Drops the slot (so the server keeps no more WAL for lake) and the publication.
    public func drop() async throws -> [String] {
        let connection = try await connect()
        defer { Task { [connection] in try? await connection.close() } }
        var notes: [String] = []
        var exists = false
        for try await _ in try await sql(connection, "reading slot \(options.slot)",
                                         "SELECT 1 FROM pg_replication_slots WHERE slot_name = \(options.slot)").decode(Int.self) { exists = true }
        if exists {
            try await sql(connection, "dropping slot \(options.slot)", "SELECT 1 FROM pg_drop_replication_slot(\(options.slot)::name)")
            notes.append("dropped slot \(options.slot)")
        } else {
            notes.append("no slot \(options.slot)")
        }
        try await sql(connection, "dropping publication \(options.publication)",
                      PostgresQuery(unsafeSQL: "DROP PUBLICATION IF EXISTS \(CDCSQL.ident(options.publication))"))
        notes.append("dropped publication \(options.publication) (if it was there)")
        try catalog.forgetCDCSource(source: server, slot: options.slot)
        return notes
    }
}
