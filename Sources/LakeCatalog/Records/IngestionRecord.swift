
/// One logical ingestion of a source. A run killed part-way leaves it `running`; the next
/// run of the same source resumes it from its checkpoints instead of starting over.
public struct IngestionRecord: CatalogIDRecord, Equatable {
    public static let databaseTableName = "lake_ingestions"

    public var id: Int64?
    public var source: String
    /// `running` or `complete`.
    public var status: String
    public var params: String
    public var startedAt: String
    public var finishedAt: String?

}
