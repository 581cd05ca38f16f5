import Foundation
import LakeCore

// The commit protocol. Every file a zone gains goes through here:
//
//   1. written whole under _tmp/<scope>/ and fsynced          (crash: a leftover, removed)
//   2. ONE catalog transaction: its lake_files row (naming the
//      temp path) + the checkpoints and cursors it covers       (crash: a row whose file is
//                                                                 still in _tmp/, renamed)
//   3. rename into its zone folder, fsync the folder            (done)
//
// On a team lake whose storage is S3 there is no rename: the upload comes before the commit.
//
//   1. written whole under _tmp/<scope>/ on this machine
//   2. a lake_pending_uploads row per file, then PUT with If-None-Match: *
//                                                               (crash: the next run of the
//                                                                scope deletes the object)
//   3. ONE catalog transaction: lake_files rows, checkpoints and
//      cursors, and the pending rows dropped                    (crash: the local leftover
//                                                                is removed)
//
// So a file is visible only whole, and the pages or events it holds are marked landed in
// the same step that records the file. `reconcile` finishes or removes what a killed run
// left in its _tmp/ scope; only the holder of that scope's lock may call it.

/// A finished file in `_tmp/`, waiting to be committed.
public struct PendingFile: Sendable {
    public var tmpPath: String
    public var finalPath: String
    public var dataset: String
    public var source: String?
    public var zone: LakeRoot.Zone
    public var partitions: PartitionValues
    public var rows: Int
    public var records: Int
    public var bytes: Int
    public var sha256: String
    public var batchId: String

    public init(tmpPath: String, finalPath: String, dataset: String, source: String?, zone: LakeRoot.Zone,
                partitions: PartitionValues, rows: Int, records: Int, bytes: Int, sha256: String, batchId: String) {
        self.tmpPath = tmpPath
        self.finalPath = finalPath
        self.dataset = dataset
        self.source = source
        self.zone = zone
        self.partitions = partitions
        self.rows = rows
        self.records = records
        self.bytes = bytes
        self.sha256 = sha256
        self.batchId = batchId
    }
}

/// What `reconcile` did with a killed run's leftovers.
public struct ReconcileReport: Sendable, Equatable {
    public var finished: [String] = []
    public var removed: [String] = []
    /// Objects put into S3 whose commit never came, deleted.
    public var abandonedUploads: [String] = []
    public init() {}
    public var isEmpty: Bool { finished.isEmpty && removed.isEmpty && abandonedUploads.isEmpty }

    public var summary: String {
        var parts: [String] = []
        if !finished.isEmpty { parts.append("finished \(finished.count) committed file(s) left in _tmp/ by a killed run") }
        if !removed.isEmpty { parts.append("removed \(removed.count) partial file(s) a killed run left in _tmp/") }
        if !abandonedUploads.isEmpty {
            parts.append("deleted the objects of \(abandonedUploads.count) upload(s) to S3 a killed run did not commit")
        }
        return parts.joined(separator: "; ")
    }
}

/// A condition on a stream offset for a commit: the catalog still holds `expected` (nil: no
/// row), so a consumer that lost its partition to another cannot land the same events again.
public struct OffsetFence: Sendable, Equatable {
    public var source: String
    public var stream: String
    public var consumerGroup: String
    public var partition: Int
    public var expected: String?

    public init(source: String, stream: String, consumerGroup: String, partition: Int, expected: String?) {
        self.source = source
        self.stream = stream
        self.consumerGroup = consumerGroup
        self.partition = partition
        self.expected = expected
    }
}

extension Catalog {
    /// Commits files and what they cover in one catalog transaction, then moves them into
    /// place. Paths are relative to the lake root. A failed fence commits nothing
    /// (`CatalogError.offsetFenced`).
    public func commit(
        files: [PendingFile], checkpoints: [CheckpointRecord] = [], cursors: [CursorRecord] = [],
        offsets: [StreamOffsetRecord] = [], fences: [OffsetFence] = [], messages: [LandedMessageRecord] = [], run: Int64? = nil
    ) throws {
        let now = Timestamps.iso()
        if objects != nil, !files.isEmpty {
            try uploadPending(files.map { (file: $0.tmpPath, path: $0.finalPath, scoped: $0.tmpPath) }, now: now)
            CrashPoint.hit("commit:uploaded")
        }
        do {
            try record(files: files, checkpoints: checkpoints, cursors: cursors, offsets: offsets, fences: fences, messages: messages,
                       run: run, now: now)
        } catch let error as CatalogError {
            // Fenced: nothing was recorded, so the objects go, as the local files do.
            if case .offsetFenced = error, let objects {
                try? objects.delete(files.map { objectPath($0.finalPath) })
                try? write { db in try Self.dropPending(files.map(\.finalPath), db) }
            }
            throw error
        }
        if objects != nil {
            for file in files { try FileSystem.remove(root.absolute(file.tmpPath)) }
        } else {
            if !files.isEmpty { CrashPoint.hit("commit:recorded") }
            for file in files { try moveIntoPlace(file.tmpPath, file.finalPath) }
        }
    }

