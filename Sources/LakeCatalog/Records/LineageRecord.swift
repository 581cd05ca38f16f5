
/// An input file (raw, or staged for curated) that contributed rows to an output file.
public struct LineageRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_lineage"
    public static let primaryKey = ["dataset", "input_path", "output_path"]

    public var dataset: String
    public var inputPath: String
    public var outputPath: String
    public var version: Int
    public var rows: Int

    public init(dataset: String, inputPath: String, outputPath: String, version: Int, rows: Int) {
        self.dataset = dataset
        self.inputPath = inputPath
        self.outputPath = outputPath
        self.version = version
        self.rows = rows
    }
}

/// A raw file a promotion has read, and what became of its records.
public struct PromotedRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_promoted"
    public static let primaryKey = ["dataset", "raw_path"]

    public var dataset: String
    public var rawPath: String
    public var version: Int
    public var records: Int
    public var staged: Int
    public var quarantined: Int
    public var duplicates: Int
    public var promotedAt: String

    public init(dataset: String, rawPath: String, version: Int, records: Int, staged: Int, quarantined: Int,
                duplicates: Int, promotedAt: String) {
        self.dataset = dataset
        self.rawPath = rawPath
        self.version = version
        self.records = records
        self.staged = staged
        self.quarantined = quarantined
        self.duplicates = duplicates
        self.promotedAt = promotedAt
    }
}

/// A field the contract lacks, or a value of a type it does not declare, seen in a dataset.
public struct DriftRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_schema_drift"
    public static let primaryKey = ["dataset", "field", "seen_type"]

    public var dataset: String
    public var field: String
    public var seenType: String
    public var firstRawFile: String
    public var count: Int
    public var firstSeenAt: String
    public var lastSeenAt: String

    public init(dataset: String, field: String, seenType: String, firstRawFile: String, count: Int,
                firstSeenAt: String, lastSeenAt: String) {
        self.dataset = dataset
        self.field = field
        self.seenType = seenType
        self.firstRawFile = firstRawFile
        self.count = count
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
    }
}
