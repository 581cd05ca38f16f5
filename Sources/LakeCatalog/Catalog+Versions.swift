import Foundation
import LakeCore

// Publishing a version of a staged (or curated) dataset:
//
//   1. its files are written under _versions/<zone>/<dataset>/v<N>/ (unchanged files of the
//      previous version hard-linked, new ones written)     (crash: a folder no row names, removed)
//   2. ONE catalog transaction: the version row (current; the previous one retired), file
//      rows added and removed, lineage, promoted raw files, drift, quarantine file rows
//                                                           (crash: link still on the old version)
//   3. quarantine files renamed into place; <zone>/<dataset> — a symbolic link — re-pointed
//      by renaming a new link over it                        (done)
//
// Readers that list <zone>/<dataset>/ see the old folder or the new one, never a mix. The
// next run re-points a link that lags the catalog and removes folders no row names.

/// Everything one promotion publishes.
public struct VersionPublication: Sendable {
    public var version: VersionRecord
    public var addedFiles: [FileRecord]
    public var removedPaths: [String]
    public var lineage: [LineageRecord]
    public var promoted: [PromotedRecord]
    public var drift: [DriftRecord]
    public var quarantine: [PendingFile]
    /// A full refresh forgets which raw files were promoted and the old lineage.
    public var fullRefresh: Bool
    /// Rows promoted earlier that lost to this promotion's arrivals, by the raw file they came from.
    public var earlierDuplicates: [String: Int]
    /// The table's columns for its DuckLake registration (file columns, then partition keys).
    public var columns: [DuckLakeColumn] = []
    /// Column statistics of the added files, by file path, for DuckLake.
    public var columnStats: [String: [DuckLakeColumnStats]] = [:]
    /// The DuckLake snapshot's message (default: `lake promote: <zone>.<dataset> v<N>`).
    public var message: String?

    public init(version: VersionRecord, addedFiles: [FileRecord], removedPaths: [String], lineage: [LineageRecord],
                promoted: [PromotedRecord], drift: [DriftRecord], quarantine: [PendingFile], fullRefresh: Bool,
                earlierDuplicates: [String: Int] = [:]) {
        self.version = version
        self.addedFiles = addedFiles
        self.removedPaths = removedPaths
        self.lineage = lineage
        self.promoted = promoted
        self.drift = drift
        self.quarantine = quarantine
        self.fullRefresh = fullRefresh
        self.earlierDuplicates = earlierDuplicates
    }
}

extension Catalog {
    /// The dataset's current contract, as registered.
    public func contract(of dataset: String) throws -> DatasetContract {
        let record = try self.dataset(named: dataset)
        let versions = try schemaVersions(of: record.name)
        guard let current = versions.first(where: { $0.version == record.currentSchemaVersion }) ?? versions.last else {
            throw CatalogError.database("dataset '\(record.name)' has no contract registered — add one to schemas/ and run `lake catalog sync`")
        }
        return try DatasetContract(data: Data(current.schemaJson.utf8), file: current.sourceFile ?? "catalog:\(record.name)")
    }

    public func currentVersion(of dataset: String, zone: LakeRoot.Zone) throws -> VersionRecord? {
        try read { db in
            try VersionRecord.fetchOne(db, "WHERE dataset = ? AND zone = ? AND state = 'current'", [dataset, zone.rawValue])
        }
    }

    public func versions(of dataset: String? = nil, zone: LakeRoot.Zone? = nil) throws -> [VersionRecord] {
        try read { db in
            try VersionRecord.fetchAll(db, matching: ["dataset": dataset, "zone": zone?.rawValue], orderBy: "dataset, version")
        }
    }

