import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// raw → staged for a captured table (`x-lake.raw_format: "debezium"`): applies the changes
/// not promoted yet, in commit-LSN order, to the table's current state. An insert or update
/// upserts by the contract's key (every column for a table without one), a delete removes
/// the row, a truncate empties the table, and a snapshot starts it over. Each row carries
/// `_lsn` (the commit LSN of its last change), `_op` and `_commit_time`.
///
/// The staged files that hold a changed row are rewritten without it and end in the new
/// version, so the DuckLake snapshot records those rows as deleted and the new ones as
/// inserted; files without a changed row are kept as they are. The table is not partitioned:
/// a row's day would move with every update.
public final class CDCPromoter {
    let catalog: Catalog
    let options: PromoteOptions
    let progress: LakeCore.Progress
    /// Rows per staged file.
    public var rowsPerFile = 1_000_000

    public init(catalog: Catalog, options: PromoteOptions = PromoteOptions(), progress: LakeCore.Progress = .shared) {
        self.catalog = catalog
        self.options = options
        self.progress = progress
    }

    var root: LakeRoot { catalog.root }

    static let changeColumns = [ColumnSchema("_lsn", .int64, nullable: false), ColumnSchema("_op", .string, nullable: false),
                                ColumnSchema("_commit_time", .timestamp)]

    /// `<table>_history`, rebuilt from every raw change (`lake promote --history`).
    public func history(of table: String, run: Int64? = nil) throws -> PromotionReport {
        let contract = try catalog.contract(of: table)
        return try HistoryPromoter(catalog: catalog, options: options, progress: progress)
            .promote(table: table, contract: contract, reader: Self.reader(contract), run: run)
    }

    static func reader(_ contract: DatasetContract) -> ChangeReader {
        let fields = contract.fields.map { ChangeReader.Field(name: $0.name, kind: StagedSchema.kind(of: $0)) }
        var keyColumns = contract.primaryKey.compactMap { key in fields.firstIndex { $0.name == key } }
        if keyColumns.isEmpty { keyColumns = Array(fields.indices) }
        return ChangeReader(fields: fields, keyColumns: keyColumns)
    }

