/// One event as a stream source delivered it.
public struct StreamEvent: Sendable {
    public var partition: Int
    /// The embedded log's offset, or a Redis entry id.
    public var offset: String
    public var key: [UInt8]?
    public var value: [UInt8]
    /// When the source received it, in ms since 1970.
    public var arrival: Int64

    public init(partition: Int, offset: String, key: [UInt8]?, value: [UInt8], arrival: Int64) {
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.arrival = arrival
    }
}

/// Where stream events come from: the embedded log, Redis Streams…
public protocol StreamSource: AnyObject, Sendable {
    /// `embedded` or `redis://host:port`, as offsets are recorded under.
    var sourceID: String { get }
    var stream: String { get }
    /// The partitions this consumer reads (Redis: just 0).
    var partitions: [Int] { get }
    /// The next events of `partition`, at most `max`; empty when caught up for now.
    func read(partition: Int, max: Int) async throws -> [StreamEvent]
    /// Whether the source wants to hear which events are committed (Redis: to XACK them).
    var acknowledges: Bool { get }
    /// The events with these offsets are committed to raw.
    func committed(partition: Int, offsets: [String]) async throws
    /// Events not yet read, where the source can tell.
    func lag(partition: Int) -> Int64?
    /// The offset to record after `event` (the next one to read).
    func nextOffset(after event: StreamEvent) -> String
    /// Gives the partitions back to the group (releases their locks).
    func close()
}
