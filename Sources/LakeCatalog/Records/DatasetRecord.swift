
/// One dataset: its governance facts and its current schema version.
public struct DatasetRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_datasets"
    public static let primaryKey = ["name"]

    public var name: String
    public var source: String?
    public var zone: String
    public var owner: String?
    public var description: String?
    public var retentionDays: Int?
    public var freshnessHours: Double?
    /// JSON arrays of field names.
    public var pii: String
    public var partitionBy: String
    public var primaryKey: String
    public var recordsPath: String?
    public var currentSchemaVersion: Int?
    public var contractFile: String?
    public var createdAt: String
    public var updatedAt: String

    public var piiFields: [String] { Catalog.strings(fromJSON: pii) }
    public var partitionKeys: [String] { Catalog.strings(fromJSON: partitionBy) }
    public var primaryKeyFields: [String] { Catalog.strings(fromJSON: primaryKey) }
}
