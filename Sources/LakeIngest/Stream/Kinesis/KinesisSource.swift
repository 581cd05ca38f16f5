import Foundation
import LakeAWS
import LakeCatalog
import LakeCore

/// Reads a Kinesis data stream (`kinesis://STREAM[?region=…]`): shards are partitions and
/// sequence numbers offsets (compared as big integers, kept as text).
///
/// - Resumes each shard `AFTER_SEQUENCE_NUMBER` its last landed record (a KPL sub-record:
///   `AT_SEQUENCE_NUMBER`, skipping the sub-records already landed).
/// - A child shard is read only once its parents are finished. A closed shard is finished
///   when `NextShardIterator` is null, or when it has children and returns nothing more.
/// - Stays within 5 GetRecords per second per shard and 2 MB/s; backs off on
///   `ProvisionedThroughputExceededException`; takes a new iterator on `ExpiredIteratorException`.
/// - New shards (a reshard while running) start a new generation, as a group rebalance does.
public final class KinesisSource: StreamSource, @unchecked Sendable {
    public typealias Start = StreamStart

    private struct Shard {
        var info: KinesisShard
        var iterator: String?
        /// The last record read: where a new iterator resumes.
        var last: String?
        var finished = false
        var caughtUp = false
        var notBefore = Date.distantPast
        var behindMs: Int64?
        var throttled = 0
    }

    public let sourceID: String
    public let stream: String
    let api: KinesisAPI
    let start: Start
    let group: String
    let catalog: Catalog
    private let lock = NSLock()
    private var shards: [Int: Shard] = [:]
    private var listed: [String: KinesisShard] = [:]
    private var resharded = false
    private var watcher: Task<Void, Never>?
    private var client: AWSJSONClient?
    /// At most this many bytes per second per shard (Kinesis's read limit).
    static let bytesPerSecond = 2_000_000.0
    static let minimumInterval = 0.2

    public static func connect(url: String, group: String, catalog: Catalog, start: Start, profile: String?, region: String?,
                               endpoint: String?) async throws -> KinesisSource {
        guard let components = URLComponents(string: url), components.scheme == "kinesis",
              let name = components.host.map({ $0 + components.path }), !name.isEmpty else {
            throw AWSError.configuration("'\(url)' is not kinesis://STREAM[?region=…]")
        }
        let config = try AWSConfig.resolve(profile: profile, region: region ?? components.queryItems?.first { $0.name == "region" }?.value,
                                           endpoint: endpoint)
        let client = AWSJSONClient(service: "kinesis", targetPrefix: "Kinesis_20131202", jsonVersion: "1.1", config: config)
        let source = KinesisSource(api: client, sourceID: "kinesis://\(config.region)", stream: name, group: group, catalog: catalog, start: start)
        source.client = client
        do { try await source.assign() } catch {
            await client.shutdown()
            throw error
        }
        return source
    }

    init(api: KinesisAPI, sourceID: String, stream: String, group: String, catalog: Catalog, start: Start) {
        self.api = api
        self.sourceID = sourceID
        self.stream = stream
        self.group = group
        self.catalog = catalog
        self.start = start
    }

    public var partitions: [Int] { lock.withLock { shards.keys.sorted() } }

    /// Lists the shards and where each resumes.
    func assign() async throws {
        let all = try await api.listShards(stream: stream)
        let landed = try catalog.streamOffsets(source: sourceID, stream: stream, group: group)
        let last = Dictionary(landed.map { ($0.partition, $0.nextOffset) }, uniquingKeysWith: { a, _ in a })
        lock.withLock {
            let previous = shards
            listed = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
            shards = [:]
            for info in all {
                var shard = previous[info.number] ?? Shard(info: info)
                shard.info = info
                if previous[info.number] == nil, case .committed = start { shard.last = last[info.number] }
                shards[info.number] = shard
            }
            resharded = false
        }
        startWatching()
    }

