
/// An object a commit is putting into a team lake's S3 storage, recorded before the upload
/// starts and dropped in the transaction that commits it: one left behind is an upload whose
/// commit never came, which the next run of its scope deletes (S3 has no rename to finish it).
public struct PendingUploadRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_pending_uploads"
    public static let primaryKey = ["path"]

    /// Lake-relative, as `lake_files.path` would record it.
    public var path: String
    /// The local file under `_tmp/<scope>/` it is uploaded from: its scope says whose it is.
    public var tmpPath: String
    public var createdAt: String

    public init(path: String, tmpPath: String, createdAt: String) {
        self.path = path
        self.tmpPath = tmpPath
        self.createdAt = createdAt
    }
}
