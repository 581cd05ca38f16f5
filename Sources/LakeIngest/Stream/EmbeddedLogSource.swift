import Foundation
import LakeCatalog
import LakeCore
import LakeEventLog

/// Reads a topic of the embedded log for one consumer of a group.
///
/// A partition goes to one consumer of a group at a time: this consumer holds a lock per
/// partition it reads (`--partitions` chooses them; by default every partition not held by
/// another consumer of the group).
public final class EmbeddedLogSource: StreamSource, @unchecked Sendable {
    public let sourceID = "embedded"
    public let numericOffsets = true
    public let stream: String
    public let partitions: [Int]
    private var readers: [Int: PartitionReader] = [:]
    private var ends: [Int: EndTracker] = [:]
    private var locks: [FileLock] = []
    private let lock = NSLock()

    public typealias Start = StreamStart

    public init(log: EventLog, topic: String, group: String, committed: [Int: Int64], start: Start,
                only: [Int]?, lockFolder: String) throws {
        stream = topic
        let all = try log.partitions(topic)
        var mine: [Int] = []
        for partition in all where only?.contains(partition.number) ?? true {
            let path = "\(lockFolder)/\(topic)-\(group)-\(partition.number).lock"
            if let held = try FileLock.tryAcquire(path, holder: "pid \(getpid()) (lake ingest stream \(topic) --group \(group))") {
                locks.append(held)
                mine.append(partition.number)
                let from: Int64
                switch start {
                case .committed: from = committed[partition.number] ?? partition.earliestOffset
                case .earliest: from = partition.earliestOffset
                case .latest: from = try partition.endOffset()
                case let .offset(offset): from = offset
                case let .time(ms): from = try PartitionReader.offset(in: partition, atOrAfter: ms)
                }
                readers[partition.number] = try PartitionReader(partition, from: from)
                ends[partition.number] = EndTracker(partition)
            }
        }
        partitions = mine
    }

    public func read(partition: Int, max: Int) async throws -> [StreamEvent] {
        guard let reader = readers[partition] else { return [] }
        var events: [StreamEvent] = []
        events.reserveCapacity(min(max, 8192))
        try reader.read(maxRecords: max) { record in
            events.append(StreamEvent(
                partition: partition, offset: String(record.offset),
                key: record.key.isEmpty ? nil : Array(record.key), value: Array(record.value), arrival: record.timestamp))
        }
        return events
    }

    public let acknowledges = false

    public func committed(partition: Int, offsets: [String]) async throws {}

    public func lag(partition: Int) -> Int64? {
        guard let reader = readers[partition], let end = ends[partition]?.end() else { return nil }
        return max(0, end - reader.position)
    }

    public func nextOffset(after event: StreamEvent) -> String { String((Int64(event.offset) ?? 0) + 1) }

    public func close() {
        lock.lock(); defer { lock.unlock() }
        locks.forEach { $0.release() }
        locks.removeAll()
    }

    deinit { close() }
}
