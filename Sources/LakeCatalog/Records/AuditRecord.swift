
/// One audited operation on the lake's data: a retention deletion or an adoption.
public struct AuditRecord: CatalogIDRecord, Equatable {
    public static let databaseTableName = "lake_audit"

    public var id: Int64?
    /// `retention` or `adopt`.
    public var action: String
    /// The command line that did it.
    public var command: String
    public var reason: String
    /// JSON array of the datasets touched.
    public var datasets: String
    public var files: Int
    public var bytes: Int
    /// `applying` until every file is gone from disk (or adopted), then `done`.
    public var state: String
    public var startedAt: String
    public var finishedAt: String?

    public init(action: String, command: String, reason: String, datasets: [String], files: Int, bytes: Int,
                state: String, startedAt: String) {
        self.action = action
        self.command = command
        self.reason = reason
        self.datasets = Catalog.jsonArray(datasets)
        self.files = files
        self.bytes = bytes
        self.state = state
        self.startedAt = startedAt
    }

    public var datasetNames: [String] { Catalog.strings(fromJSON: datasets) }

}

/// A file an audited operation touched.
public struct AuditFileRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_audit_files"
    public static let primaryKey = ["audit_id", "path"]

    public var auditId: Int64
    public var path: String
    public var dataset: String
    public var zone: String
    public var dt: String?
    public var bytes: Int

    public init(auditId: Int64, path: String, dataset: String, zone: String, dt: String?, bytes: Int) {
        self.auditId = auditId
        self.path = path
        self.dataset = dataset
        self.zone = zone
        self.dt = dt
        self.bytes = bytes
    }
}
