import Foundation
import LakeCatalog
import LakeCore
import LakeParquet
import LakeQuery

/// Materializes a curated table from its model (a SELECT over staged datasets) as Parquet,
/// partitioned as its contract says, published as a version like staged data:
/// `_versions/curated/<table>/v<N>/`, with `curated/<table>` a link to the current one.
///
/// A model with `x-lake.incremental_by: "dt"` is recomputed only for the `dt` partitions whose
/// input files changed since the last version; the other partitions are hard-linked. PII
/// columns (tagged by the table's or its inputs' contracts) are masked on the way in: keyed
/// HMAC-SHA256 by default, or dropped, as `x-lake.pii_masking` says.
public struct CuratedPromoter: Sendable {
    public let catalog: Catalog
    public let options: PromoteOptions
    let progress: LakeCore.Progress

    public init(catalog: Catalog, options: PromoteOptions, progress: LakeCore.Progress = .shared) {
        self.catalog = catalog
        self.options = options
        self.progress = progress
    }

    /// The staged and curated datasets a model reads.
    public static func inputs(of contract: DatasetContract, catalog: Catalog) throws -> [(zone: LakeRoot.Zone, dataset: String)] {
        guard let sql = contract.modelSQL else { return [] }
        var found: [(LakeRoot.Zone, String)] = []
        for parts in try QueryEngine.referencedTables(sql) {
            let name = parts.last!.lowercased()
            let zone: LakeRoot.Zone = parts.count > 1 ? (LakeRoot.Zone(rawValue: parts[parts.count - 2].lowercased()) ?? .staged) : .staged
            if !found.contains(where: { $0.0 == zone && $0.1 == name }) { found.append((zone, name)) }
        }
        return found
    }

