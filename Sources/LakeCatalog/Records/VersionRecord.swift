
/// One published version of a staged or curated dataset: a folder under `_versions/` that
/// the dataset's link in its zone points at while it is `current`.
public struct VersionRecord: CatalogIDRecord, Equatable {
    public static let databaseTableName = "lake_versions"

    public var id: Int64?
    public var dataset: String
    public var zone: String
    public var version: Int
    /// Relative to the lake root, e.g. `_versions/staged/plays/v000003`.
    public var folder: String
    /// `current` or `retired`.
    public var state: String
    public var files: Int
    public var rows: Int
    public var runId: Int64?
    public var createdAt: String
    public var retiredAt: String?

    public init(dataset: String, zone: String, version: Int, folder: String, state: String, files: Int, rows: Int,
                runId: Int64?, createdAt: String) {
        self.dataset = dataset
        self.zone = zone
        self.version = version
        self.folder = folder
        self.state = state
        self.files = files
        self.rows = rows
        self.runId = runId
        self.createdAt = createdAt
    }

}

extension VersionRecord {
    /// Where the dataset's file (named `<zone>/<dataset>/…`) sits inside a version's folder.
    public func relativePath(of file: FileRecord) -> String { String(file.path.dropFirst("\(zone)/\(dataset)/".count)) }

    /// The file's path in this version's folder, relative to the lake root.
    public func path(of file: FileRecord) -> String { folder + "/" + relativePath(of: file) }
}
