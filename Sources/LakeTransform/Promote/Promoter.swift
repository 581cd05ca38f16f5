import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// raw → staged for one dataset: reads the raw files not yet promoted (all of them with
/// `fullRefresh`), types and validates their records against the contract, quarantines what
/// fails, removes duplicates by primary key across the whole dataset (latest arrival wins),
/// and publishes the result as a new version of `staged/<dataset>` in one step.
///
/// A version is a folder under `_versions/staged/<dataset>/`: hard links to the previous
/// version's unchanged files, plus the new files. See `Catalog+Versions.swift` for the commit.
public final class Promoter {
    let catalog: Catalog
    let options: PromoteOptions
    let progress: LakeCore.Progress

    public init(catalog: Catalog, options: PromoteOptions = PromoteOptions(), progress: LakeCore.Progress = .shared) {
        self.catalog = catalog
        self.options = options
        self.progress = progress
    }

    var root: LakeRoot { catalog.root }

    /// The dataset's promotion; for a captured table with `options.history`, its history table's too.
    public func promotions(dataset name: String, run: Int64? = nil) throws -> [PromotionReport] {
        let report = try promote(dataset: name, run: run)
        guard options.history, try catalog.contract(of: report.dataset).rawFormat == "debezium" else { return [report] }
        return [report, try CDCPromoter(catalog: catalog, options: options, progress: progress).history(of: report.dataset, run: run)]
    }

