import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// `staged/<table>_history` for a captured table (`lake promote <table> --history`): SCD type
/// 2, a row per version of each row, with `valid_from` (the commit that made it), `valid_to`
/// (the commit that replaced or deleted it; null while current) and `is_current`. A truncate,
/// or a new snapshot, ends every current version.
///
/// It is rebuilt from every raw change at each promotion, as one new version of its own
/// dataset, whose contract is the table's plus those three columns.
struct HistoryPromoter {
    let catalog: Catalog
    let options: PromoteOptions
    let progress: LakeCore.Progress

    static let columns = [ColumnSchema("_lsn", .int64, nullable: false), ColumnSchema("_op", .string, nullable: false),
                          ColumnSchema("valid_from", .timestamp), ColumnSchema("valid_to", .timestamp),
                          ColumnSchema("is_current", .boolean, nullable: false)]

    func promote(table: String, contract: DatasetContract, reader: ChangeReader, run: Int64?) throws -> PromotionReport {
        let started = Date()
        let name = table + "_history"
        try catalog.register(try Self.contract(from: contract, table: table))
        var report = PromotionReport(dataset: name)
        let lock = try StagedPromotionLock.acquire(name, catalog: catalog, options: options, progress: progress, report: &report)
        defer { lock.release() }
        let root = catalog.root
        let rawFiles = try catalog.files(of: table, zone: .raw).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        let mirror = ObjectMirror(catalog: catalog)
        defer { mirror?.removeAll() }
        try mirror?.fetch(rawFiles.map(\.path))
        progress.status("\(name): reading \(rawFiles.count) raw files of changes")
        var results = try ReadResults.read(rawFiles, with: reader, root: root, workers: options.workers)
        let changes = results.ordered()

        let schema = contract.fields.map(StagedSchema.column) + Self.columns
        let number = (try catalog.versions(of: name, zone: .staged).map(\.version).max() ?? 0) + 1
        let folder = String(format: "_versions/staged/%@/v%06d", name, number)
        let folderPath = root.absolute(folder)
        try FileSystem.makeDirectories(folderPath)
        let batchId = BatchID.make()
        var writerOptions = options.writer(for: catalog)
        writerOptions.rowGroupRows = max(writerOptions.rowGroupRows, options.rowGroupRows)
        let writer = StateWriter(schema: schema, folder: folderPath, batchId: batchId, rowsPerFile: 1_000_000, options: writerOptions)
        do {
            let (rows, current) = try Self.versions(of: changes, into: writer)
            let now = Timestamps.iso()
            let added = try writer.finish(dataset: name, source: contract.source, run: run, createdAt: now)
            try FileSystem.syncDirectory(folderPath)
            let version = VersionRecord(dataset: name, zone: "staged", version: number, folder: folder, state: "current",
                                        files: added.count, rows: rows, runId: run, createdAt: now)
            var publication = VersionPublication(
                version: version, addedFiles: added, removedPaths: try catalog.files(of: name, zone: .staged).map(\.path),
                lineage: rawFiles.flatMap { raw in added.map { LineageRecord(dataset: name, inputPath: raw.path, outputPath: $0.path, version: number, rows: $0.rows) } },
                promoted: [], drift: [], quarantine: [], fullRefresh: true)
            publication.columns = schema.map { DuckLakeColumn(name: $0.name, type: $0.type.duckLakeName, partition: false) }
            publication.columnStats = DuckLakeStats.of(added, root: root, folder: folder)
            try catalog.publish(publication)
            report.version = number
            report.rawFiles = rawFiles.count
            report.records = changes.count
            report.staged = rows
            report.totalRows = rows
            report.filesWritten = added.count
            report.fullRefresh = true
            report.notes.append("\(rows) versions of rows, \(current) current")
            report.seconds = Date().timeIntervalSince(started)
            return report
        } catch {
            try? FileManager.default.removeItem(atPath: folderPath)
            throw error
        }
    }

    /// Writes a row per version; returns the versions written and how many are current.
    static func versions(of changes: OrderedChanges, into writer: StateWriter) throws -> (rows: Int, current: Int) {
        struct Open {
            var cells: [Cell]
            var from: Int64
            var lsn: UInt64
            var op: ChangeEvent.Op
        }
        var open: [RowKey: Open] = [:]
        var order: [RowKey] = []
        var rows = 0
        func write(_ o: Open, to: Int64?) throws {
            try writer.append(cells: o.cells + [.int(Int64(bitPattern: o.lsn)), .bytes([o.op.rawValue]), o.from == 0 ? .null : .int(o.from),
                                                to.map(Cell.int) ?? .null, .bool(to == nil)])
            rows += 1
        }
        func close(_ key: RowKey, at time: Int64) throws {
            if let o = open.removeValue(forKey: key) { try write(o, to: time) }
        }
        for change in changes {
            if change.op == .truncate || change.resets {
                for key in order where open[key] != nil { try close(key, at: change.commitMicros) }
                order.removeAll()
            }
            switch change.op {
            case .truncate: continue
            case .delete: try close(change.key, at: change.commitMicros)
            case .create, .update, .read:
                let prior = open[change.movedFrom ?? change.key]
                if let old = change.movedFrom { try close(old, at: change.commitMicros) }
                var cells = change.cells
                for i in cells.indices where cells[i] == .carry { cells[i] = prior?.cells[i] ?? .null }
                try close(change.key, at: change.commitMicros)
                open[change.key] = Open(cells: cells, from: change.commitMicros, lsn: change.commitLSN, op: change.op)
                order.append(change.key)
            }
        }
        var current = 0
        var seen = Set<RowKey>()
        for key in order where seen.insert(key).inserted {
            if let o = open[key] { try write(o, to: nil); current += 1 }
        }
        return (rows, current)
    }

    /// The table's contract with the three history columns, and the key made of the table's key
    /// and `valid_from`.
    static func contract(from table: DatasetContract, table name: String) throws -> DatasetContract {
        guard case let .object(pairs) = try JSONValue.parse(table.canonicalJSON) else {
            throw TransformError.worker("the contract of \(name) is not an object")
        }
        var out: [(String, JSONValue)] = []
        for (key, value) in pairs {
            switch key {
            case "title": out.append((key, .string((table.source.map { $0 + "." } ?? "") + name + "_history")))
            case "properties":
                guard case let .object(properties) = value else { out.append((key, value)); continue }
                out.append((key, .object(properties + [
                    ("valid_from", .object([("type", .array(["string", "null"])), ("format", "date-time")])),
                    ("valid_to", .object([("type", .array(["string", "null"])), ("format", "date-time")])),
                    ("is_current", .object([("type", "boolean")])),
                ])))
            case "x-lake":
                guard case let .object(x) = value else { out.append((key, value)); continue }
                var lake = x.filter { !["primary_key", "raw_format", "cdc_table", "description"].contains($0.0) }
                lake.append(("primary_key", .array(table.primaryKey.map(JSONValue.string) + ["valid_from"])))
                lake.append(("history_of", .string(name)))
                lake.append(("description", .string("every version of \(name)'s rows (SCD type 2), rebuilt by `lake promote \(name) --history`")))
                out.append((key, .object(lake)))
            default: out.append((key, value))
            }
        }
        return try DatasetContract(data: Data(JSONValue.object(out).serialized().utf8), file: "derived from \(table.file)")
    }
}
