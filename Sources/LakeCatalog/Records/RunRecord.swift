
/// One `lake` command that changed the lake: what ran, when, and how it ended.
public struct RunRecord: CatalogIDRecord, Equatable {
    public static let databaseTableName = "lake_runs"

    public var id: Int64?
    public var command: String
    public var pid: Int
    public var ingestionId: Int64?
    public var startedAt: String
    public var endedAt: String?
    /// `running`, `succeeded`, `failed`.
    public var outcome: String
    /// JSON object of counts (pages, records, files, bytes…).
    public var counts: String?
    public var error: String?

}
