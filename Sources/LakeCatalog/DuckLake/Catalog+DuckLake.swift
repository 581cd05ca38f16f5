import Foundation
import LakeCore

/// A column of a published table, as DuckLake types it (`int64`, `varchar`, `float64`,
/// `boolean`, `date`, `timestamptz`).
public struct DuckLakeColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public var partition: Bool

    public init(name: String, type: String, partition: Bool) {
        self.name = name
        self.type = type
        self.partition = partition
    }
}

/// One column's statistics in one file, as the Parquet writer recorded them, in DuckLake's
/// text form (`2026-11-24 10:00:00.5+00` for timestamps).
public struct DuckLakeColumnStats: Sendable {
    public var name: String
    public var valueCount: Int
    public var nullCount: Int
    public var min: String?
    public var max: String?
    public var bytes: Int?

    public init(name: String, valueCount: Int, nullCount: Int, min: String?, max: String?, bytes: Int?) {
        self.name = name
        self.valueCount = valueCount
        self.nullCount = nullCount
        self.min = min
        self.max = max
        self.bytes = bytes
    }
}

// lake's tables in DuckLake: schema `staged` (path `staged/`), table `plays` with the path
// `../_versions/staged/plays/`, so that a data file's path names its version folder:
// `v3/region=SE/dt=…/part.parquet`. Each publication moves the paths of the files it keeps to
// the new folder (where they are hard-linked) in the same transaction, so every snapshot reads
// from folders that exist however far the `staged/plays` link lags; files a publication ends
// keep the folder of their last version, which `lake vacuum` removes together with the
// snapshots that could still see them.
extension Catalog {
    /// Where lake's own tables' paths start (relative to their schema's): their version folders.
    static let lakeTablePathPrefix = "../_versions/"

    /// Registers a published version as one DuckLake snapshot, inside the publishing transaction.
    static func registerDuckLakeSnapshot(_ db: CatalogDatabase, _ p: VersionPublication, now: String) throws {
        guard !p.columns.isEmpty else { return }
        var added = p.addedFiles
        if try duckLakeTableId(db, zone: p.version.zone, table: p.version.dataset) == nil {
            // First registration (a lake older than its DuckLake tables too): every file of the version.
            added = try FileRecord.fetchAll(db, "WHERE dataset = ? AND zone = ?", [p.version.dataset, p.version.zone])
        }
        try duckLakeSnapshot(db, zone: p.version.zone, dataset: p.version.dataset, columns: p.columns, added: added,
                             stats: p.columnStats, removed: p.removedPaths, folder: p.version.folder, now: now,
                             message: p.message ?? "lake promote: \(p.version.zone).\(p.version.dataset) v\(p.version.version)")
    }

    /// Ends the DuckLake files of deleted lake files (retention), one snapshot per table.
    static func endDuckLakeFiles(_ db: CatalogDatabase, _ files: [FileRecord], now: String, message: String) throws {
        let tables = Dictionary(grouping: files.filter { $0.zone == "staged" || $0.zone == "curated" }) { "\($0.zone)|\($0.dataset)" }
        for (_, group) in tables.sorted(by: { $0.key < $1.key }) {
            try duckLakeSnapshot(db, zone: group[0].zone, dataset: group[0].dataset, columns: [], added: [], stats: [:],
                                 removed: group.map(\.path), folder: nil, now: now, message: message)
        }
    }

    /// A table's live DuckLake columns, partition keys flagged: what a publication that keeps
    /// the table's schema (a compaction) registers again.
    public func duckLakeColumns(zone: String, table: String) throws -> [DuckLakeColumn] {
        try read { db in
            guard let id = try Self.duckLakeTableId(db, zone: zone, table: table) else { return [] }
            let partitions = Set(try String.fetchAll(db, sql: """
                SELECT c.column_name FROM ducklake_partition_info i
                JOIN ducklake_partition_column p ON p.partition_id = i.partition_id AND p.table_id = i.table_id
                JOIN ducklake_column c ON c.table_id = p.table_id AND c.column_id = p.column_id
                WHERE i.table_id = ? AND i.end_snapshot IS NULL AND c.end_snapshot IS NULL
                """, arguments: [id]))
            return try SQLRow.fetchAll(db, sql: """
                SELECT column_name, column_type FROM ducklake_column
                WHERE table_id = ? AND end_snapshot IS NULL AND parent_column IS NULL ORDER BY column_order
                """, arguments: [id]).map { DuckLakeColumn(name: $0[0], type: $0[1], partition: partitions.contains($0[0])) }
        }
    }