    /// The table's current state.
    public func promote(dataset name: String, run: Int64? = nil) throws -> PromotionReport {
        let started = Date()
        let record = try catalog.dataset(named: name)
        let dataset = record.name
        let contract = try catalog.contract(of: dataset)
        var report = PromotionReport(dataset: dataset)
        let scope = StagedPromotionLock.scope(of: dataset)
        let lock = try StagedPromotionLock.acquire(dataset, catalog: catalog, options: options, progress: progress, report: &report)
        defer { lock.release() }

        let reader = Self.reader(contract)
        let fields = reader.fields, keyColumns = reader.keyColumns
        let schema = contract.fields.map(StagedSchema.column) + Self.changeColumns

        let allRaw = try catalog.files(of: dataset, zone: .raw).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        guard !allRaw.isEmpty else { throw TransformError.noRawFiles(dataset: dataset) }
        let current = try catalog.currentVersion(of: dataset, zone: .staged)
        let fullRefresh = options.fullRefresh || current == nil
        let existing = fullRefresh ? [] : try catalog.files(of: dataset, zone: .staged)
        let physical = existing.map { root.absolute(current!.path(of: $0)) }
        let promoted = fullRefresh ? [] : try catalog.promotedRawPaths(of: dataset)
        let rawFiles = allRaw.filter { !promoted.contains($0.path) }
        if rawFiles.isEmpty {
            report.nothingNew(version: current?.version, rows: existing.reduce(0) { $0 + $1.rows }, since: started)
            return report
        }
        let mirror = ObjectMirror(catalog: catalog)
        defer { mirror?.removeAll() }
        if let current { try mirror?.fetch(existing, of: current) }
        try mirror?.fetch(rawFiles.map(\.path))

        // The staged rows' keys, by file; a file from before a schema change is rewritten whole.
        var state = CurrentState()
        var rewriteAll = Set<Int>()
        var stagedKeys: [[RowKey]] = []
        let keyNames = keyColumns.map { fields[$0].name }
        for (i, path) in physical.enumerated() {
            let file = try ParquetFile(path: path)
            if file.schema != schema { rewriteAll.insert(i) }
            let names = Set(file.schema.map(\.name))
            let parts = try file.readAll(columns: keyNames.filter(names.contains))
            let keys = RowKey.keys(keyNames.map { name in parts.first { $0.name == name } }, rows: file.rowCount)
            for (row, key) in keys.enumerated() { state.stage(key: key, at: .init(file: i, row: row)) }
            stagedKeys.append(keys)
        }
        if !rewriteAll.isEmpty { report.notes.append("the contract's columns changed: \(rewriteAll.count) staged file(s) rewritten to them") }

        // Read the new changes (a raw file per worker), then apply them in order.
        progress.status("promoting \(dataset): reading \(rawFiles.count) raw files of changes")
        var results = try ReadResults.read(rawFiles, with: reader, root: root, workers: options.workers)
        let changes = results.ordered()
        for change in changes { state.apply(change) }
        let touched = state.touchedFiles(of: existing.count).union(rewriteAll)

        let number = (try catalog.versions(of: dataset, zone: .staged).map(\.version).max() ?? 0) + 1
        let folder = String(format: "_versions/staged/%@/v%06d", dataset, number)
        let folderPath = root.absolute(folder)
        try FileSystem.makeDirectories(folderPath)
        let batchId = BatchID.make()
        let quarantine = QuarantineWriter(root: root, dataset: dataset, scope: scope, name: "\(batchId)-promote")
        do {
            for (i, result) in results.files.enumerated() {
                for r in result.rejected {
                    try quarantine.write(record: r.bytes[...], reason: r.reason, rawFile: rawFiles[i].path, line: r.line, index: nil, dt: rawFiles[i].dt)
                }
            }

            // The new files: the survivors of the touched files, then the changed rows.
            var writerOptions = options.writer(for: catalog)
            writerOptions.rowGroupRows = max(writerOptions.rowGroupRows, options.rowGroupRows)
            let output = StateWriter(schema: schema, folder: folderPath, batchId: batchId, rowsPerFile: rowsPerFile, options: writerOptions)
            var touchedColumns: [Int: [Column?]] = [:]
            for f in touched.sorted() {
                let file = try ParquetFile(path: physical[f])
                let columns = try file.readAll()
                let byName = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0) })
                let mapped = schema.map { byName[$0.name] }
                touchedColumns[f] = mapped
                for row in 0..<file.rowCount where state.keeps(stagedKeys[f][row]) { try output.append(row: row, of: mapped) }
            }
            let upserts = state.upserts
            for var row in upserts {
                if let from = row.carryFrom, let columns = touchedColumns[from.file] {
                    for i in row.cells.indices where row.cells[i] == .carry {
                        row.cells[i] = columns[i].map { StateWriter.cell($0, row: from.row) } ?? .null
                    }
                }
                try output.append(row)
            }
            let now = Timestamps.iso()
            let added = try output.finish(dataset: dataset, source: record.source, run: run, createdAt: now)

            // Untouched files join the new version as hard links.
            var kept: [FileRecord] = []
            var removed: [String] = []
            for (i, file) in existing.enumerated() {
                if touched.contains(i) { removed.append(file.path); continue }
                try FileSystem.hardLink(physical[i], to: folderPath + "/" + current!.relativePath(of: file))
                kept.append(file)
            }
            if fullRefresh { removed = try catalog.files(of: dataset, zone: .staged).map(\.path) }
            try FileSystem.syncDirectory(folderPath)
            CrashPoint.hit("promote:written")

            var promotedRecords: [PromotedRecord] = []
            var lineage: [LineageRecord] = []
            for (i, raw) in rawFiles.enumerated() {
                let r = results.files[i]
                let applied = r.lines - r.rejected.count
                promotedRecords.append(PromotedRecord(dataset: dataset, rawPath: raw.path, version: number, records: r.lines,
                                                      staged: applied, quarantined: r.rejected.count, duplicates: 0, promotedAt: now))
                lineage += added.map { LineageRecord(dataset: dataset, inputPath: raw.path, outputPath: $0.path, version: number, rows: applied) }
                report.rawFiles += 1
                report.records += r.lines
                report.quarantined += r.rejected.count
            }
            report.staged = changes.count
            let totalRows = kept.reduce(0) { $0 + $1.rows } + added.reduce(0) { $0 + $1.rows }
            let version = VersionRecord(dataset: dataset, zone: "staged", version: number, folder: folder, state: "current",
                                        files: kept.count + added.count, rows: totalRows, runId: run, createdAt: now)
            var publication = VersionPublication(
                version: version, addedFiles: added, removedPaths: removed, lineage: lineage, promoted: promotedRecords,
                drift: [], quarantine: try quarantine.finish(batchId: batchId), fullRefresh: fullRefresh)
            publication.columns = schema.map { DuckLakeColumn(name: $0.name, type: $0.type.duckLakeName, partition: false) }
            publication.columnStats = DuckLakeStats.of(added, root: root, folder: folder)
            try catalog.publish(publication)
            progress.done()

            report.notes.append("applied \(changes.count) change\(changes.count == 1 ? "" : "s"): \(upserts.count) row\(upserts.count == 1 ? "" : "s") inserted or updated, \(state.deletes) deleted"
                                + (state.emptied ? "; the table was emptied (a truncate or a new snapshot) first" : ""))
            if state.carriesLost > 0 {
                report.notes.append("\(state.carriesLost) unchanged TOAST value(s) had no earlier state to come from and are null: promote with --full-refresh to rebuild from every raw file")
            }
            report.fullRefresh = fullRefresh
            report.version = number
            report.totalRows = totalRows
            report.filesWritten = added.count
            report.filesKept = kept.count
            report.filesRewritten = touched.count
            report.seconds = Date().timeIntervalSince(started)
            return report
        } catch {
            quarantine.abort()
            try? FileManager.default.removeItem(atPath: folderPath)
            throw error
        }
    }
}

