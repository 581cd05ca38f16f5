import LakeCore

/// One committed file of a zone.
public struct FileRecord: CatalogIDRecord, Equatable {
    public static let databaseTableName = "lake_files"

    public var id: Int64?
    /// Relative to the lake root, e.g. `raw/spotify/new_releases/dt=…/region=SE/….ndjson.gz`.
    public var path: String
    public var dataset: String
    public var source: String?
    public var zone: String
    /// JSON object of the partition values, in folder order.
    public var partitionValues: String
    public var dt: String?
    public var region: String?
    public var rows: Int
    public var records: Int
    public var bytes: Int
    public var sha256: String
    public var batchId: String
    /// Where the file was written before its rename, relative to the root.
    public var tmpPath: String?
    public var runId: Int64?
    public var createdAt: String

    public init(id: Int64? = nil, path: String, dataset: String, source: String?, zone: String, partitionValues: String,
                dt: String?, region: String?, rows: Int, records: Int, bytes: Int, sha256: String, batchId: String,
                tmpPath: String?, runId: Int64?, createdAt: String) {
        self.id = id
        self.path = path
        self.dataset = dataset
        self.source = source
        self.zone = zone
        self.partitionValues = partitionValues
        self.dt = dt
        self.region = region
        self.rows = rows
        self.records = records
        self.bytes = bytes
        self.sha256 = sha256
        self.batchId = batchId
        self.tmpPath = tmpPath
        self.runId = runId
        self.createdAt = createdAt
    }

    /// Read by column name, not through Codable: decoding converts every key from snake case
    /// per row, and a promotion over 27,000 raw files spent a second in it before any work.
    public init(row: SQLRow) throws {
        id = row["id"]
        path = row["path"]
        dataset = row["dataset"]
        source = row["source"]
        zone = row["zone"]
        partitionValues = row["partition_values"]
        dt = row["dt"]
        region = row["region"]
        rows = row["rows"]
        records = row["records"]
        bytes = row["bytes"]
        sha256 = row["sha256"]
        batchId = row["batch_id"]
        tmpPath = row["tmp_path"]
        runId = row["run_id"]
        createdAt = row["created_at"]
    }


    public static func partitionJSON(_ partitions: PartitionValues) -> String {
        JSONValue.object(partitions.pairs.map { ($0.key, $0.value.json) }).serialized()
    }
}
