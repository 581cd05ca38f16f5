import Foundation
import LakeCore

/// One DuckLake snapshot, as `lake catalog snapshots` lists it.
public struct DuckLakeSnapshot: Sendable {
    public var id: Int64
    public var time: String
    public var schemaVersion: Int64
    public var changes: String
    public var author: String?
    public var message: String?
}

/// A table registered in the DuckLake tables, by lake or by any other writer (DuckDB).
public struct DuckLakeTableName: Sendable, Hashable {
    public var schema: String
    public var name: String
    public var id: Int64
}

/// A cell of DuckLake's inlined data, as SQLite stored it.
public enum DuckLakeCell: Sendable {
    case null, int(Int64), double(Double), text(String)
}

/// What a reader needs to scan one table as of one snapshot: its columns, its live data
/// files with the rows deleted from them, and rows inlined into the catalog.
public struct DuckLakeTableState: Sendable {
    public struct DataFile: Sendable {
        public var id: Int64
        /// Absolute.
        public var path: String
        public var records: Int
        /// Values of the identity-partition columns (by column name), from the catalog.
        public var partitionValues: [String: String?]
        /// File-relative row positions deleted by inlined deletes.
        public var deletedPositions: [Int64]
        /// Parquet delete files (`file_path`, `pos`), absolute paths.
        public var deleteFiles: [String]
        /// Rows those delete files delete.
        public var deleteFileRows = 0
        public var bytes = 0
    }
    public var table: DuckLakeTableName
    public var snapshot: Int64
    public var columns: [DuckLakeColumn]
    public var files: [DataFile]
    /// Inlined rows, one cell per column in `columns` order.
    public var inlinedRows: [[DuckLakeCell]]

    /// Rows as of the snapshot.
    public var rows: Int {
        files.reduce(inlinedRows.count) { $0 + $1.records - $1.deletedPositions.count - $1.deleteFileRows }
    }
}

extension Catalog {
    /// The latest snapshot id (nil when the catalog has no DuckLake tables).
    public func duckLakeCurrentSnapshot() throws -> Int64? {
        try read { db in try db.tableExists("ducklake_snapshot") ? Self.latestSnapshot(db) : nil }
    }

