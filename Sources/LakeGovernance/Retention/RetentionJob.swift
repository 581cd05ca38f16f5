import Foundation
import LakeCatalog
import LakeCore

/// What `lake retention --apply` did.
public struct RetentionOutcome: Sendable {
    /// Unfinished runs this one completed first: audit id and files removed.
    public var resumed: [(audit: Int64, files: Int)] = []
    public var audit: Int64?
    public var files = 0
    public var bytes = 0
}

/// Deletes expired partitions as one audited operation (see Catalog+Audit for the order that
/// keeps catalog and disk consistent through a crash).
public struct RetentionJob: Sendable {
    public let catalog: Catalog
    public let progress: LakeCore.Progress

    public init(catalog: Catalog, progress: LakeCore.Progress) {
        self.catalog = catalog
        self.progress = progress
    }

    /// What would go today.
    public func plan(now: Date = Date()) throws -> RetentionPlan {
        RetentionPlan(datasets: try catalog.datasets(), files: try catalog.catalogedFiles(), today: Timestamps.day(now))
    }

    /// Finishes any run a crash interrupted, then deletes what `plan` lists.
    public func apply(_ plan: RetentionPlan, command: String) throws -> RetentionOutcome {
        let lock = try catalog.lock("retention", holder: "pid \(getpid()) (\(command))") { holder in
            progress.note("waiting for the retention lock, held by \(holder)…")
        }
        defer { lock.release() }
        var outcome = RetentionOutcome()
        for (audit, files) in try catalog.unfinishedAudits() {
            let removed = try remove(files.map(\.path))
            try catalog.finishAudit(audit.id!)
            progress.note("finished retention #\(audit.id!) that a crash interrupted: \(removed) file\(removed == 1 ? "" : "s") removed")
            outcome.resumed.append((audit.id!, removed))
        }
        guard !plan.partitions.isEmpty else { return outcome }
        // The plan was made from the catalog; take the rows again inside the lock, so files a
        // concurrent run already removed are not counted twice.
        let records = try catalog.files(atPaths: plan.paths)
        guard !records.isEmpty else { return outcome }
        for record in records { try checkInside(record.path) }
        let datasets = Set(records.map(\.dataset)).sorted()
        let promotionLocks = try datasets.map { dataset in
            try catalog.lock("promote-\(dataset)", holder: "pid \(getpid()) (\(command))") { holder in
                progress.note("waiting for the \(dataset) promotion to finish (\(holder))…")
            }
        }
        defer { promotionLocks.forEach { $0.release() } }
        let days = Dictionary(plan.partitions.map { ($0.dataset, $0.retentionDays) }, uniquingKeysWith: { a, _ in a })
        let reason = datasets.map { "\($0): dt older than \(days[$0] ?? 0) days" }.joined(separator: "; ")
        let audit = try catalog.beginDeletion(of: records, action: "retention", command: command, reason: reason)
        CrashPoint.hit("retention:recorded")
        outcome.files = try remove(records.map(\.path))
        outcome.bytes = records.reduce(0) { $0 + $1.bytes }
        try catalog.finishAudit(audit.id!)
        outcome.audit = audit.id
        return outcome
    }

    /// Unlinks files (those still there) and then the partition folders they leave empty; on
    /// S3 storage, deletes their objects with DeleteObjects, 1,000 a request.
    private func remove(_ paths: [String]) throws -> Int {
        if let objects = catalog.objects {
            for path in paths { try checkInside(path) }
            var start = 0
            while start < paths.count {
                let batch = paths[start..<min(paths.count, start + 1000)]
                try objects.delete(batch.map(catalog.objectPath))
                if start == 0 { CrashPoint.hit("retention:deleting") }
                start += batch.count
            }
            return paths.count
        }
        var removed = 0
        var folders = Set<String>()
        for (i, path) in paths.enumerated() {
            try checkInside(path)
            let absolute = catalog.root.absolute(path)
            if FileSystem.exists(absolute) {
                try FileSystem.remove(absolute)
                removed += 1
            }
            folders.insert(LakeInventory.folder(of: path))
            if i == 0 { CrashPoint.hit("retention:deleting") }
            if paths.count > 1000, i % 1000 == 999 { progress.note("retention: \(i + 1)/\(paths.count) files removed") }
        }
        for folder in folders.sorted(by: >) { removeEmptyFolders(from: folder) }
        return removed
    }

    /// Removes `folder` and its parents while they are empty partition folders (`key=value`).
    private func removeEmptyFolders(from folder: String) {
        var current = folder
        while let last = current.split(separator: "/").last, last.contains("=") {
            guard rmdir(catalog.root.absolute(current)) == 0 else { return }
            current = LakeInventory.folder(of: current)
        }
    }

    /// Never outside the root: a cataloged path is relative, in a zone, without `..`.
    private func checkInside(_ path: String) throws {
        let parts = path.split(separator: "/")
        guard !path.hasPrefix("/"), !parts.contains(".."), let zone = parts.first,
              LakeRoot.Zone(rawValue: String(zone)) != nil else {
            throw GovernanceError.outsideLake(path: path, root: catalog.root.path)
        }
    }
}