/// What the workers read, by raw file.
struct ReadResults {
    struct File {
        var changes: [ChangeEvent]
        var rejected: [(line: Int, bytes: [UInt8], reason: String)]
        var lines: Int
    }

    private(set) var files: [File]

    /// Reads raw files of changes, a file per worker at a time.
    static func read(_ rawFiles: [FileRecord], with reader: ChangeReader, root: LakeRoot, workers: Int) throws -> ReadResults {
        ReadResults(files: try Parallel.map(rawFiles.count, workers: workers, state: { ([UInt8](), [UInt8]()) }) { i, buffers in
            do {
                let n = try rawFiles[i].reading(under: root) { try GzipReader.readNDJSON(path: $0, into: &buffers.0, compressed: &buffers.1) }
                var changes: [ChangeEvent] = []
                var rejected: [ChangeReader.Rejected] = []
                let lines = reader.read(buffers.0[..<n], file: i, changes: &changes, rejected: &rejected)
                return File(changes: changes, rejected: rejected.map { ($0.line, Array($0.bytes), $0.reason) }, lines: lines)
            } catch {
                throw TransformError.unreadableRaw(path: rawFiles[i].path, reason: "\(error)")
            }
        })
    }

    /// Every change read, in the order they apply. Each file's changes move out of it, so
    /// that they are held once.
    mutating func ordered() -> OrderedChanges {
        var changes: [ChangeEvent] = []
        changes.reserveCapacity(files.reduce(0) { $0 + $1.changes.count })
        for i in files.indices {
            changes += files[i].changes
            files[i].changes = []
        }
        let order = ChangeEvent.order(&changes)
        return OrderedChanges(changes: changes, order: order)
    }
}