    public func promotedRawPaths(of dataset: String) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT raw_path FROM lake_promoted WHERE dataset = ?", arguments: [dataset]))
        }
    }

    public func promoted(of dataset: String) throws -> [PromotedRecord] {
        try read { db in try PromotedRecord.fetchAll(db, "WHERE dataset = ?", [dataset]) }
    }

    public func drift(of dataset: String? = nil) throws -> [DriftRecord] {
        try read { db in
            try DriftRecord.fetchAll(db, matching: ["dataset": dataset], orderBy: "dataset, field, seen_type")
        }
    }

    public func lineage(of dataset: String) throws -> [LineageRecord] {
        try read { db in
            try LineageRecord.fetchAll(db, "WHERE dataset = ? ORDER BY output_path, input_path", [dataset])
        }
    }

    /// Commits a version in one transaction, then moves quarantine files into place and
    /// points `<zone>/<dataset>` at the new folder.
    public func publish(_ p: VersionPublication) throws {
        let now = Timestamps.iso()
        let dataset = p.version.dataset
        // On S3 the version's files (and the quarantine's) go up before the commit, recorded as
        // pending: S3 has no rename to finish them after it.
        var uploaded: [String] = []
        if objects != nil {
            let scope = "promote-\(dataset)"
            let version = FileSystem.files(under: root.absolute(p.version.folder)).compactMap { root.relative($0) }
            let uploads = (version.map { (file: $0, path: $0) } + p.quarantine.map { (file: $0.tmpPath, path: $0.finalPath) })
                .map { (file: $0.file, path: $0.path, scoped: "_tmp/\(scope)/\($0.path)") }
            try uploadPending(uploads, now: now)
            uploaded = uploads.map(\.path)
            CrashPoint.hit("publish:uploaded")
        }
        CrashPoint.hit("publish:committing")
        try write { db in
            if !uploaded.isEmpty { try Self.dropPending(uploaded, db) }
            try db.execute(sql: """
                UPDATE lake_versions SET state = 'retired', retired_at = ?
                WHERE dataset = ? AND zone = ? AND state = 'current'
                """, arguments: [now, dataset, p.version.zone])
            var version = p.version
            try version.insert(db)
            if p.fullRefresh {
                try db.execute(sql: "DELETE FROM lake_promoted WHERE dataset = ?", arguments: [dataset])
                try db.execute(sql: "DELETE FROM lake_lineage WHERE dataset = ?", arguments: [dataset])
            }
            for path in p.removedPaths {
                try db.execute(sql: "DELETE FROM lake_files WHERE path = ?", arguments: [path])
                try db.execute(sql: "DELETE FROM lake_lineage WHERE dataset = ? AND output_path = ?", arguments: [dataset, path])
            }
            // Stamped at commit, after the files were written: governance reads a newer mtime as a
            // file changed behind the catalog's back.
            try FileRecord.insertAll(p.addedFiles.map { var file = $0; file.createdAt = now; file.id = nil; return file }, db)
            // One prepared statement per table: a promotion of thousands of raw files saved each
            // row through Codable twice (update, then insert), most of its serial commit time.
            let lineage = try db.cachedStatement(sql: """
                INSERT INTO lake_lineage (dataset, input_path, output_path, version, rows) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (dataset, input_path, output_path) DO UPDATE SET version = excluded.version, rows = excluded.rows
                """)
            // In key order: SQLite inserts these long keys about twice as fast in order as in arrival order.
            try lineage.executeMany(p.lineage.sorted(by: { ($0.inputPath, $0.outputPath) < ($1.inputPath, $1.outputPath) })
                .map { r in [r.dataset, r.inputPath, r.outputPath, r.version, r.rows] })
            let promoted = try db.cachedStatement(sql: """
                INSERT INTO lake_promoted (dataset, raw_path, version, records, staged, quarantined, duplicates, promoted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (dataset, raw_path) DO UPDATE SET version = excluded.version, records = excluded.records,
                    staged = excluded.staged, quarantined = excluded.quarantined, duplicates = excluded.duplicates,
                    promoted_at = excluded.promoted_at
                """)
            try promoted.executeMany(p.promoted.sorted(by: { $0.rawPath < $1.rawPath }).map { r in
                [r.dataset, r.rawPath, r.version, r.records, r.staged, r.quarantined, r.duplicates, r.promotedAt]
            })
            for (raw, count) in p.earlierDuplicates {
                try db.execute(sql: """
                    UPDATE lake_promoted SET duplicates = duplicates + ?, staged = staged - ? WHERE dataset = ? AND raw_path = ?
                    """, arguments: [count, count, dataset, raw])
            }
            for d in p.drift {
                try db.execute(sql: """
                    INSERT INTO lake_schema_drift (dataset, field, seen_type, first_raw_file, count, first_seen_at, last_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (dataset, field, seen_type) DO UPDATE SET count = count + excluded.count, last_seen_at = excluded.last_seen_at
                    """, arguments: [d.dataset, d.field, d.seenType, d.firstRawFile, d.count, d.firstSeenAt, d.lastSeenAt])
            }
            for file in p.quarantine {
                var record = FileRecord(
                    id: nil, path: file.finalPath, dataset: file.dataset, source: file.source, zone: file.zone.rawValue,
                    partitionValues: FileRecord.partitionJSON(file.partitions), dt: file.partitions["dt"],
                    region: file.partitions["region"], rows: file.rows, records: file.records, bytes: file.bytes,
                    sha256: file.sha256, batchId: file.batchId, tmpPath: file.tmpPath, runId: version.runId, createdAt: now)
                try record.insert(db)
            }
            try Self.registerDuckLakeSnapshot(db, p, now: now)
        }
        CrashPoint.hit("promote:committed")
        if objects != nil {
            // The catalog's snapshot is the current version; the local build goes.
            for file in p.quarantine { try FileSystem.remove(root.absolute(file.tmpPath)) }
            try? FileManager.default.removeItem(atPath: root.absolute(p.version.folder))
            return
        }
        for file in p.quarantine { try moveIntoPlace(file.tmpPath, file.finalPath) }
        try pointLink(dataset: dataset, zone: p.version.zone, at: p.version.folder)
    }

    /// Makes `<zone>/<dataset>` a symbolic link to `folder` (relative to the root), atomically.
    public func pointLink(dataset: String, zone: String, at folder: String) throws {
        let link = root.path + "/" + zone + "/" + dataset
        let target = "../" + folder
        if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: link), existing == target { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: link, isDirectory: &isDirectory),
           (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil {
            throw CatalogError.database(
                "\(zone)/\(dataset) is a real folder, not lake's version link — move it out of the lake (or adopt its files) and promote again")
        }
        try FileSystem.makeDirectories(root.path + "/" + zone)
        let temporary = root.path + "/" + zone + "/." + dataset + ".link-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw StorageError.io(path: temporary, operation: "creating a link", errno: errno)
        }
        try FileSystem.rename(temporary, to: link)
        try FileSystem.syncDirectory(root.path + "/" + zone)
    }

    /// After a crash: re-points a link that lags the catalog and removes version folders no
    /// row names. Returns what it did, for the run's log.
    public func reconcileVersions(dataset: String, zone: LakeRoot.Zone) throws -> [String] {
        var done: [String] = []
        let known = Set(try versions(of: dataset, zone: zone).map(\.folder))
        let parent = "_versions/\(zone.rawValue)/\(dataset)"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.absolute(parent))) ?? []
        for entry in entries.sorted() where !known.contains(parent + "/" + entry) {
            try FileManager.default.removeItem(atPath: root.absolute(parent + "/" + entry))
            done.append("removed \(parent)/\(entry), left by a killed promotion")
        }
        if objects == nil, let current = try currentVersion(of: dataset, zone: zone) {
            let link = root.path + "/" + zone.rawValue + "/" + dataset
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != "../" + current.folder {
                try pointLink(dataset: dataset, zone: zone.rawValue, at: current.folder)
                done.append("pointed \(zone.rawValue)/\(dataset) at version \(current.version), committed by a killed promotion")
            }
        }
        return done
    }

    /// Retired versions older than `cutoff` (ISO time), oldest first.
    public func retiredVersions(before cutoff: String) throws -> [VersionRecord] {
        try read { db in
            try VersionRecord.fetchAll(db, "WHERE state = 'retired' AND retired_at < ? ORDER BY retired_at", [cutoff])
        }
    }

    /// Forgets a vacuumed version.
    public func deleteVersion(_ id: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM lake_versions WHERE id = ?", arguments: [id]) }
    }
}