    static func duckLakeTableId(_ db: CatalogDatabase, zone: String, table: String) throws -> Int64? {
        guard try db.tableExists("ducklake_table") else { return nil }
        return try Int64.fetchOne(db, sql: """
            SELECT t.table_id FROM ducklake_table t JOIN ducklake_schema s USING (schema_id)
            WHERE s.schema_name = ? AND t.table_name = ? AND t.end_snapshot IS NULL AND s.end_snapshot IS NULL
            """, arguments: [zone, table])
    }

    /// One DuckLake snapshot for one table: created on first sight, its columns changed when
    /// `columns` differ from the live ones, files added (in `folder`, a version folder) and ended.
    static func duckLakeSnapshot(_ db: CatalogDatabase, zone: String, dataset: String, columns: [DuckLakeColumn], added: [FileRecord],
                                 stats: [String: [DuckLakeColumnStats]], removed: [String], folder: String?, now: String,
                                 message: String) throws {
        guard try db.tableExists("ducklake_snapshot") else { return }
        guard let last = try SQLRow.fetchOne(db, sql: "SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1"),
              let schemaId = try Int64.fetchOne(db, sql: "SELECT schema_id FROM ducklake_schema WHERE schema_name = ? AND end_snapshot IS NULL", arguments: [zone])
        else { return }
        var s = DuckLakeSnapshotDraft(id: last[0] + 1, schemaVersion: last[1], nextCatalogId: last[2], nextFileId: last[3])

        let table: Int64
        if let existing = try duckLakeTableId(db, zone: zone, table: dataset) {
            table = existing
            if !columns.isEmpty { try alterColumns(db, table: table, to: columns, &s) }
        } else {
            guard !columns.isEmpty else { return }
            table = try createTable(db, schemaId: schemaId, zone: zone, name: dataset, columns: columns, &s)
        }
        let mappingId = try Int64.fetchOne(db, sql: "SELECT max(mapping_id) FROM ducklake_column_mapping WHERE table_id = ?", arguments: [table])
        let partitionId = try Int64.fetchOne(db, sql: "SELECT partition_id FROM ducklake_partition_info WHERE table_id = ? AND end_snapshot IS NULL", arguments: [table])
        let liveColumns = try SQLRow.fetchAll(db, sql: "SELECT column_id, column_name FROM ducklake_column WHERE table_id = ? AND end_snapshot IS NULL AND begin_snapshot <= ?",
                                           arguments: [table, s.id])
        let columnIds = Dictionary(liveColumns.map { ($0[1] as String, $0[0] as Int64) }, uniquingKeysWith: { a, _ in a })
        let partitionNames = try String.fetchAll(db, sql: """
            SELECT c.column_name FROM ducklake_partition_column p JOIN ducklake_column c ON c.table_id = p.table_id AND c.column_id = p.column_id
            WHERE p.partition_id = ? AND c.end_snapshot IS NULL ORDER BY p.partition_key_index
            """, arguments: [partitionId])
        let prefix = "\(zone)/\(dataset)/"

        // Ended files keep the path of the last version folder they were in. The live files are
        // read once and matched here: a query per removed path scanned the table each time, and
        // a full refresh removes every file.
        var deletedRows = 0
        let removedRelative = Set(removed.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        if !removedRelative.isEmpty {
            let live = try SQLRow.fetchAll(db, sql: "SELECT data_file_id, path, record_count FROM ducklake_data_file WHERE table_id = ? AND end_snapshot IS NULL",
                                        arguments: [table])
            let end = try db.cachedStatement(sql: "UPDATE ducklake_data_file SET end_snapshot = ? WHERE data_file_id = ?")
            for row in live {
                let path: String = row[1]
                let relative = path.firstIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
                guard removedRelative.contains(relative) else { continue }
                deletedRows += row[2] ?? 0
                try end.execute(arguments: [s.id, row[0] as Int64])
            }
        }
        let version = folder.map { String($0.split(separator: "/").last!) } ?? ""
        if folder != nil {
            // Kept files are hard-linked into the new folder: point their rows there.
            let slash = db.dialect.position(of: "'/'", in: "path")
            let inVersionFolder = db.dialect == .sqlite ? "path GLOB 'v[0-9]*/*'" : "path ~ '^v[0-9][^/]*/'"
            try db.execute(sql: """
                UPDATE ducklake_data_file SET path = ? || substr(path, \(slash))
                WHERE table_id = ? AND end_snapshot IS NULL AND \(inVersionFolder) AND substr(path, 1, \(slash) - 1) <> ?
                """, arguments: [version, table, version])
        }
        var nextRow = try Int64.fetchOne(db, sql: "SELECT next_row_id FROM ducklake_table_stats WHERE table_id = ?", arguments: [table]) ?? 0
        var addedRows = 0, addedBytes = 0
        // Rows gathered per table and inserted many at a time (one round trip each on PostgreSQL).
        var dataFiles: [[any SQLColumnValue]] = [], partitionValues: [[any SQLColumnValue]] = [], columnStats: [[any SQLColumnValue]] = []
        for (order, file) in added.enumerated() where file.path.hasPrefix(prefix) {
            let id = s.nextFileId
            s.nextFileId += 1
            dataFiles.append([id, table, s.id, order, version + "/" + String(file.path.dropFirst(prefix.count)), file.rows, file.bytes,
                              nextRow, partitionId, mappingId])
            nextRow += Int64(file.rows)
            addedRows += file.rows
            addedBytes += file.bytes
            let values = (try? JSONValue.parse(file.partitionValues)) ?? .null
            for (index, name) in partitionNames.enumerated() {
                let value = values[name]?.stringValue
                partitionValues.append([id, table, index, value])
                if let column = columnIds[name] {
                    columnStats.append([id, table, column, Int?.none, value == nil ? 0 : file.rows, value == nil ? file.rows : 0, value, value])
                }
            }
            for stat in stats[file.path] ?? [] {
                guard let column = columnIds[stat.name] else { continue }
                columnStats.append([id, table, column, stat.bytes, stat.valueCount, stat.nullCount, stat.min, stat.max])
            }
        }
        try db.cachedStatement(sql: """
            INSERT INTO ducklake_data_file (data_file_id, table_id, begin_snapshot, end_snapshot, file_order, path, path_is_relative,
                                            file_format, record_count, file_size_bytes, footer_size, row_id_start, partition_id,
                                            encryption_key, mapping_id, partial_max)
            VALUES (?, ?, ?, NULL, ?, ?, \(db.dialect.true), 'parquet', ?, ?, NULL, ?, ?, NULL, ?, NULL)
            """).executeMany(dataFiles)
        try db.cachedStatement(sql: "INSERT INTO ducklake_file_partition_value VALUES (?, ?, ?, ?)").executeMany(partitionValues)
        try db.cachedStatement(sql: "INSERT INTO ducklake_file_column_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)").executeMany(columnStats)
        try db.execute(sql: """
            UPDATE ducklake_table_stats SET record_count = record_count + ? - ?, next_row_id = ?, file_size_bytes = file_size_bytes + ?
            WHERE table_id = ?
            """, arguments: [addedRows, deletedRows, nextRow, addedBytes, table])
        try refreshTableColumnStats(db, table: table)
        if addedRows > 0 { s.changes.append("inserted_into_table:\(table)") }
        if deletedRows > 0 || !removed.isEmpty { s.changes.append("deleted_from_table:\(table)") }
        try db.execute(sql: "INSERT INTO ducklake_snapshot VALUES (?, ?, ?, ?, ?)",
                       arguments: [s.id, now.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "+00"),
                                   s.schemaVersion, s.nextCatalogId, s.nextFileId])
        try db.execute(sql: "INSERT INTO ducklake_snapshot_changes VALUES (?, ?, 'lake', ?, NULL)",
                       arguments: [s.id, s.changes.joined(separator: ","), message])
    }

