import Foundation
import LakeCatalog
import LakeCore

/// On a team lake whose files are in S3, a promotion works on local copies: the raw files it
/// reads and the previous version's files it keeps or rewrites are fetched to their lake
/// paths on this machine, and go again when it ends. What it writes goes up when it publishes.
final class ObjectMirror {
    private let catalog: Catalog
    private let objects: ObjectStore
    private var fetched = Set<String>()
    private var folders = Set<String>()

    init?(catalog: Catalog) {
        guard let objects = catalog.objects else { return nil }
        self.catalog = catalog
        self.objects = objects
    }

    /// Fetches the objects at `paths` (lake-relative) not fetched yet, 8 at a time.
    func fetch(_ paths: [String]) throws {
        let wanted = Array(Set(paths).subtracting(fetched)).sorted()
        guard !wanted.isEmpty else { return }
        let root = catalog.root
        let catalog = catalog
        let objects = objects
        _ = try Parallel.blocking(wanted.count, workers: 8) { i in
            let local = root.absolute(wanted[i])
            try FileSystem.makeDirectories((local as NSString).deletingLastPathComponent)
            try FileSystem.writeAtomically(try objects.read(catalog.objectPath(wanted[i])), to: local)
        }
        fetched.formUnion(wanted)
    }

    /// Fetches `files` (the dataset's paths, `<zone>/<dataset>/…`) of `version` into the
    /// version's folder here; the whole folder goes when the mirror does.
    func fetch(_ files: [FileRecord], of version: VersionRecord) throws {
        folders.insert(version.folder)
        try fetch(files.map(version.path(of:)))
    }

    func removeAll() {
        for path in fetched { try? FileSystem.remove(catalog.root.absolute(path)) }
        for folder in folders { try? FileManager.default.removeItem(atPath: catalog.root.absolute(folder)) }
        fetched.removeAll()
    }
}
