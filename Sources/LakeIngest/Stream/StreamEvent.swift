import Foundation
import LakeCatalog
import LakeCore

/// One event as a stream source delivered it.
public struct StreamEvent: Sendable {
    public var partition: Int
    /// The embedded log's offset, or a Redis entry id.
    public var offset: String
    public var key: [UInt8]?
    public var value: [UInt8]
    /// When the source received it, in ms since 1970.
    public var arrival: Int64
    /// A Kafka record with a null value (a tombstone: "delete this key").
    public var isTombstone = false
    /// The record's own timestamp (ms) and its type (Kafka: CreateTime or LogAppendTime).
    public var timestamp: (ms: Int64, type: String)?
    /// Record headers in order (Kafka); a name may repeat, a value may be null.
    public var headers: [(key: String, value: [UInt8]?)]?
    /// More `_meta` fields of the source's own (Kinesis sequence numbers, SQS attributes).
    public var extraMeta: [(String, JSONValue)]?
    /// Why the source already knows this event cannot land (a damaged KPL aggregate): it goes to quarantine.
    public var poison: String?

    public init(partition: Int, offset: String, key: [UInt8]?, value: [UInt8], arrival: Int64) {
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.arrival = arrival
    }
}

/// Where stream events come from: the embedded log, Redis Streams, Kafka…
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
    /// Offsets are numbers (written as JSON numbers in `_meta.offset`).
    var numericOffsets: Bool { get }
    /// Nothing waits to be read in `partition` now (`--until-idle` may stop).
    func caughtUp(partition: Int) -> Bool
    /// Events before `next` are committed to raw (Kafka: copied to the group's offsets).
    func landed(partition: Int, next: String)
    /// The group wants its partitions back (a rebalance): commit, then `rejoin`.
    var revoked: Bool { get }
    /// Joins the group's next generation; `partitions` then holds the new assignment.
    func rejoin() async throws
    /// The catalog offsets the current assignment resumed from, read when it began (nil:
    /// read them now). Each partition's first commit requires the catalog to still hold them.
    var resumedFrom: [Int: String]? { get }
    /// Lag in the source's own terms, for progress (Kinesis: time behind latest); nil: events.
    var lagDescription: String? { get }
    /// A queue (SQS): no offsets; landed messages are recorded (`landedMessage`) and deleted after commit.
    var isQueue: Bool { get }
    /// The catalog row that marks `event` landed, committed with its file (queues).
    func landedMessage(for event: StreamEvent, at time: Date) -> LandedMessageRecord?
}

extension StreamSource {
    public var numericOffsets: Bool { false }
    public func caughtUp(partition: Int) -> Bool { true }
    public func landed(partition: Int, next: String) {}
    public var revoked: Bool { false }
    public func rejoin() async throws {}
    public var resumedFrom: [Int: String]? { nil }
    public var lagDescription: String? { nil }
    public var isQueue: Bool { false }
    public func landedMessage(for event: StreamEvent, at time: Date) -> LandedMessageRecord? { nil }
}