    static func latestSnapshot(_ db: CatalogDatabase) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT max(snapshot_id) FROM ducklake_snapshot")
    }

    /// Snapshots, newest first; with `table`, only those that changed it.
    public func duckLakeSnapshots(touching table: DuckLakeTableName? = nil) throws -> [DuckLakeSnapshot] {
        try read { db in
            guard try db.tableExists("ducklake_snapshot") else { return [] }
            let rows = try SQLRow.fetchAll(db, sql: """
                SELECT s.snapshot_id, s.snapshot_time, s.schema_version, c.changes_made, c.author, c.commit_message
                FROM ducklake_snapshot s LEFT JOIN ducklake_snapshot_changes c USING (snapshot_id) ORDER BY s.snapshot_id DESC
                """)
            return rows.map { DuckLakeSnapshot(id: $0[0], time: $0[1] ?? "", schemaVersion: $0[2] ?? 0, changes: $0[3] ?? "",
                                               author: $0[4], message: $0[5]) }
                .filter { table == nil || Self.snapshot($0, touches: table!) }
        }
    }

    /// Whether a snapshot's change list names the table (by id or by quoted name).
    static func snapshot(_ s: DuckLakeSnapshot, touches table: DuckLakeTableName) -> Bool {
        s.changes.split(separator: ",").contains { change in
            change.hasSuffix(":\(table.id)") || change.hasSuffix(":\"\(table.schema)\".\"\(table.name)\"")
        }
    }

    /// The newest snapshot taken at or before `time` (a DuckDB timestamp text or ISO 8601).
    public func duckLakeSnapshot(atOrBefore seconds: Double) throws -> Int64? {
        try duckLakeSnapshots().first { (Self.seconds(ofSnapshotTime: $0.time) ?? .infinity) <= seconds }?.id
    }

    /// Seconds since 1970 of DuckLake's `snapshot_time` ("2026-11-25 00:41:01.79+00", or ISO).
    static func seconds(ofSnapshotTime text: String) -> Double? {
        var t = text.replacingOccurrences(of: " ", with: "T")
        if t.hasSuffix("+00") { t = String(t.dropLast(3)) + "Z" }
        if !t.hasSuffix("Z") && !t.contains("+") { t += "Z" }
        return Timestamps.parse(t)?.timeIntervalSince1970
    }

    /// Tables alive at `snapshot` (the latest when nil), by schema and name.
    public func duckLakeTables(at snapshot: Int64? = nil) throws -> [DuckLakeTableName] {
        try read { db in
            guard try db.tableExists("ducklake_table") else { return [] }
            let s = try snapshot ?? Self.latestSnapshot(db) ?? 0
            return try SQLRow.fetchAll(db, sql: """
                SELECT s.schema_name, t.table_name, t.table_id FROM ducklake_table t JOIN ducklake_schema s USING (schema_id)
                WHERE \(Self.alive("t")) AND \(Self.alive("s")) ORDER BY s.schema_name, t.table_name
                """, arguments: [s, s, s, s]).map { DuckLakeTableName(schema: $0[0], name: $0[1], id: $0[2]) }
        }
    }

    static func alive(_ alias: String) -> String {
        "\(alias).begin_snapshot <= ? AND (\(alias).end_snapshot IS NULL OR \(alias).end_snapshot > ?)"
    }

    /// Each live data file's minimum and maximum of `columns` at `snapshot`, as DuckLake's
    /// column statistics hold them (text), by data file id: what a reader prunes files by
    /// before it fetches any.
    public func duckLakeFileBounds(table: Int64, snapshot: Int64, columns: [String]) throws -> [Int64: [String: (min: String?, max: String?)]] {
        guard !columns.isEmpty else { return [:] }
        return try read { db in
            var bounds: [Int64: [String: (min: String?, max: String?)]] = [:]
            let names = columns.map { _ in "?" }.joined(separator: ", ")
            for r in try SQLRow.fetchAll(db, sql: """
                SELECT s.data_file_id, c.column_name, s.min_value, s.max_value FROM ducklake_file_column_stats s
                JOIN ducklake_column c ON c.table_id = s.table_id AND c.column_id = s.column_id AND \(Self.alive("c"))
                JOIN ducklake_data_file f ON f.data_file_id = s.data_file_id AND \(Self.alive("f"))
                WHERE s.table_id = ? AND c.column_name IN (\(names))
                """, arguments: [snapshot, snapshot, snapshot, snapshot, table] + columns) {
                bounds[r[0], default: [:]][r[1]] = (r[2], r[3])
            }
            return bounds
        }
    }

    /// The table `schema.name` as of `snapshot` (the latest when nil); nil when it did not exist.
    public func duckLakeTable(schema: String, name: String, at snapshot: Int64? = nil) throws -> DuckLakeTableState? {
        try read { db -> DuckLakeTableState? in
            guard try db.tableExists("ducklake_table") else { return nil }
            let latest = try Self.latestSnapshot(db) ?? 0
            let s = snapshot ?? latest
            guard s <= latest, try Int64.fetchOne(db, sql: "SELECT snapshot_id FROM ducklake_snapshot WHERE snapshot_id = ?", arguments: [s]) != nil else {
                throw CatalogError.database("snapshot \(s) does not exist"
                    + (s <= latest ? " (expired by `lake vacuum`)" : " (the latest is \(latest))") + " — `lake catalog snapshots` lists them")
            }
            guard let row = try SQLRow.fetchOne(db, sql: """
                SELECT t.table_id, s.schema_name, t.table_name, t.path, t.path_is_relative, s.path, s.path_is_relative
                FROM ducklake_table t JOIN ducklake_schema s USING (schema_id)
                WHERE lower(s.schema_name) = lower(?) AND lower(t.table_name) = lower(?) AND \(Self.alive("t")) AND \(Self.alive("s"))
                """, arguments: [schema, name, s, s, s, s]) else { return nil }
            let tableId: Int64 = row[0]
            let tablePath = Self.tableFolder(row, at: 3, dataPath: try Self.dataPath(db))

            let columnRows = try SQLRow.fetchAll(db, sql: """
                SELECT column_id, column_name, column_type FROM ducklake_column
                WHERE table_id = ? AND parent_column IS NULL AND \(Self.alive("ducklake_column")) ORDER BY column_order
                """, arguments: [tableId, s, s])
            // Identity partitions at the end of the column list come from the catalog's partition values.
            let partitionColumns = try SQLRow.fetchAll(db, sql: """
                SELECT c.partition_key_index, c.column_id FROM ducklake_partition_column c JOIN ducklake_partition_info i USING (partition_id, table_id)
                WHERE c.table_id = ? AND c."transform" = 'identity' AND \(Self.alive("i"))
                """, arguments: [tableId, s, s])
            var keyIndex: [Int64: Int64] = [:]
            for r in partitionColumns { keyIndex[r[1]] = r[0] }
            var tail = 0
            while tail < columnRows.count, keyIndex[columnRows[columnRows.count - 1 - tail][0]] != nil { tail += 1 }
            let columns = columnRows.enumerated().map { k, r in
                DuckLakeColumn(name: r[1], type: r[2], partition: k >= columnRows.count - tail)
            }
            let partitionKeys = Dictionary(uniqueKeysWithValues: columnRows.suffix(tail).map { (keyIndex[$0[0] as Int64]!, $0[1] as String) })

            var files: [DuckLakeTableState.DataFile] = []
            var byId: [Int64: Int] = [:]
            for r in try SQLRow.fetchAll(db, sql: """
                SELECT data_file_id, path, path_is_relative, record_count, file_size_bytes FROM ducklake_data_file
                WHERE table_id = ? AND \(Self.alive("ducklake_data_file")) ORDER BY file_order, data_file_id
                """, arguments: [tableId, s, s]) {
                byId[r[0]] = files.count
                files.append(.init(id: r[0], path: Self.resolve(r[1], relative: r[2] != 0, under: tablePath), records: r[3] ?? 0,
                                   partitionValues: [:], deletedPositions: [], deleteFiles: [], bytes: r[4] ?? 0))
            }
            if !partitionKeys.isEmpty {
                for r in try SQLRow.fetchAll(db, sql: """
                    SELECT v.data_file_id, v.partition_key_index, v.partition_value FROM ducklake_file_partition_value v
                    JOIN ducklake_data_file f USING (data_file_id) WHERE f.table_id = ? AND \(Self.alive("f"))
                    """, arguments: [tableId, s, s]) {
                    if let k = byId[r[0]], let name = partitionKeys[r[1]] { files[k].partitionValues[name] = r[2] as String? }
                }
            }
            for r in try SQLRow.fetchAll(db, sql: """
                SELECT data_file_id, path, path_is_relative, delete_count FROM ducklake_delete_file WHERE table_id = ? AND \(Self.alive("ducklake_delete_file"))
                """, arguments: [tableId, s, s]) {
                if let k = byId[r[0]] {
                    files[k].deleteFiles.append(Self.resolve(r[1], relative: r[2] != 0, under: tablePath))
                    files[k].deleteFileRows += r[3] ?? 0
                }
            }
            if try db.tableExists("ducklake_inlined_delete_\(tableId)") {
                for r in try SQLRow.fetchAll(db, sql: "SELECT file_id, row_id FROM ducklake_inlined_delete_\(tableId) WHERE begin_snapshot <= ?",
                                          arguments: [s]) {
                    if let k = byId[r[0]] { files[k].deletedPositions.append(r[1]) }
                }
            }

            var inlined: [[DuckLakeCell]] = []
            let inlinedTables = try String.fetchAll(db, sql: "SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ? ORDER BY schema_version",
                                                    arguments: [tableId])
            for name in inlinedTables where try db.tableExists(name) {
                let present = Set(try db.columnNames(in: name).map { $0.lowercased() })
                let select = columns.map { present.contains($0.name.lowercased()) ? "\"\($0.name.replacingOccurrences(of: "\"", with: "\"\""))\"" : "NULL" }
                for r in try SQLRow.fetchAll(db, sql: """
                    SELECT \(select.isEmpty ? "NULL" : select.joined(separator: ", ")) FROM "\(name)"
                    WHERE begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?) ORDER BY row_id
                    """, arguments: [s, s]) {
                    inlined.append((0..<columns.count).map { k in
                        switch r[k] as SQLValue {
                        case .null: .null
                        case let .integer(i): .int(i)
                        case let .real(d): .double(d)
                        case let .text(t): .text(t)
                        case let .blob(b): .text(String(decoding: b, as: UTF8.self))
                        case let .bool(b): .int(b ? 1 : 0)
                        }
                    })
                }
            }
            return DuckLakeTableState(table: DuckLakeTableName(schema: row[1], name: row[2], id: tableId), snapshot: s,
                                      columns: columns, files: files, inlinedRows: inlined)
        }
    }

    /// Every table's folder (absolute: its path under its schema's, under `data_path`) and
    /// whether it is one of lake's own, by table id; a table's live row wins over ended ones.
    static func duckLakeTableFolders(_ db: CatalogDatabase) throws -> [Int64: DuckLakeTableFolder] {
        let dataPath = try dataPath(db)
        var folders: [Int64: DuckLakeTableFolder] = [:]
        for r in try SQLRow.fetchAll(db, sql: """
            SELECT s.schema_name, t.table_name, t.table_id, t.path, t.path_is_relative, s.path, s.path_is_relative, t.end_snapshot
            FROM ducklake_table t JOIN ducklake_schema s USING (schema_id)
            """) {
            let name = DuckLakeTableName(schema: r[0], name: r[1], id: r[2])
            let folder = DuckLakeTableFolder(name: name, path: tableFolder(r, at: 3, dataPath: dataPath),
                                             lakeOwned: (r[3] as String).hasPrefix(lakeTablePathPrefix), live: (r[7] as Int64?) == nil)
            if folders[name.id]?.live != true { folders[name.id] = folder }
        }
        return folders
    }

    static func dataPath(_ db: CatalogDatabase) throws -> String {
        try String.fetchOne(db, sql: "SELECT value FROM ducklake_metadata WHERE key = 'data_path'") ?? ""
    }

    /// A table's folder from `t.path, t.path_is_relative, s.path, s.path_is_relative` at `index`
    /// in `row`: its path under its schema's, under `data_path`.
    static func tableFolder(_ row: SQLRow, at index: Int, dataPath: String) -> String {
        resolve(row[index], relative: row[index + 1] != 0, under: resolve(row[index + 2], relative: row[index + 3] != 0, under: dataPath))
    }

    static func resolve(_ path: String, relative: Bool, under base: String) -> String {
        guard relative else { return path }
        return base.hasSuffix("/") || base.isEmpty ? base + path : base + "/" + path
    }

    /// Points the catalog at where the lake now is (all its file paths are relative to it).
    static func moveDuckLakeDataPath(_ db: CatalogDatabase, to dataPath: String) throws {
        guard try db.tableExists("ducklake_metadata") else { return }
        try db.execute(sql: "UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path' AND value <> ?", arguments: [dataPath, dataPath])
    }
}

