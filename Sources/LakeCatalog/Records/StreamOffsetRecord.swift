
/// A consumer group's position in one partition of a stream: the offset (or Redis entry id)
/// of the next event to land. Committed in the same transaction as the raw files holding
/// the events before it, so a restart neither loses nor repeats any.
public struct StreamOffsetRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_stream_offsets"
    public static let primaryKey = ["source", "stream", "consumer_group", "partition"]

    /// `embedded` or `redis://host:port`.
    public var source: String
    /// The topic or Redis stream key.
    public var stream: String
    public var consumerGroup: String
    public var partition: Int
    public var nextOffset: String
    public var dataset: String
    public var updatedAt: String

    public init(source: String, stream: String, consumerGroup: String, partition: Int, nextOffset: String,
                dataset: String, updatedAt: String) {
        self.source = source
        self.stream = stream
        self.consumerGroup = consumerGroup
        self.partition = partition
        self.nextOffset = nextOffset
        self.dataset = dataset
        self.updatedAt = updatedAt
    }
}
