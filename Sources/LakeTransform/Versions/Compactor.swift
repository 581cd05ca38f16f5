import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// `lake optimize <dataset>`: the small files of each partition merged into files of about
/// `targetBytes`, published as a new version and one DuckLake snapshot, as Delta's OPTIMIZE
/// and DuckLake's `ducklake_merge_adjacent_files` do.
///
/// Stream ingestion commits a file per partition per flush, and each promotion adds a file per
/// partition it touched; a query then opens hundreds of small files. Rows are copied as they
/// are (no dedupe, no new rows): the new version holds the same rows in fewer files. Older
/// versions, and DuckLake snapshots before this one, still read the old files until `lake
/// vacuum` retires them.
public struct Compactor {
    let catalog: Catalog
    let options: PromoteOptions
    let progress: LakeCore.Progress

    public init(catalog: Catalog, options: PromoteOptions, progress: LakeCore.Progress = .shared) {
        self.catalog = catalog
        self.options = options
        self.progress = progress
    }

    /// What one optimization did.
    public struct Report: Sendable {
        public var dataset: String
        public var zone: String
        public var version: Int?
        public var filesBefore = 0
        public var filesAfter = 0
        public var partitionsMerged = 0
        public var rows = 0
        public var seconds = 0.0
        /// What a killed run had left and this one cleared away.
        public var notes: [String] = []

        public var json: JSONValue {
            .object([("dataset", .string(dataset)), ("zone", .string(zone)), ("version", version.map { .int($0) } ?? .null),
                     ("files_before", .int(filesBefore)), ("files_after", .int(filesAfter)),
                     ("partitions_merged", .int(partitionsMerged)), ("rows", .int(rows)),
                     ("seconds", .double((seconds * 1000).rounded() / 1000)), ("notes", .array(notes.map { .string($0) }))])
        }
    }

