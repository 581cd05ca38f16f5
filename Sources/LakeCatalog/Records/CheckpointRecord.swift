
/// How far one unit of an ingestion has come (a dataset in a market, a playlist…):
/// committed in the same transaction as the file holding the pages it covers.
public struct CheckpointRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_checkpoints"
    public static let primaryKey = ["ingestion_id", "dataset", "scope"]

    public var ingestionId: Int64
    public var dataset: String
    public var scope: String
    /// JSON: the next request, page number and whatever the unit carries forward.
    public var state: String
    public var done: Bool
    public var updatedAt: String

    public init(ingestionId: Int64, dataset: String, scope: String, state: String, done: Bool, updatedAt: String) {
        self.ingestionId = ingestionId
        self.dataset = dataset
        self.scope = scope
        self.state = state
        self.done = done
        self.updatedAt = updatedAt
    }
}