    public func promote(table name: String, run: Int64? = nil) throws -> PromotionReport {
        let started = Date()
        let record = try catalog.dataset(named: name)
        let table = record.name
        let contract = try catalog.contract(of: table)
        guard contract.zone == "curated", let modelSQL = contract.modelSQL else {
            throw TransformError.worker("'\(table)' is not a curated model: a curated contract needs x-lake.model (a .sql file beside it) or x-lake.sql")
        }
        var report = PromotionReport(dataset: table)
        let root = catalog.root
        let scope = "promote-\(table)"
        let lock = try catalog.lock(scope, holder: "pid \(getpid()) (\(options.command)) since \(Timestamps.iso())") { holder in
            progress.note("waiting for the \(table) promotion lock, held by \(holder)…")
        }
        defer { lock.release() }
        report.notes += try catalog.reconcileVersions(dataset: table, zone: .curated)

        // What the model reads, at which versions; and whether anything changed since last time.
        let inputs = try Self.inputs(of: contract, catalog: catalog)
        var signature: [PromotedRecord] = []
        let now = Timestamps.iso()
        let schemaVersion = record.currentSchemaVersion ?? 0
        signature.append(PromotedRecord(dataset: table, rawPath: "contract", version: schemaVersion, records: 0, staged: 0,
                                        quarantined: 0, duplicates: 0, promotedAt: now))
        for input in inputs {
            if (try? catalog.dataset(named: input.dataset)) == nil {
                let known = try catalog.datasets().map { "\($0.zone).\($0.name)" }
                let name = "\(input.zone.rawValue).\(input.dataset)"
                throw TransformError.worker("curated model \(table) reads \(name), which the catalog does not know"
                    + (Suggest.closest(to: name, in: known).map { " — did you mean '\($0)'?" } ?? ""))
            }
            let v = try catalog.currentVersion(of: input.dataset, zone: input.zone)
            guard let v else {
                throw TransformError.worker("curated model \(table) reads \(input.zone.rawValue).\(input.dataset), which has no version yet: promote it first")
            }
            signature.append(PromotedRecord(dataset: table, rawPath: "\(input.zone.rawValue)/\(input.dataset)", version: v.version,
                                            records: v.rows, staged: 0, quarantined: 0, duplicates: 0, promotedAt: now))
        }
        let previous = Dictionary(try catalog.promoted(of: table).map { ($0.rawPath, $0.version) }, uniquingKeysWith: { a, _ in a })
        let current = try catalog.currentVersion(of: table, zone: .curated)
        let unchanged = signature.allSatisfy { previous[$0.rawPath] == $0.version }
        if let current, unchanged, !options.fullRefresh {
            report.nothingNew = true
            report.version = current.version
            report.totalRows = current.rows
            report.seconds = Date().timeIntervalSince(started)
            return report
        }

        // Incremental by dt: recompute only the days whose input files are newer than our version.
        var days: Set<String>? = nil
        if let column = contract.incrementalBy, column == "dt", let current, !options.fullRefresh,
           previous["contract"] == schemaVersion {
            var changed = Set<String>()
            var complete = true
            for input in inputs {
                let files = try catalog.files(of: input.dataset, zone: input.zone)
                for f in files where f.createdAt > current.createdAt {
                    if let dt = f.dt { changed.insert(dt) } else { complete = false }
                }
            }
            if complete && !changed.isEmpty { days = changed }
        }
        report.fullRefresh = days == nil

        var sql = modelSQL
        if let days {
            let list = days.sorted().map { "DATE '\($0)'" }.joined(separator: ", ")
            sql = "SELECT * FROM (\n\(modelSQL)\n) AS model WHERE dt IN (\(list))"
        }
        progress.status("curated \(table): running its model" + (days.map { " for \($0.count) day\($0.count == 1 ? "" : "s")" } ?? ""))
        let engine = QueryEngine(catalog: catalog)
        let result: QueryResult
        do { result = try engine.run(sql) } catch let error as LakeError {
            throw TransformError.worker("curated model \(table) (\(contract.file)) failed: \(error.message)")
        }

        // Columns: the contract's, in its order; PII masked or dropped.
        var piiFields = Set(contract.pii)
        for input in inputs { piiFields.formUnion((try? catalog.contract(of: input.dataset).pii) ?? []) }
        let names = result.columns.map { $0.name.lowercased() }
        var columns: [(ColumnSchema, Vector)] = []
        let merged = result.batches.isEmpty ? nil : Batch(columns: result.columns.indices.map { c in
            Vector.concat(result.batches.map { $0.columns[c] }, type: result.columns[c].type)
        }, count: result.rowCount)
        // Every machine of a team lake must mask with the same key; a new random one per machine
        // would give one person several masked ids.
        let shared = catalog.objects != nil
        let key: PIIKey?
        do { key = piiFields.isEmpty ? nil : try PIIKey.load(for: root, shared: shared) } catch let error as TransformError where shared {
            throw TransformError.worker("curated model \(table) masks PII (\(piiFields.sorted().joined(separator: ", "))): \(error.message)")
        }
        for field in contract.fields {
            guard let index = names.firstIndex(of: field.name.lowercased()) else {
                throw TransformError.worker("curated model \(table) does not return column '\(field.name)', which its contract (\(contract.file)) declares; it returns \(result.columns.map(\.name).joined(separator: ", "))")
            }
            let mode = contract.piiMasking[field.name] ?? "hmac"
            if piiFields.contains(field.name) && mode == "drop" {
                throw TransformError.worker("\(contract.file): '\(field.name)' is PII masked by \"drop\", so the contract must not declare it as a column")
            }
            var vector = merged?.columns[index] ?? Vector.strings([])
            if piiFields.contains(field.name), let key {
                vector = Vector.strings(vector.texts().map { $0.map(key.mask) })
            }
            columns.append((StagedSchema.column(of: field), vector))
        }
        let rows = merged?.count ?? 0

        // Partition, write the new files, link the kept ones.
        let partitionKeys = contract.partitionBy.filter { key in columns.contains { $0.0.name == key } }
        let fileColumns = columns.filter { !partitionKeys.contains($0.0.name) }
        var groups: [String: (PartitionValues, [Int])] = [:]
        let partitionTexts = partitionKeys.map { key in columns.first { $0.0.name == key }!.1.texts() }
        for r in 0..<rows {
            let values = PartitionValues(partitionKeys.enumerated().map { .init($1, partitionTexts[$0][r]) })
            groups[values.path, default: (values, [])].1.append(r)
        }
        let number = (try catalog.versions(of: table, zone: .curated).map(\.version).max() ?? 0) + 1
        let folder = String(format: "_versions/curated/%@/v%06d", table, number)
        let folderPath = root.absolute(folder)
        try FileSystem.makeDirectories(folderPath)
        let batchId = BatchID.make()
        var added: [FileRecord] = []
        var writerOptions = options.writer(for: catalog)
        writerOptions.rowGroupRows = options.rowGroupRows
        writerOptions.plainWhenUnique = false
        for (path, (values, indices)) in groups.sorted(by: { $0.key < $1.key }) {
            let relative = (path.isEmpty ? "" : path + "/") + "part-\(batchId).parquet"
            let target = folderPath + "/" + relative
            try FileSystem.makeDirectories((target as NSString).deletingLastPathComponent)
            let writer = try ParquetWriter(path: target, schema: fileColumns.map(\.0), options: writerOptions)
            do {
                try writer.write(try fileColumns.map { try $0.1.take(indices).parquetColumn($0.0) })
            } catch {
                writer.abort()
                throw TransformError.worker("curated model \(table): \((error as? LakeError)?.message ?? "\(error)")")
            }
            let written = try writer.finish()
            added.append(FileRecord(
                path: "curated/\(table)/" + relative, dataset: table, source: nil, zone: "curated",
                partitionValues: FileRecord.partitionJSON(values), dt: values["dt"], region: values["region"],
                rows: written.rows, records: written.rows, bytes: written.bytes, sha256: written.sha256, batchId: batchId,
                tmpPath: nil, runId: run, createdAt: now))
        }
        var removed: [String] = []
        var kept: [FileRecord] = []
        let existing = try catalog.files(of: table, zone: .curated)
        // On S3 the kept files of the current version are fetched here to join the new one.
        let mirror = ObjectMirror(catalog: catalog)
        defer { mirror?.removeAll() }
        if let days, let current {
            try mirror?.fetch(existing.filter { $0.dt.map { !days.contains($0) } ?? false }, of: current)
        }
        for file in existing {
            if let days, let dt = file.dt, !days.contains(dt), let current {
                try FileSystem.hardLink(root.absolute(current.path(of: file)), to: folderPath + "/" + current.relativePath(of: file))
                kept.append(file)
            } else {
                removed.append(file.path)
            }
        }
        try FileSystem.syncDirectory(folderPath)
        CrashPoint.hit("curate:written")

        let lineage = added.flatMap { file in
            signature.dropFirst().map { LineageRecord(dataset: table, inputPath: "\($0.rawPath)@v\($0.version)", outputPath: file.path, version: number, rows: file.rows) }
        }
        let totalRows = kept.reduce(0) { $0 + $1.rows } + added.reduce(0) { $0 + $1.rows }
        let version = VersionRecord(dataset: table, zone: "curated", version: number, folder: folder, state: "current",
                                    files: kept.count + added.count, rows: totalRows, runId: run, createdAt: now)
        var publication = VersionPublication(
            version: version, addedFiles: added, removedPaths: removed, lineage: lineage, promoted: signature, drift: [],
            quarantine: [], fullRefresh: false)
        publication.columns = fileColumns.map { DuckLakeColumn(name: $0.0.name, type: $0.0.type.duckLakeName, partition: false) }
            + partitionKeys.map { key in DuckLakeColumn(name: key, type: columns.first { $0.0.name == key }!.0.type.duckLakeName, partition: true) }
        publication.columnStats = DuckLakeStats.of(added, root: root, folder: folder)
        try catalog.publish(publication)
        progress.done()
        report.version = number
        report.records = rows
        report.staged = rows
        report.filesWritten = added.count
        report.filesKept = kept.count
        report.totalRows = totalRows
        report.rawFiles = inputs.count
        if let days { report.notes.append("recomputed \(days.count) day\(days.count == 1 ? "" : "s"): \(days.sorted().joined(separator: ", "))") }
        if piiFields.contains(where: { f in columns.contains { $0.0.name == f } }) {
            report.notes.append("PII masked with HMAC-SHA256: " + columns.map(\.0.name).filter(piiFields.contains).joined(separator: ", "))
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