/// What expiring snapshots did (or would do).
public struct DuckLakeExpiry: Sendable {
    public var snapshots: [Int64] = []
    public var dataFiles = 0
    /// Files of tables other writers made, no snapshot can read any more (absolute paths), to delete.
    public var orphans: [String] = []

    public init() {}
}

extension Catalog {
    /// Expires the snapshots taken before `cutoff` (ISO time), always keeping the latest, and
    /// forgets the data and delete files no remaining snapshot reads — as DuckLake's
    /// `ducklake_expire_snapshots` does. lake's own files live in version folders, which
    /// `lake vacuum` removes; other writers' files are returned to be deleted.
    public func expireDuckLakeSnapshots(before cutoff: String, dryRun: Bool) throws -> DuckLakeExpiry {
        guard let limit = Self.seconds(ofSnapshotTime: cutoff) else { return DuckLakeExpiry() }
        let body = { (db: CatalogDatabase) throws -> DuckLakeExpiry in
            var expiry = DuckLakeExpiry()
            guard try db.tableExists("ducklake_snapshot") else { return expiry }
            let all = try SQLRow.fetchAll(db, sql: "SELECT snapshot_id, snapshot_time FROM ducklake_snapshot ORDER BY snapshot_id")
            guard let latest = all.last?[0] as Int64? else { return expiry }
            expiry.snapshots = all.filter { ($0[0] as Int64) != latest && (Self.seconds(ofSnapshotTime: $0[1] ?? "") ?? .infinity) < limit }.map { $0[0] }
            guard let oldestKept = all.map({ $0[0] as Int64 }).first(where: { !expiry.snapshots.contains($0) }) else { return expiry }
            let folders = try Self.duckLakeTableFolders(db)
            // Ended before every remaining snapshot: nothing can read it.
            let gone = try SQLRow.fetchAll(db, sql: """
                SELECT 'data', data_file_id, table_id, path, path_is_relative FROM ducklake_data_file
                WHERE end_snapshot IS NOT NULL AND end_snapshot <= ?
                UNION ALL
                SELECT 'delete', delete_file_id, table_id, path, path_is_relative FROM ducklake_delete_file
                WHERE end_snapshot IS NOT NULL AND end_snapshot <= ?
                """, arguments: [oldestKept, oldestKept])
            var dataIds: [Int64] = [], deleteIds: [Int64] = []
            for r in gone {
                let kind: String = r[0]
                if kind == "data" { dataIds.append(r[1]) } else { deleteIds.append(r[1]) }
                // lake's own files go with their version folders.
                if let folder = folders[r[2]], !folder.lakeOwned {
                    expiry.orphans.append(Self.resolve(r[3], relative: r[4] != 0, under: folder.path))
                }
            }
            expiry.dataFiles = dataIds.count
            guard !dryRun else { return expiry }
            for id in dataIds {
                for table in ["ducklake_data_file", "ducklake_file_column_stats", "ducklake_file_partition_value"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE data_file_id = ?", arguments: [id])
                }
            }
            for id in deleteIds { try db.execute(sql: "DELETE FROM ducklake_delete_file WHERE delete_file_id = ?", arguments: [id]) }
            for id in expiry.snapshots {
                try db.execute(sql: "DELETE FROM ducklake_snapshot WHERE snapshot_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM ducklake_snapshot_changes WHERE snapshot_id = ?", arguments: [id])
            }
            return expiry
        }
        return dryRun ? try read(body) : try write(body)
    }
}