    /// The table, its columns, identity partitions on the partition columns, and a by-name
    /// column mapping (lake's files keep dt and region in folder names only).
    static func createTable(_ db: CatalogDatabase, schemaId: Int64, zone: String, name: String, columns: [DuckLakeColumn],
                            _ s: inout DuckLakeSnapshotDraft) throws -> Int64 {
        let id = s.nextCatalogId
        s.nextCatalogId += 1
        s.schemaVersion += 1
        try db.execute(sql: "INSERT INTO ducklake_table VALUES (?, \(db.dialect.newUUID), ?, NULL, ?, ?, ?, \(db.dialect.true))",
                       arguments: [id, s.id, schemaId, name, "\(lakeTablePathPrefix)\(zone)/\(name)/"])
        for (k, c) in columns.enumerated() { try insertColumn(db, table: id, columnId: Int64(k + 1), order: k + 1, c, s.id) }
        let partitionKeys = columns.enumerated().filter { $0.element.partition }
        if !partitionKeys.isEmpty {
            let partitionId = s.nextCatalogId
            s.nextCatalogId += 1
            try db.execute(sql: "INSERT INTO ducklake_partition_info VALUES (?, ?, ?, NULL)", arguments: [partitionId, id, s.id])
            for (index, (k, _)) in partitionKeys.enumerated() {
                try db.execute(sql: "INSERT INTO ducklake_partition_column VALUES (?, ?, ?, ?, 'identity')", arguments: [partitionId, id, index, k + 1])
            }
        }
        try db.execute(sql: "INSERT INTO ducklake_schema_versions VALUES (?, ?, ?)", arguments: [s.id, s.schemaVersion, id])
        try db.execute(sql: "INSERT INTO ducklake_table_stats VALUES (?, 0, 0, 0)", arguments: [id])
        try insertMapping(db, table: id, columns: columns.enumerated().map { (Int64($0 + 1), $1) })
        s.changes.append("created_table:\"\(zone)\".\"\(name)\"")
        return id
    }