    /// Notices shards added by a split or merge while running.
    private func startWatching() {
        guard watcher == nil else { return }
        watcher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 30_000_000_000)
                guard let self, let now = try? await self.api.listShards(stream: self.stream) else { continue }
                let known = self.lock.withLock { Set(self.listed.keys) }
                if now.contains(where: { !known.contains($0.id) }) {
                    Progress.shared.note("\(self.stream): the stream was resharded; taking up its new shards")
                    self.lock.withLock { self.resharded = true }
                }
            }
        }
    }

    public var revoked: Bool { lock.withLock { resharded } }

    public func rejoin() async throws { try await assign() }

    public func read(partition: Int, max: Int) async throws -> [StreamEvent] {
        guard var shard = lock.withLock({ shards[partition] }), !shard.finished else { return [] }
        let ready = lock.withLock {
            ShardOrder.readable(shard.info, listed: listed, finished: Set(shards.values.filter(\.finished).map(\.info.id)))
        }
        guard ready else { return [] }
        let wait = shard.notBefore.timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        defer { lock.withLock { shards[partition] = shard } }
        if shard.iterator == nil { shard.iterator = try await iterator(for: shard) }
        guard let iterator = shard.iterator else { shard.finished = true; return [] }
        let answer: JSONValue
        do {
            answer = try await api.send("GetRecords", .object([("ShardIterator", .string(iterator)), ("Limit", .int(min(max, 10_000)))]))
            shard.throttled = 0
        } catch let error as AWSError where error.code == "ExpiredIteratorException" {
            shard.iterator = nil
            return []
        } catch let error as AWSError where error.code == "ProvisionedThroughputExceededException" || error.code == "LimitExceededException" {
            shard.throttled += 1
            shard.notBefore = Date().addingTimeInterval(Swift.min(5.0, 0.25 * Double(1 << Swift.min(shard.throttled, 5))))
            return []
        }
        let records = answer["Records"]?.arrayValue ?? []
        var events: [StreamEvent] = []
        var bytes = 0
        let resume = shard.last.map(SequenceNumber.split)
        for record in records {
            guard let sequence = record["SequenceNumber"]?.stringValue else { continue }
            let data = record["Data"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
            bytes += data.count
            let key = record["PartitionKey"]?.stringValue
            let arrival = record["ApproximateArrivalTimestamp"].flatMap { $0.doubleValue }.map { Int64(($0 * 1000).rounded()) }
                ?? Int64(Date().timeIntervalSince1970 * 1000)
            func event(_ offset: String, _ key: String?, _ value: [UInt8], sub: Int?) -> StreamEvent {
                var e = StreamEvent(partition: partition, offset: offset, key: key.map { Array($0.utf8) }, value: value, arrival: arrival)
                var extra: [(String, JSONValue)] = [("shard_id", .string(shard.info.id)), ("sequence_number", .string(sequence))]
                if let sub { extra.append(("sub_sequence_number", .int(sub))) }
                e.extraMeta = extra
                return e
            }
            if KPLAggregate.isAggregated(data) {
                do {
                    for (sub, user) in try KPLAggregate.deaggregate(data).enumerated() {
                        // Sub-records of the resume record already landed: skip them.
                        if let resume, resume.sequence == sequence, let landedSub = resume.sub, sub <= landedSub { continue }
                        events.append(event("\(sequence):\(sub)", user.partitionKey, user.data, sub: sub))
                    }
                } catch {
                    // A damaged aggregate: the whole record goes to quarantine with the reason.
                    var bad = event(sequence, key, data, sub: nil)
                    bad.poison = "\(error)"
                    events.append(bad)
                }
            } else {
                if let resume, resume.sub == nil, SequenceNumber.compare(sequence, resume.sequence) <= 0 { continue }
                events.append(event(sequence, key, data, sub: nil))
            }
        }
        if let last = events.last { shard.last = last.offset }
        let behind = answer["MillisBehindLatest"]?.doubleValue.map { Int64($0) }
        shard.behindMs = behind
        let next = answer["NextShardIterator"]?.stringValue
        let childless = lock.withLock { !ShardOrder.hasChildren(shard.info.id, listed: listed) }
        if next == nil {
            shard.finished = true
        } else if records.isEmpty, shard.info.endingSequence != nil, !childless, (behind ?? 0) == 0 {
            // A closed shard whose children exist and which has nothing more to give (a
            // service that never ends the iterator, as moto's does).
            shard.finished = true
        }
        shard.iterator = next
        shard.caughtUp = records.isEmpty && (behind ?? 0) == 0
        shard.notBefore = Date().addingTimeInterval(Swift.max(Self.minimumInterval, Double(bytes) / Self.bytesPerSecond))
        return events
    }

    private func iterator(for shard: Shard) async throws -> String? {
        var body: [(String, JSONValue)] = [("StreamName", .string(stream)), ("ShardId", .string(shard.info.id))]
        if let last = shard.last {
            let (sequence, sub) = SequenceNumber.split(last)
            body.append(("ShardIteratorType", .string(sub == nil ? "AFTER_SEQUENCE_NUMBER" : "AT_SEQUENCE_NUMBER")))
            body.append(("StartingSequenceNumber", .string(sequence)))
        } else {
            switch start {
            // Kinesis has no numeric offsets: the command line refuses --from-offset for it.
            case .committed, .earliest, .offset: body.append(("ShardIteratorType", .string("TRIM_HORIZON")))
            case .latest: body.append(("ShardIteratorType", .string("LATEST")))
            case let .time(ms):
                body.append(("ShardIteratorType", .string("AT_TIMESTAMP")))
                body.append(("Timestamp", .double(Double(ms) / 1000)))
            }
        }
        return try await api.send("GetShardIterator", .object(body))["ShardIterator"]?.stringValue
    }

    public func caughtUp(partition: Int) -> Bool {
        lock.withLock {
            guard let shard = shards[partition] else { return true }
            if shard.finished { return true }
            let ready = ShardOrder.readable(shard.info, listed: listed, finished: Set(shards.values.filter(\.finished).map(\.info.id)))
            return ready && shard.caughtUp
        }
    }

    public let acknowledges = false
    public func committed(partition: Int, offsets: [String]) async throws {}

    public func lag(partition: Int) -> Int64? { nil }

    public var lagDescription: String? {
        let behind = lock.withLock { shards.values.compactMap(\.behindMs).max() }
        return behind.map { String(format: "%.1f s behind latest", Double($0) / 1000) }
    }

    /// Kinesis resumes after the last landed record, so the offset kept is that record's.
    public func nextOffset(after event: StreamEvent) -> String { event.offset }

    public func close() {
        watcher?.cancel()
        if let client {
            let done = DispatchSemaphore(value: 0)
            Task { await client.shutdown(); done.signal() }
            _ = done.wait(timeout: .now() + 2)
        }
    }
}
