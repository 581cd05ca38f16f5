
/// Offsets of a stream partition that were gone (deleted by retention) before lake read
/// them: events lost upstream, recorded so governance reports them (`stream-gap`).
public struct StreamGapRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_stream_gaps"
    public static let primaryKey = ["source", "stream", "consumer_group", "partition", "from_offset"]

    public var source: String
    public var stream: String
    public var consumerGroup: String
    public var partition: Int
    /// The first and last offsets lost, inclusive.
    public var fromOffset: Int64
    public var toOffset: Int64
    public var dataset: String
    public var detectedAt: String

    public init(source: String, stream: String, consumerGroup: String, partition: Int, fromOffset: Int64, toOffset: Int64,
                dataset: String, detectedAt: String) {
        self.source = source
        self.stream = stream
        self.consumerGroup = consumerGroup
        self.partition = partition
        self.fromOffset = fromOffset
        self.toOffset = toOffset
        self.dataset = dataset
        self.detectedAt = detectedAt
    }
}
