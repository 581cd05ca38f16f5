import Foundation
import LakeCore

extension Catalog {
    /// One process at a time for `scope` (an ingestion, a dataset's promotion, retention): a
    /// file lock in `_tmp` on a local lake; on a team lake, whose processes may run on several
    /// machines, a PostgreSQL advisory lock. `waiting` hears once who holds it.
    public func lock(_ scope: String, holder: String, waiting: (String) -> Void) throws -> HeldLock {
        if let postgres = backend as? PostgresCatalogBackend {
            return try postgres.advisoryLock(scope, holder: holder, waiting: waiting)
        }
        return try FileLock.acquire(root.tmpPath + "/\(scope).lock", holder: holder, waiting: waiting)
    }
}
