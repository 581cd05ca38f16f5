import Foundation
import LakeCatalog
import LakeCore

/// Removes retired versions of staged and curated datasets once they are older than the
/// retention window: their folders under `_versions/` and their catalog rows. Files shared
/// with newer versions survive, since versions hold hard links. The DuckLake snapshots taken
/// before the window expire with them, and files other writers (DuckDB) ended before the
/// oldest remaining snapshot are deleted. On S3 storage their objects go with DeleteObjects.
public struct Vacuum {
    public struct Removed: Sendable {
        public var dataset: String
        public var zone: String
        public var version: Int
        public var folder: String
        public var retiredAt: String
    }

    public struct Result: Sendable {
        public var versions: [Removed] = []
        public var snapshots: DuckLakeExpiry = DuckLakeExpiry()
    }

    let catalog: Catalog

    public init(catalog: Catalog) { self.catalog = catalog }

    /// Versions retired more than `retainHours` ago; removed unless `dryRun`.
    public func run(retainHours: Double, dryRun: Bool) throws -> Result {
        let cutoff = Timestamps.iso(Date().addingTimeInterval(-retainHours * 3600))
        var removed: [Removed] = []
        for version in try catalog.retiredVersions(before: cutoff) {
            removed.append(Removed(dataset: version.dataset, zone: version.zone, version: version.version,
                                   folder: version.folder, retiredAt: version.retiredAt ?? ""))
            guard !dryRun, let id = version.id else { continue }
            // Catalog first: a crash after it leaves a folder no row names, which the next promotion removes.
            try catalog.deleteVersion(id)
            if let objects = catalog.objects {
                // On S3 a version holds its own copy of every file: its whole prefix goes.
                try objects.delete(try objects.list(under: version.folder + "/").map { catalog.objectPath($0.path) })
                continue
            }
            let path = catalog.root.absolute(version.folder)
            if FileSystem.exists(path) { try FileManager.default.removeItem(atPath: path) }
        }
        // Snapshots after versions: a snapshot outlives no folder it reads.
        let expiry = try catalog.expireDuckLakeSnapshots(before: cutoff, dryRun: dryRun)
        if !dryRun {
            if let objects = catalog.objects {
                try objects.delete(expiry.orphans.filter(objects.holds))
            } else {
                for path in expiry.orphans { unlink(path) }
            }
        }
        return Result(versions: removed, snapshots: expiry)
    }
}