    /// A contract change: columns keep their id while name and type stay, new ones get new ids,
    /// and files written from now on get a new name mapping (older files read NULL for new columns).
    static func alterColumns(_ db: CatalogDatabase, table: Int64, to columns: [DuckLakeColumn], _ s: inout DuckLakeSnapshotDraft) throws {
        let live = try SQLRow.fetchAll(db, sql: """
            SELECT column_id, column_name, column_type FROM ducklake_column
            WHERE table_id = ? AND end_snapshot IS NULL AND parent_column IS NULL ORDER BY column_order
            """, arguments: [table])
        guard live.map({ "\($0[1] as String) \($0[2] as String)" }) != columns.map({ "\($0.name) \($0.type)" }) else { return }
        var ids: [String: Int64] = [:]
        for r in live { ids["\(r[1] as String) \(r[2] as String)"] = r[0] }
        var nextId = (live.map { $0[0] as Int64 }.max() ?? 0)
        nextId = max(nextId, try Int64.fetchOne(db, sql: "SELECT max(column_id) FROM ducklake_column WHERE table_id = ?", arguments: [table]) ?? 0)
        try db.execute(sql: "UPDATE ducklake_column SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL", arguments: [s.id, table])
        var mapped: [(Int64, DuckLakeColumn)] = []
        for (k, c) in columns.enumerated() {
            let id: Int64
            if let existing = ids["\(c.name) \(c.type)"] { id = existing } else { nextId += 1; id = nextId }
            try insertColumn(db, table: table, columnId: id, order: k + 1, c, s.id)
            mapped.append((id, c))
        }
        try insertMapping(db, table: table, columns: mapped)
        s.schemaVersion += 1
        try db.execute(sql: "INSERT INTO ducklake_schema_versions VALUES (?, ?, ?)", arguments: [s.id, s.schemaVersion, table])
        s.changes.append("altered_table:\(table)")
    }

