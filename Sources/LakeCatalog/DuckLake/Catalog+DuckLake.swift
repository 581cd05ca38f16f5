import Foundation
import GRDB
import LakeCore

/// A column of a published table, as DuckLake types it (`int64`, `varchar`, `float64`,
/// `boolean`, `date`, `timestamptz`).
public struct DuckLakeColumn: Sendable {
    public var name: String
    public var type: String
    public var partition: Bool

    public init(name: String, type: String, partition: Bool) {
        self.name = name
        self.type = type
        self.partition = partition
    }
}

extension Catalog {
    /// Registers a published version as one DuckLake snapshot, inside the publishing
    /// transaction: the table (created on its first version), files added and ended, their
    /// partition values and a by-name column mapping (lake's files keep dt and region in the
    /// folder names only).
    static func registerDuckLakeSnapshot(_ db: Database, _ p: VersionPublication, root: LakeRoot, now: String) throws {
        guard !p.columns.isEmpty else { return }
        try duckLakeSnapshot(db, zone: p.version.zone, dataset: p.version.dataset, columns: p.columns, added: p.addedFiles,
                             removed: p.removedPaths, previousFolder: try previousFolder(db, p), now: now,
                             message: "lake promote: \(p.version.zone).\(p.version.dataset) v\(p.version.version)")
    }