/// What other writers (DuckDB clients) put in the DuckLake catalog: their tables, and every
/// file the catalog names for them, as paths relative to the lake root.
public struct DuckLakeForeign: Sendable {
    public var tables: [(name: DuckLakeTableName, folder: String)] = []
    public var files: [String: DuckLakeTableName] = [:]
}

extension Catalog {
    public func duckLakeForeign() throws -> DuckLakeForeign {
        try read { db in
            var foreign = DuckLakeForeign()
            guard try db.tableExists("ducklake_table") else { return foreign }
            let prefix = root.path + "/"
            func relative(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
            let folders = try Self.duckLakeTableFolders(db).filter { !$0.value.lakeOwned }
            for folder in folders.values.sorted(by: { $0.name.id < $1.name.id }) where folder.live {
                foreign.tables.append((folder.name, relative(folder.path.hasSuffix("/") ? String(folder.path.dropLast()) : folder.path)))
            }
            for r in try SQLRow.fetchAll(db, sql: """
                SELECT table_id, path, path_is_relative FROM ducklake_data_file
                UNION ALL SELECT table_id, path, path_is_relative FROM ducklake_delete_file
                """) {
                guard let folder = folders[r[0]] else { continue }
                foreign.files[relative(Self.resolve(r[1], relative: r[2] != 0, under: folder.path))] = folder.name
            }
            return foreign
        }
    }
}

/// Where a DuckLake table's files are, and whose table it is.
struct DuckLakeTableFolder {
    var name: DuckLakeTableName
    var path: String
    /// One of lake's own tables: its path is in `_versions/` (`Catalog.lakeTablePathPrefix`).
    var lakeOwned: Bool
    var live: Bool
}
