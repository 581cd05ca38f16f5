import Foundation
import LakeCatalog
import LakeCore

extension BuiltinSchemas {
    /// Registers the contracts of `folder` (the repository's `schemas/`), or, away from it, the
    /// copies the binary carries, so a new lake can promote what it ingests from any folder.
    static func sync(_ catalog: Catalog, folder: String?) throws -> (count: Int, from: String) {
        if let folder {
            return (try catalog.sync(folder: folder) { _ in }.count, folder)
        }
        let temp = FileManager.default.temporaryDirectory.path + "/lake-schemas-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: temp) }
        for file in files {
            let path = temp + "/" + file.path
            try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
            try FileSystem.writeAtomically(Array(file.text.utf8), to: path)
        }
        return (try catalog.sync(folder: temp) { _ in }.count, "the contracts lake ships (no schemas/ folder here)")
    }
}
