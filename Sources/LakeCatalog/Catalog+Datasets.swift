import LakeCore

/// Files, rows and bytes of a dataset in one zone.
public struct ZoneStats: Sendable, Equatable {
    public var zone: String
    public var files: Int
    public var rows: Int
    public var records: Int
    public var bytes: Int
}

extension Catalog {
    public func datasets() throws -> [DatasetRecord] {
        try read { try DatasetRecord.fetchAll($0, "ORDER BY name") }
    }

    /// Looks a dataset up by `name` or `source.name`.
    public func dataset(named name: String) throws -> DatasetRecord {
        let short = name.split(separator: ".").last.map(String.init) ?? name
        let found = try read { db -> DatasetRecord? in
            guard let record = try DatasetRecord.fetchOne(db, key: short) else { return nil }
            if name.contains("."), let source = record.source, "\(source).\(record.name)" != name { return nil }
            return record
        }
        guard let found else {
            let known = try datasets().flatMap { [$0.name] + ($0.source.map { [$0 + "." + $0] } ?? []) }
            throw CatalogError.unknownDataset(name, known: try datasets().map(\.name) + known)
        }
        return found
    }

    /// Registers a dataset that data arrived for before any contract did: no owner, no
    /// schema; governance reports it until a contract is registered.
    public func ensureDataset(_ name: String, source: String?, zone: String = "raw") throws {
        try write { db in
            guard try DatasetRecord.fetchOne(db, key: name) == nil else { return }
            let now = Timestamps.iso()
            try DatasetRecord(
                name: name, source: source, zone: zone, owner: nil, description: nil, retentionDays: nil,
                freshnessHours: nil, pii: "[]", partitionBy: "[\"dt\",\"region\"]", primaryKey: "[]",
                recordsPath: nil, currentSchemaVersion: nil, contractFile: nil, createdAt: now, updatedAt: now
            ).insert(db)
        }
    }

    public func schemaVersions(of dataset: String) throws -> [SchemaVersionRecord] {
        try read {
            try SchemaVersionRecord.fetchAll($0, "WHERE dataset = ? ORDER BY version", [dataset])
        }
    }

    public func files(of dataset: String? = nil, zone: LakeRoot.Zone? = nil) throws -> [FileRecord] {
        try read { db in
            try FileRecord.fetchAll(db, matching: ["dataset": dataset, "zone": zone?.rawValue], orderBy: "path")
        }
    }

    /// Per dataset and zone: files, rows and bytes.
    public func zoneStats() throws -> [String: [ZoneStats]] {
        try read { db in
            let rows = try SQLRow.fetchAll(db, sql: """
                SELECT dataset, zone, COUNT(*) AS files, SUM(rows) AS rows, SUM(records) AS records, SUM(bytes) AS bytes
                FROM lake_files GROUP BY dataset, zone ORDER BY dataset, zone
                """)
            var result: [String: [ZoneStats]] = [:]
            for row in rows {
                result[row["dataset"], default: []].append(
                    ZoneStats(zone: row["zone"], files: row["files"], rows: row["rows"], records: row["records"], bytes: row["bytes"]))
            }
            return result
        }
    }
}
