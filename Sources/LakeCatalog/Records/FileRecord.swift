import GRDB
import LakeCore

/// One committed file of a zone.
public struct FileRecord: SnakeCaseIDRecord, Equatable {
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

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    static func partitionJSON(_ partitions: PartitionValues) -> String {
        JSONValue.object(partitions.pairs.map { ($0.key, $0.value.json) }).serialized()
    }
}