    /// The version folder that was current before this publication (where ended files still are).
    static func previousFolder(_ db: Database, _ p: VersionPublication) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT folder FROM lake_versions WHERE dataset = ? AND zone = ? AND version < ? ORDER BY version DESC LIMIT 1
            """, arguments: [p.version.dataset, p.version.zone, p.version.version])
    }

    /// Ends the DuckLake files of deleted lake files (retention), one snapshot per table.
    static func endDuckLakeFiles(_ db: Database, _ files: [FileRecord], now: String, message: String) throws {
        let tables = Dictionary(grouping: files.filter { $0.zone == "staged" || $0.zone == "curated" }) { "\($0.zone)|\($0.dataset)" }
        for (_, group) in tables.sorted(by: { $0.key < $1.key }) {
            try duckLakeSnapshot(db, zone: group[0].zone, dataset: group[0].dataset, columns: [], added: [],
                                 removed: group.map(\.path), previousFolder: nil, now: now, message: message)
        }
    }

    /// One DuckLake snapshot for one table: created on first sight (when `columns` are given),
    /// files added, files ended.
    static func duckLakeSnapshot(_ db: Database, zone: String, dataset: String, columns: [DuckLakeColumn], added: [FileRecord],
                                 removed: [String], previousFolder: String?, now: String, message: String) throws {
        guard try db.tableExists("ducklake_snapshot") else { return }
        guard let last = try Row.fetchOne(db, sql: "SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1"),
              let schemaId = try Int64.fetchOne(db, sql: "SELECT schema_id FROM ducklake_schema WHERE schema_name = ? AND end_snapshot IS NULL", arguments: [zone])
        else { return }
        let snapshot: Int64 = last[0] + 1
        var schemaVersion: Int64 = last[1]
        var nextCatalog: Int64 = last[2]
        var nextFile: Int64 = last[3]
        var changes: [String] = []

        var tableId = try Int64.fetchOne(db, sql: "SELECT table_id FROM ducklake_table WHERE schema_id = ? AND table_name = ? AND end_snapshot IS NULL",
                                         arguments: [schemaId, dataset])
        if tableId == nil {
            guard !columns.isEmpty else { return }
            let id = nextCatalog
            nextCatalog += 1
            tableId = id
            schemaVersion += 1
            try db.execute(sql: "INSERT INTO ducklake_table VALUES (?, lower(hex(randomblob(16))), ?, NULL, ?, ?, ?, 1)",
                           arguments: [id, snapshot, schemaId, dataset, dataset + "/"])
            for (k, c) in columns.enumerated() {
                try db.execute(sql: """
                    INSERT INTO ducklake_column (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type,
                                                 initial_default, default_value, nulls_allowed, parent_column, default_value_type, default_value_dialect)
                    VALUES (?, ?, NULL, ?, ?, ?, ?, NULL, 'NULL', 1, NULL, 'literal', 'duckdb')
                    """, arguments: [k + 1, snapshot, id, k + 1, c.name, c.type])
            }
            let partitionKeys = columns.enumerated().filter { $0.element.partition }
            if !partitionKeys.isEmpty {
                let partitionId = nextCatalog
                nextCatalog += 1
                try db.execute(sql: "INSERT INTO ducklake_partition_info VALUES (?, ?, ?, NULL)", arguments: [partitionId, id, snapshot])
                for (index, (k, _)) in partitionKeys.enumerated() {
                    try db.execute(sql: "INSERT INTO ducklake_partition_column VALUES (?, ?, ?, ?, 'identity')", arguments: [partitionId, id, index, k + 1])
                }
            }
            try db.execute(sql: "INSERT INTO ducklake_schema_versions VALUES (?, ?, ?)", arguments: [snapshot, schemaVersion, id])
            try db.execute(sql: "INSERT INTO ducklake_table_stats VALUES (?, 0, 0, 0)", arguments: [id])
            changes.append("created_table:\"\(zone)\".\"\(dataset)\"")
        }
        let table = tableId!
        let prefix = "\(zone)/\(dataset)/"

        // One by-name mapping per table: partition columns come from the file's partition values.
        var mappingId = try Int64.fetchOne(db, sql: "SELECT mapping_id FROM ducklake_column_mapping WHERE table_id = ?", arguments: [table])
        if mappingId == nil {
            let id = (try Int64.fetchOne(db, sql: "SELECT max(mapping_id) FROM ducklake_column_mapping") ?? -1) + 1
            mappingId = id
            try db.execute(sql: "INSERT INTO ducklake_column_mapping VALUES (?, ?, 'map_by_name')", arguments: [id, table])
            for (k, c) in columns.enumerated() {
                try db.execute(sql: "INSERT INTO ducklake_name_mapping VALUES (?, ?, ?, ?, NULL, ?)",
                               arguments: [id, k, c.name, k + 1, c.partition ? 1 : 0])
            }
        }
        let partitionId = try Int64.fetchOne(db, sql: "SELECT partition_id FROM ducklake_partition_info WHERE table_id = ? AND end_snapshot IS NULL", arguments: [table])
        let partitionNames = columns.filter(\.partition).map(\.name)

        // Ended files: snapshots before this one still read them, from the version folder they
        // were in (it stays until `lake vacuum`); a file deleted by retention is gone for all.
        var deletedRows = 0
        // Absolute: ".." after the staged/<dataset> link would climb the link's target, not the link.
        let dataPath = try String.fetchOne(db, sql: "SELECT value FROM ducklake_metadata WHERE key = 'data_path'") ?? "./"
        for path in removed where path.hasPrefix(prefix) {
            let relative = String(path.dropFirst(prefix.count))
            deletedRows += try Int.fetchOne(db, sql: "SELECT sum(record_count) FROM ducklake_data_file WHERE table_id = ? AND path = ? AND end_snapshot IS NULL",
                                            arguments: [table, relative]) ?? 0
            if let previousFolder {
                try db.execute(sql: """
                    UPDATE ducklake_data_file SET end_snapshot = ?, path = ?, path_is_relative = 0
                    WHERE table_id = ? AND path = ? AND end_snapshot IS NULL
                    """, arguments: [snapshot, dataPath + previousFolder + "/" + relative, table, relative])
            } else {
                try db.execute(sql: "UPDATE ducklake_data_file SET end_snapshot = ? WHERE table_id = ? AND path = ? AND end_snapshot IS NULL",
                               arguments: [snapshot, table, relative])
            }
        }
        var nextRow = try Int64.fetchOne(db, sql: "SELECT next_row_id FROM ducklake_table_stats WHERE table_id = ?", arguments: [table]) ?? 0
        var addedRows = 0, addedBytes = 0
        for (order, file) in added.enumerated() where file.path.hasPrefix(prefix) {
            let id = nextFile
            nextFile += 1
            try db.execute(sql: """
                INSERT INTO ducklake_data_file (data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path, path_is_relative,
                                                file_format, record_count, file_size_bytes, footer_size, row_id_start, partition_id,
                                                encryption_key, mapping_id, partial_max)
                VALUES (?, ?, ?, NULL, ?, ?, 1, 'parquet', ?, ?, NULL, ?, ?, NULL, ?, NULL)
                """, arguments: [id, table, snapshot, order, String(file.path.dropFirst(prefix.count)), file.rows, file.bytes, nextRow,
                                 partitionId, mappingId])
            nextRow += Int64(file.rows)
            addedRows += file.rows
            addedBytes += file.bytes
            let values = (try? JSONValue.parse(file.partitionValues)) ?? .null
            for (index, name) in partitionNames.enumerated() {
                let v = values[name]
                try db.execute(sql: "INSERT INTO ducklake_file_partition_value VALUES (?, ?, ?, ?)",
                               arguments: [id, table, index, v?.stringValue])
            }
        }
        try db.execute(sql: """
            UPDATE ducklake_table_stats SET record_count = record_count + ? - ?, next_row_id = ?, file_size_bytes = file_size_bytes + ?
            WHERE table_id = ?
            """, arguments: [addedRows, deletedRows, nextRow, addedBytes, table])
        if addedRows > 0 { changes.append("inserted_into_table:\(table)") }
        if !removed.isEmpty { changes.append("deleted_from_table:\(table)") }
        try db.execute(sql: "INSERT INTO ducklake_snapshot VALUES (?, ?, ?, ?, ?)",
                       arguments: [snapshot, now.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "+00"),
                                   schemaVersion, nextCatalog, nextFile])
        try db.execute(sql: "INSERT INTO ducklake_snapshot_changes VALUES (?, ?, 'lake', ?, NULL)",
                       arguments: [snapshot, changes.joined(separator: ","), message])
    }
}
