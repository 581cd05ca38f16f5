
/// One registered version of a dataset's contract; every version is kept.
public struct SchemaVersionRecord: CatalogIDRecord, Equatable {
    public static let databaseTableName = "lake_schema_versions"

    public var id: Int64?
    public var dataset: String
    public var version: Int
    public var fingerprint: String
    public var schemaJson: String
    public var sourceFile: String?
    public var registeredAt: String
}
