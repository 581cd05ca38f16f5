
/// An incremental cursor that outlives ingestions: the highest value of a record field
/// landed so far, sent as a parameter on the next run.
public struct CursorRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_cursors"
    public static let primaryKey = ["source", "dataset", "scope"]

    public var source: String
    public var dataset: String
    public var scope: String
    public var value: String
    public var updatedAt: String

    public init(source: String, dataset: String, scope: String, value: String, updatedAt: String) {
        self.source = source
        self.dataset = dataset
        self.scope = scope
        self.value = value
        self.updatedAt = updatedAt
    }
}