    static func insertColumn(_ db: CatalogDatabase, table: Int64, columnId: Int64, order: Int, _ c: DuckLakeColumn, _ snapshot: Int64) throws {
        try db.execute(sql: """
            INSERT INTO ducklake_column (column_id, begin_snapshot, end_snapshot, table_id, column_order, column_name, column_type,
                                         initial_default, default_value, nulls_allowed, parent_column, default_value_type, default_value_dialect)
            VALUES (?, ?, NULL, ?, ?, ?, ?, NULL, 'NULL', \(db.dialect.true), NULL, 'literal', 'duckdb')
            """, arguments: [columnId, snapshot, table, order, c.name, c.type])
    }

    static func insertMapping(_ db: CatalogDatabase, table: Int64, columns: [(Int64, DuckLakeColumn)]) throws {
        let id = (try Int64.fetchOne(db, sql: "SELECT max(mapping_id) FROM ducklake_column_mapping") ?? -1) + 1
        try db.execute(sql: "INSERT INTO ducklake_column_mapping VALUES (?, ?, 'map_by_name')", arguments: [id, table])
        for (k, (columnId, c)) in columns.enumerated() {
            try db.execute(sql: "INSERT INTO ducklake_name_mapping VALUES (?, ?, ?, ?, NULL, ?)",
                           arguments: [id, k, c.name, columnId, c.partition])
        }
    }

    /// The table's column statistics over its live files. Numbers compare as numbers; dates,
    /// timestamps and strings compare as their text, which sorts as the values do.
    static func refreshTableColumnStats(_ db: CatalogDatabase, table: Int64) throws {
        try db.execute(sql: "DELETE FROM ducklake_table_column_stats WHERE table_id = ?", arguments: [table])
        // The integer casts sit inside the aggregates, under the same test: PostgreSQL computes
        // every aggregate of a row before its CASE picks one, and a text min is no integer.
        let integer = "c.column_type IN ('int8','int16','int32','int64','uint8','uint16','uint32','uint64')"
        try db.execute(sql: """
            INSERT INTO ducklake_table_column_stats (table_id, column_id, contains_null, contains_nan, min_value, max_value, extra_stats)
            SELECT CAST(? AS BIGINT), s.column_id, \(db.dialect.any("s.null_count > 0")), NULL,
                   CASE WHEN \(integer) THEN CAST(min(CASE WHEN \(integer) THEN CAST(s.min_value AS BIGINT) END) AS TEXT)
                        WHEN c.column_type IN ('float32','float64') THEN NULL ELSE min(s.min_value) END,
                   CASE WHEN \(integer) THEN CAST(max(CASE WHEN \(integer) THEN CAST(s.max_value AS BIGINT) END) AS TEXT)
                        WHEN c.column_type IN ('float32','float64') THEN NULL ELSE max(s.max_value) END,
                   NULL
            FROM ducklake_file_column_stats s
            JOIN ducklake_data_file f ON f.data_file_id = s.data_file_id AND f.end_snapshot IS NULL
            JOIN ducklake_column c ON c.table_id = s.table_id AND c.column_id = s.column_id AND c.end_snapshot IS NULL
            WHERE s.table_id = ? GROUP BY s.column_id, c.column_type
            """, arguments: [table, table])
    }
}

/// The next snapshot, as it is being built.
struct DuckLakeSnapshotDraft {
    var id: Int64
    var schemaVersion: Int64
    var nextCatalogId: Int64
    var nextFileId: Int64
    var changes: [String] = []
}