    public func promote(dataset name: String, run: Int64? = nil) throws -> PromotionReport {
        let started = Date()
        let record = try catalog.dataset(named: name)
        let dataset = record.name
        let contract = try catalog.contract(of: dataset)
        guard contract.zone == "staged" else { throw TransformError.notStaged(dataset: dataset, zone: contract.zone) }
        if contract.rawFormat == "debezium" {
            return try CDCPromoter(catalog: catalog, options: options, progress: progress).promote(dataset: dataset, run: run)
        }
        let mirror = ObjectMirror(catalog: catalog)
        defer { mirror?.removeAll() }
        var report = PromotionReport(dataset: dataset)

        let scope = StagedPromotionLock.scope(of: dataset)
        let lock = try StagedPromotionLock.acquire(dataset, catalog: catalog, options: options, progress: progress, report: &report)
        defer { lock.release() }

        let allRaw = try catalog.files(of: dataset, zone: .raw).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        guard !allRaw.isEmpty else { throw TransformError.noRawFiles(dataset: dataset) }
        try mirror?.fetch(allRaw.prefix(8).map(\.path))
        let kind = try rawKind(of: allRaw)
        let schema = StagedSchema(contract: contract, kind: kind)
        let current = try catalog.currentVersion(of: dataset, zone: .staged)
        var existing = options.fullRefresh ? [] : try catalog.files(of: dataset, zone: .staged)
        var fullRefresh = options.fullRefresh
        if let current { try mirror?.fetch(existing, of: current) }
        if let current, !existing.isEmpty {
            let sample = current.path(of: existing[0])
            if let file = try? ParquetFile(path: root.absolute(sample)), file.schema != schema.fileColumns {
                report.notes.append("the contract's columns changed since version \(current.version): rebuilding from raw")
                fullRefresh = true
                existing = []
            }
        }
        report.fullRefresh = fullRefresh
        let promoted = fullRefresh ? [] : try catalog.promotedRawPaths(of: dataset)
        let rawFiles = allRaw.filter { !promoted.contains($0.path) }
        try mirror?.fetch(rawFiles.map(\.path))
        if rawFiles.isEmpty {
            report.nothingNew(version: current?.version, rows: existing.reduce(0) { $0 + $1.rows }, since: started)
            return report
        }
        let previousFolder = current?.folder
        let number = (try catalog.versions(of: dataset, zone: .staged).map(\.version).max() ?? 0) + 1
        let folder = String(format: "_versions/staged/%@/v%06d", dataset, number)
        let folderPath = root.absolute(folder)
        try FileSystem.makeDirectories(folderPath)
        let batchId = BatchID.make()

        // Keys of the rows already staged: they lose to any new arrival with the same key.
        let keyColumns = contract.primaryKey.compactMap { key in schema.columns.firstIndex { $0.name == key } }
        let expected = existing.reduce(0) { $0 + $1.rows } + rawFiles.reduce(0) { $0 + $1.records }
        let keyIndex = keyColumns.isEmpty ? nil : try KeyIndex(expected: expected, spillFolder: root.absolute("_tmp/promote-keys-\(batchId)"),
                                                                  inMemoryLimit: options.keysInMemory)
        let shared = PromoteShared(rawFiles: rawFiles, firstSeq: 1, keyIndex: keyIndex)
        var losers: [KeyIndex.Loser] = []
        var existingSlots: [String: UInt32] = [:]
        for file in existing {
            guard let previousFolder else { break }
            let physical = root.absolute(previousFolder + "/" + file.path.dropFirst("staged/\(dataset)/".count))
            let slot = shared.allocate(.existing(logical: file.path, physical: physical))
            existingSlots[file.path] = slot
            guard let keyIndex else { continue }
            // Key parts that are partition keys come from the file's folder, not its columns.
            let parquet = try ParquetFile(path: physical)
            let partitions = Self.partitions(of: String(file.path.dropFirst("staged/\(dataset)/".count)))
            let parts: [Column?] = try keyColumns.map { c in
                schema.fileColumnIndices.contains(c) ? try parquet.readAll(columns: [schema.columns[c].name])[0] : nil
            }
            let constants: [[UInt8]] = keyColumns.map { c in
                partitions[schema.columns[c].name].flatMap { $0 == Hive.defaultPartition ? nil : Array($0.utf8) } ?? [0]
            }
            var entries: [KeyIndex.Entry] = []
            var scratch: [UInt8] = []
            for row in 0..<parquet.rowCount {
                scratch.removeAll(keepingCapacity: true)
                for (k, part) in parts.enumerated() {
                    if let part { part.keyBytes(row: row, into: &scratch) } else { scratch += constants[k] }
                    scratch.append(0x1F)
                }
                let (h1, h2) = scratch.withUnsafeBytes { KeyIndex.hash($0) }
                entries.append(.init(hash: h1, hash2: h2, order: 0, location: .init(file: slot, row: UInt32(row))))
            }
            keyIndex.insert(entries, losers: &losers)
        }

        // Workers: one raw file at a time each, both cores busy.
        let workerCount = max(1, min(options.workers, rawFiles.count))
        var writerOptions = options.writer(for: catalog)
        writerOptions.rowGroupRows = max(writerOptions.rowGroupRows, options.rowGroupRows)
        var workerOptions = options
        workerOptions.writer = writerOptions
        let recordsPath = contract.recordsPath.map { JSONPath($0) }
        let total = rawFiles.count
        let workers = (0..<workerCount).map { id in
            PromoteWorker(id: id, root: root, shared: shared, schema: StagedSchema(contract: contract, kind: kind), recordsPath: recordsPath, keyColumns: keyColumns,
                          versionFolder: folderPath, batchId: batchId, options: workerOptions,
                          quarantine: QuarantineWriter(root: root, dataset: dataset, scope: scope, name: "\(batchId)-promote-w\(id)")) { done in
                self.progress.status("promoting \(dataset): \(done)/\(total) raw files")
            }
        }
        DispatchQueue.concurrentPerform(iterations: workerCount) { workers[$0].run() }
        progress.done()
        // Finish the new files, every one on disk before anything below reads or commits it, and
        // settle the key index. A failure anywhere here abandons the version the same way.
        var written: [UInt32: (output: PromoteWorker.Output, result: ParquetWriter.Written)] = [:]
        do {
            if let error = shared.error { throw error }
            for w in workers {
                for output in w.finished + w.outputs.values {
                    guard let result = try output.written ?? output.writer?.finish(syncer: shared.syncer) else { continue }
                    written[output.fileIndex] = (output, result)
                }
                losers += w.losers
            }
            try shared.syncer.finish()
            try keyIndex?.finish(losers: &losers)
        } catch {
            try? shared.syncer.finish()
            for w in workers { w.quarantine.abort() }
            try? FileManager.default.removeItem(atPath: folderPath)
            throw error
        }

        // Duplicates: rewrite each file that holds a losing row without it.
        var dropRows: [UInt32: Set<Int>] = [:]
        for l in losers { dropRows[l.location.file, default: []].insert(Int(l.location.row)) }
        // A removed row counts as a duplicate of the raw file it came from: this promotion's
        // files by the row's arrival order, earlier promotions' by the row's _raw_file (below).
        var duplicatesBySeq: [Int: Int] = [:]
        for l in losers where l.order != 0 { duplicatesBySeq[Int(l.order >> 44), default: 0] += 1 }
        var earlierDuplicates: [String: Int] = [:]
        var added: [FileRecord] = []
        var lineage: [LineageRecord] = []
        var removed: [String] = []
        var rewritten = Set<String>()
        let now = Timestamps.iso()
        func fileRecord(_ logical: String, _ partitions: PartitionValues, _ w: ParquetWriter.Written) -> FileRecord {
            FileRecord(path: logical, dataset: dataset, source: record.source, zone: "staged",
                       partitionValues: FileRecord.partitionJSON(partitions), dt: partitions["dt"], region: partitions["region"],
                       rows: w.rows, records: w.rows, bytes: w.bytes, sha256: w.sha256, batchId: batchId, tmpPath: nil,
                       runId: run, createdAt: now)
        }
        for (slot, rows) in dropRows.sorted(by: { $0.key < $1.key }) {
            let source: String
            let relative: String
            switch shared.fileSlots[Int(slot)] {
            case let .new(r):
                source = folderPath + "/" + r
                relative = r
            case let .existing(logical, physical):
                source = physical
                relative = String(logical.dropFirst("staged/\(dataset)/".count))
                removed.append(logical)
                rewritten.insert(logical)
            }
            let partitions = Self.partitions(of: relative)
            let target = (relative as NSString).deletingLastPathComponent + "/part-\(batchId)-dedup\(slot).parquet"
            let columns = try ParquetFile(path: source).readAll()
            let keep = (0..<(columns.first?.count ?? 0)).filter { !rows.contains($0) }
            let rawFiles = schema.fileColumns.firstIndex(where: { $0.name == "_raw_file" }).flatMap { index -> StringArray? in
                if case let .string(paths) = columns[index].data { return paths } else { return nil }
            }
            if case .existing = shared.fileSlots[Int(slot)], let rawFiles {
                for r in rows { earlierDuplicates[rawFiles[r], default: 0] += 1 }
            }
            if case .new = shared.fileSlots[Int(slot)] { try FileSystem.remove(source) }
            written[slot] = nil
            report.filesRewritten += 1
            guard !keep.isEmpty else { continue }
            let writer = try ParquetWriter(path: folderPath + "/" + target, schema: schema.fileColumns, options: writerOptions)
            try writer.write(columns.map { $0.selecting(keep) })
            let result = try writer.finish()
            let logical = "staged/\(dataset)/" + target
            added.append(fileRecord(logical, partitions, result))
            // Lineage from the provenance column: which raw files the kept rows came from.
            var counts: [String: Int] = [:]
            if let rawFiles { for r in keep { counts[rawFiles[r], default: 0] += 1 } }
            lineage += counts.map { LineageRecord(dataset: dataset, inputPath: $0.key, outputPath: logical, version: number, rows: $0.value) }
        }
        // The workers read each new file's statistics as they finished it.
        var knownStats: [String: [DuckLakeColumnStats]] = [:]
        for (_, (output, result)) in written.sorted(by: { $0.key < $1.key }) {
            let logical = "staged/\(dataset)/" + output.relative
            added.append(fileRecord(logical, output.partitions, result))
            knownStats[logical] = output.columnStats
            lineage += output.lineage.map { LineageRecord(dataset: dataset, inputPath: $0.key, outputPath: logical, version: number, rows: $0.value) }
        }
        report.filesWritten = written.count + report.filesRewritten

        // Unchanged files of the previous version join the new one as hard links.
        var kept: [FileRecord] = []
        if let previousFolder {
            for file in existing where !rewritten.contains(file.path) {
                let relative = String(file.path.dropFirst("staged/\(dataset)/".count))
                try FileSystem.hardLink(root.absolute(previousFolder + "/" + relative), to: folderPath + "/" + relative)
                kept.append(file)
            }
        }
        if fullRefresh { removed = try catalog.files(of: dataset, zone: .staged).map(\.path) }
        report.filesKept = kept.count
        try FileSystem.syncDirectory(folderPath)
        CrashPoint.hit("promote:written")

        // Counts per raw file, and the drift the workers saw.
        var promotedRecords: [PromotedRecord] = []
        var counts: [Int: PromoteWorker.RawCounts] = [:]
        for w in workers {
            counts.merge(w.counts) { a, _ in a }
            report.skipped += w.unreadable.map { (path: $0.0, reason: $0.1) }
        }
        for (i, raw) in rawFiles.enumerated() {
            guard let c = counts[i] else { continue }
            let duplicates = duplicatesBySeq[shared.firstSeq + i] ?? 0
            promotedRecords.append(PromotedRecord(dataset: dataset, rawPath: raw.path, version: number, records: c.records,
                                                  staged: c.rows - duplicates, quarantined: c.quarantined, duplicates: duplicates,
                                                  promotedAt: now))
            report.rawFiles += 1
            report.records += c.records
            report.quarantined += c.quarantined
            report.staged += c.rows
        }
        report.duplicates = losers.count
        report.staged -= losers.filter { $0.order != 0 }.count
        var drift: [RecordReader.DriftKey: RecordReader.DriftSeen] = [:]
        for w in workers {
            for (key, seen) in w.reader.drift {
                var merged = drift[key] ?? seen
                if drift[key] != nil { merged.count += seen.count }
                merged.firstRaw = min(merged.firstRaw, seen.firstRaw)
                drift[key] = merged
            }
        }
        let driftRecords = drift.sorted { ($0.key.field, $0.key.type) < ($1.key.field, $1.key.type) }.map {
            DriftRecord(dataset: dataset, field: $0.key.field, seenType: $0.key.type, firstRawFile: rawFiles[$0.value.firstRaw].path,
                        count: $0.value.count, firstSeenAt: now, lastSeenAt: now)
        }
        report.drift = driftRecords.map { ($0.field, $0.seenType, $0.count) }
        var quarantineFiles: [PendingFile] = []
        for w in workers { quarantineFiles += try w.quarantine.finish(batchId: batchId) }

        let allFiles = kept.count + added.count
        let totalRows = kept.reduce(0) { $0 + $1.rows } + added.reduce(0) { $0 + $1.rows }
        let version = VersionRecord(dataset: dataset, zone: "staged", version: number, folder: folder, state: "current",
                                    files: allFiles, rows: totalRows, runId: run, createdAt: now)
        var publication = VersionPublication(
            version: version, addedFiles: added, removedPaths: removed, lineage: lineage, promoted: promotedRecords,
            drift: driftRecords, quarantine: quarantineFiles, fullRefresh: fullRefresh, earlierDuplicates: earlierDuplicates)
        publication.columns = schema.fileColumns.map { DuckLakeColumn(name: $0.name, type: $0.type.duckLakeName, partition: false) }
            + [DuckLakeColumn(name: "dt", type: "date", partition: true), DuckLakeColumn(name: "region", type: "varchar", partition: true)]
        publication.columnStats = DuckLakeStats.of(added, root: root, folder: folder, known: knownStats)
        try catalog.publish(publication)
        report.version = number
        report.totalRows = totalRows
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// API pages (`body`) or stream records (`value`), from the first lake-written line of the
    /// dataset's first raw files (adopted exports of bare records say neither; their
    /// provenance columns are null either way).
    private func rawKind(of files: [FileRecord]) throws -> StagedSchema.RawKind {
        for file in files.prefix(8) {
            var buffer: [UInt8] = []
            var scratch: [UInt8] = []
            let bytes: ArraySlice<UInt8>
            do {
                let n = try file.reading(under: root) { try GzipReader.readNDJSON(path: $0, into: &buffer, compressed: &scratch) }
                bytes = buffer[..<n]
            } catch {
                throw TransformError.unreadableRaw(path: file.path, reason: "\(error)")
            }
            // The first line that parses decides (a damaged first line must not make a stream look like pages).
            for line in bytes.split(separator: 0x0A, maxSplits: 100, omittingEmptySubsequences: true).prefix(100) {
                guard let tape = try? JSONTape(Array(line)), tape.root["_meta"] != nil else { continue }
                if tape.root["value"] != nil { return .stream }
                if tape.root["body"] != nil { return .api }
            }
        }
        return .api
    }

    static func partitions(of relative: String) -> PartitionValues {
        var pairs: [PartitionValues.Pair] = []
        for segment in relative.split(separator: "/").dropLast() {
            guard let eq = segment.firstIndex(of: "=") else { continue }
            pairs.append(.init(String(segment[..<eq]), Hive.unescape(String(segment[segment.index(after: eq)...]))))
        }
        return PartitionValues(pairs)
    }
}