    public func optimize(dataset name: String, targetBytes: Int = 128 << 20) throws -> Report {
        let started = Date()
        let record = try catalog.dataset(named: name)
        let dataset = record.name
        guard let zone = LakeRoot.Zone(rawValue: record.zone), zone == .staged || zone == .curated else {
            throw TransformError.worker("'\(dataset)' is a \(record.zone) dataset: lake optimize merges staged and curated files")
        }
        var report = Report(dataset: dataset, zone: zone.rawValue)
        let root = catalog.root
        let lock = try catalog.lock(StagedPromotionLock.scope(of: dataset),
                                        holder: "pid \(getpid()) (\(options.command)) since \(Timestamps.iso())") { holder in
            progress.note("waiting for the \(dataset) promotion lock, held by \(holder)…")
        }
        defer { lock.release() }
        let reconciled = try catalog.reconcile(scope: StagedPromotionLock.scope(of: dataset))
        if !reconciled.isEmpty { report.notes.append(reconciled.summary) }
        report.notes += try catalog.reconcileVersions(dataset: dataset, zone: zone)
        guard let current = try catalog.currentVersion(of: dataset, zone: zone) else {
            throw TransformError.worker("\(zone.rawValue).\(dataset) has no version yet: promote it first")
        }
        let prefix = "\(zone.rawValue)/\(dataset)/"
        let files = try catalog.files(of: dataset, zone: zone).filter { $0.path.hasSuffix(".parquet") }
        report.filesBefore = files.count
        report.rows = files.reduce(0) { $0 + $1.rows }
        // Per partition folder, runs of files that together stay under the target size.
        var bins: [[FileRecord]] = []
        for (_, group) in Dictionary(grouping: files, by: { ($0.path as NSString).deletingLastPathComponent }).sorted(by: { $0.key < $1.key }) {
            var bin: [FileRecord] = []
            var size = 0
            for file in group.sorted(by: { $0.path < $1.path }) {
                if !bin.isEmpty, size + file.bytes > targetBytes { bins.append(bin); bin = []; size = 0 }
                bin.append(file)
                size += file.bytes
            }
            if !bin.isEmpty { bins.append(bin) }
        }
        let merging = bins.filter { $0.count > 1 }
        guard !merging.isEmpty else {
            report.version = current.version
            report.filesAfter = files.count
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
        // On S3 the current version's files are fetched, merged or kept, and the new version goes
        // up whole when it publishes: each version on S3 holds its own copy of every file.
        let mirror = ObjectMirror(catalog: catalog)
        defer { mirror?.removeAll() }
        if let mirror {
            progress.status("optimizing \(zone.rawValue).\(dataset): fetching \(files.count) files")
            try mirror.fetch(files, of: current)
        }
        let number = (try catalog.versions(of: dataset, zone: zone).map(\.version).max() ?? 0) + 1
        let folder = String(format: "_versions/%@/%@/v%06d", zone.rawValue, dataset, number)
        let folderPath = root.absolute(folder)
        try FileSystem.makeDirectories(folderPath)
        let batchId = BatchID.make()
        let lineage = Dictionary(grouping: try catalog.lineage(of: dataset), by: \.outputPath)
        let now = Timestamps.iso()
        var added: [FileRecord] = []
        var newLineage: [LineageRecord] = []
        var removed: [String] = []
        var writer = options.writer(for: catalog)
        writer.rowGroupRows = max(writer.rowGroupRows, options.rowGroupRows)
        writer.plainWhenUnique = zone != .curated
        do {
            for (k, bin) in merging.enumerated() {
                progress.status("optimizing \(zone.rawValue).\(dataset): partition \(k + 1)/\(merging.count)")
                let relativeFolder = String((bin[0].path as NSString).deletingLastPathComponent.dropFirst(prefix.count))
                let relative = (relativeFolder.isEmpty ? "" : relativeFolder + "/") + "part-\(batchId)-opt\(k).parquet"
                var columns: [[Column]] = []
                var schema: [ColumnSchema]?
                for file in bin {
                    let parquet = try ParquetFile(path: root.absolute(current.path(of: file)))
                    if schema == nil { schema = parquet.schema }
                    guard parquet.schema == schema else {
                        throw TransformError.worker("\(file.path) has other columns than \(bin[0].path): promote \(dataset) with --full-refresh before optimizing")
                    }
                    columns.append(try parquet.readAll())
                }
                try FileSystem.makeDirectories(folderPath + "/" + relativeFolder)
                let out = try ParquetWriter(path: folderPath + "/" + relative, schema: schema!, options: writer)
                for part in columns { try out.write(part) }
                let written = try out.finish()
                let logical = prefix + relative
                added.append(FileRecord(path: logical, dataset: dataset, source: record.source, zone: zone.rawValue,
                                        partitionValues: bin[0].partitionValues, dt: bin[0].dt, region: bin[0].region,
                                        rows: written.rows, records: written.rows, bytes: written.bytes, sha256: written.sha256,
                                        batchId: batchId, tmpPath: nil, runId: nil, createdAt: now))
                var inputs: [String: Int] = [:]
                for file in bin {
                    removed.append(file.path)
                    for l in lineage[file.path] ?? [] { inputs[l.inputPath, default: 0] += l.rows }
                }
                newLineage += inputs.sorted { $0.key < $1.key }.map {
                    LineageRecord(dataset: dataset, inputPath: $0.key, outputPath: logical, version: number, rows: $0.value)
                }
            }
            // The other files join the new version as hard links.
            let merged = Set(removed)
            for file in files where !merged.contains(file.path) {
                try FileSystem.hardLink(root.absolute(current.path(of: file)), to: folderPath + "/" + current.relativePath(of: file))
            }
            try FileSystem.syncDirectory(folderPath)
        } catch {
            try? FileManager.default.removeItem(atPath: folderPath)
            throw error
        }
        progress.done()
        report.filesAfter = files.count - removed.count + added.count
        report.partitionsMerged = merging.count
        let version = VersionRecord(dataset: dataset, zone: zone.rawValue, version: number, folder: folder, state: "current",
                                    files: report.filesAfter, rows: report.rows, runId: nil, createdAt: now)
        var publication = VersionPublication(version: version, addedFiles: added, removedPaths: removed, lineage: newLineage,
                                             promoted: [], drift: [], quarantine: [], fullRefresh: false)
        publication.columns = try catalog.duckLakeColumns(zone: zone.rawValue, table: dataset)
        publication.columnStats = DuckLakeStats.of(added, root: root, folder: folder)
        publication.message = "lake optimize: \(zone.rawValue).\(dataset) v\(number)"
        try catalog.publish(publication)
        report.version = number
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