    private func record(files: [PendingFile], checkpoints: [CheckpointRecord], cursors: [CursorRecord], offsets: [StreamOffsetRecord],
                        fences: [OffsetFence], messages: [LandedMessageRecord], run: Int64?, now: String) throws {
        try write { db in
            for fence in fences {
                let found = try String.fetchOne(db, sql: """
                    SELECT next_offset FROM lake_stream_offsets WHERE source = ? AND stream = ? AND consumer_group = ? AND partition = ?
                    """, arguments: [fence.source, fence.stream, fence.consumerGroup, fence.partition])
                guard found == fence.expected else {
                    throw CatalogError.offsetFenced(stream: fence.stream, group: fence.consumerGroup, partition: fence.partition,
                                                    expected: fence.expected, found: found)
                }
            }
            try FileRecord.insertAll(files.map { file in
                FileRecord(
                    id: nil, path: file.finalPath, dataset: file.dataset, source: file.source,
                    zone: file.zone.rawValue, partitionValues: FileRecord.partitionJSON(file.partitions),
                    dt: file.partitions["dt"], region: file.partitions["region"], rows: file.rows,
                    records: file.records, bytes: file.bytes, sha256: file.sha256, batchId: file.batchId, tmpPath: file.tmpPath,
                    runId: run, createdAt: now)
            }, db)
            for checkpoint in checkpoints { try checkpoint.save(db) }
            for cursor in cursors { try cursor.save(db) }
            for offset in offsets { try offset.save(db) }
            for message in messages { try message.save(db) }
            if objects != nil { try Self.dropPending(files.map(\.finalPath), db) }
        }
    }

    /// S3 storage: records each upload as pending (`scoped` is a path under `_tmp/<scope>/`, so
    /// the scope's next run finds it), then puts each local `file` at its lake `path`, 8 at a
    /// time. The transaction that commits them drops the pending rows (`dropPending`).
    func uploadPending(_ uploads: [(file: String, path: String, scoped: String)], now: String) throws {
        guard let objects else { return }
        try write { db in
            try PendingUploadRecord.insertAll(uploads.map { PendingUploadRecord(path: $0.path, tmpPath: $0.scoped, createdAt: now) }, db)
        }
        _ = try Parallel.blocking(uploads.count, workers: 8) { [self] i in
            try objects.put(file: root.absolute(uploads[i].file), at: objectPath(uploads[i].path))
        }
    }

    static func dropPending(_ paths: [String], _ db: CatalogDatabase) throws {
        try db.cachedStatement(sql: "DELETE FROM lake_pending_uploads WHERE path = ?").executeMany(paths.map { [$0] })
    }

    /// Finishes or removes what a killed run left under the `_tmp/` folder `scope`; with
    /// `only`, just the files whose names it accepts (those of the partitions this process owns).
    public func reconcile(scope: String, only: (String) -> Bool = { _ in true }) throws -> ReconcileReport {
        var report = ReconcileReport()
        let folder = root.tmpPath + "/" + scope
        if let objects {
            report.abandonedUploads = try deleteAbandonedUploads(scope: scope, only: only, objects: objects)
        }
        for absolute in FileSystem.files(under: folder) where only((absolute as NSString).lastPathComponent) {
            guard let tmp = root.relative(absolute) else { continue }
            let record = try read { try FileRecord.fetchOne($0, "WHERE tmp_path = ?", [tmp]) }
            if let record, objects == nil, !FileSystem.exists(root.absolute(record.path)) {
                try moveIntoPlace(tmp, record.path)
                report.finished.append(record.path)
            } else {
                try FileSystem.remove(absolute)
                report.removed.append(tmp)
            }
        }
        return report
    }

    /// Deletes the objects of uploads under the `_tmp/` folder `scope` whose commit never came
    /// (by any machine: the pending rows are in the catalog); returns their paths.
    private func deleteAbandonedUploads(scope: String, only: (String) -> Bool, objects: ObjectStore) throws -> [String] {
        let prefix = "_tmp/\(scope)/"
        let pending = try read { db in
            try PendingUploadRecord.fetchAll(db, "WHERE substr(tmp_path, 1, ?) = ?", [prefix.count, prefix])
        }.filter { only(($0.tmpPath as NSString).lastPathComponent) }
        guard !pending.isEmpty else { return [] }
        let committed = Set(try read { db in
            try pending.compactMap { try String.fetchOne(db, sql: "SELECT path FROM lake_files WHERE path = ?", arguments: [$0.path]) }
        })
        let abandoned = pending.filter { !committed.contains($0.path) }.map(\.path)
        try objects.delete(abandoned.map(objectPath))
        try write { db in try Self.dropPending(pending.map(\.path), db) }
        return abandoned
    }

    func moveIntoPlace(_ tmp: String, _ final: String) throws {
        let target = root.absolute(final)
        let folder = (target as NSString).deletingLastPathComponent
        try FileSystem.makeDirectories(folder)
        try FileSystem.rename(root.absolute(tmp), to: target)
        try FileSystem.syncDirectory(folder)
    }
}

extension FileRecord {
    /// Runs `read` on the file's bytes on this disk. A committed file is renamed into its zone
    /// right after its commit, or by the next run of a writer killed in between: until then a
    /// reader finds it whole at its temp path (step 2 of the commit protocol above).
    public func reading<T>(under root: LakeRoot, _ read: (String) throws -> T) throws -> T {
        let final = root.absolute(path)
        if let tmpPath, !FileSystem.exists(final) {
            let tmp = root.absolute(tmpPath)
            do { return try read(tmp) } catch where !FileSystem.exists(tmp) && FileSystem.exists(final) {
                // Renamed into place between the two looks.
                return try read(final)
            }
        }
        return try read(final)
    }
}
