import Foundation
import LakeCatalog
import LakeCore

/// Reads a Kafka topic (`kafka://HOST:PORT[,HOST:PORT…]`) as a member of a consumer group.
///
/// - Partitions come from Kafka's group protocol (range assignor), or from `--partitions`
///   without joining a group. On a rebalance the consumer commits what it holds and joins
///   the next generation.
/// - Where each partition starts: lake's catalog offsets win; else the group's offsets
///   committed to Kafka; else the earliest offset. `--reset`, `--from-offset` and
///   `--from-time` override that for the first generation.
/// - After each catalog commit the group's offsets are also committed to Kafka (best effort).
public final class KafkaSource: StreamSource, @unchecked Sendable {
    public typealias Start = StreamStart

    public let sourceID: String
    public let stream: String
    public let numericOffsets = true
    private var assigned: [Int] = []
    private var resumed: [Int: String] = [:]
    public var resumedFrom: [Int: String]? { lock.withLock { resumed } }
    public var partitions: [Int] { lock.withLock { assigned } }
    let cluster: KafkaCluster
    let member: KafkaGroupMember?
    let catalog: Catalog
    let group: String
    private let lock = NSLock()
    private var fetcher: KafkaFetcher?
    private var toCommit: [Int32: Int64] = [:]
    private var committer: Task<Void, Never>?
    private let dataset: String
    private let rebalance: RebalanceWatch

    public static func connect(url: String, topic: String, group: String, configFile: String?, catalog: Catalog,
                               dataset: String, start: Start, only: [Int]?) async throws -> KafkaSource {
        let settings = try KafkaSettings.parse(url: url, configFile: configFile)
        let cluster = KafkaCluster(settings: settings)
        let count = try await cluster.partitionCount(topic)
        if let only, let bad = only.first(where: { $0 < 0 || $0 >= count }) {
            await cluster.close()
            throw KafkaError.unsupported("\(topic) has partitions 0–\(count - 1); --partitions names \(bad)")
        }
        let id = await cluster.clusterId.map { "kafka://\($0)" } ?? "kafka://\(cluster.bootstrapList)"
        let member = only == nil ? KafkaGroupMember(cluster: cluster, group: group, topic: topic) : nil
        let source = KafkaSource(sourceID: id, topic: topic, cluster: cluster, member: member, catalog: catalog, group: group,
                                 dataset: dataset)
        do {
            let assigned = try await member?.join() ?? (only ?? []).map { Int32($0) }
            try await source.begin(assigned, start: start)
        } catch {
            source.close()
            throw error
        }
        return source
    }

    init(sourceID: String, topic: String, cluster: KafkaCluster, member: KafkaGroupMember?, catalog: Catalog, group: String,
         dataset: String) {
        self.sourceID = sourceID
        stream = topic
        self.cluster = cluster
        self.member = member
        self.catalog = catalog
        self.group = group
        self.dataset = dataset
        rebalance = RebalanceWatch(member: member)
    }

    /// Starts fetching `assigned` from where each partition resumes.
    private func begin(_ assigned: [Int32], start: Start) async throws {
        lock.withLock { self.assigned = assigned.map(Int.init) }
        guard !assigned.isEmpty else { return }
        var starts: [Int32: KafkaFetcher.Start] = [:]
        let landed = try catalog.streamOffsets(source: sourceID, stream: stream, group: group)
            .filter { assigned.contains(Int32($0.partition)) }
        lock.withLock { resumed = Dictionary(landed.map { ($0.partition, $0.nextOffset) }, uniquingKeysWith: { a, _ in a }) }
        switch start {
        case .committed:
            for record in landed {
                if let offset = Int64(record.nextOffset) { starts[Int32(record.partition)] = .init(offset: offset) }
            }
            let missing = assigned.filter { starts[$0] == nil }
            if !missing.isEmpty, let member {
                let kafka = (try? await member.committedOffsets(missing)) ?? [:]
                for (partition, offset) in kafka { starts[partition] = .init(offset: offset) }
            }
            let still = assigned.filter { starts[$0] == nil }
            if !still.isEmpty {
                for (partition, offset) in try await cluster.offsets(topic: stream, partitions: still, at: ListOffsetsRequest.earliest) {
                    starts[partition] = .init(offset: offset)
                }
            }
        case .earliest, .latest:
            let at = { if case .earliest = start { return ListOffsetsRequest.earliest } else { return ListOffsetsRequest.latest } }()
            for (partition, offset) in try await cluster.offsets(topic: stream, partitions: assigned, at: at) { starts[partition] = .init(offset: offset) }
        case let .offset(offset):
            for partition in assigned { starts[partition] = .init(offset: offset) }
        case let .time(ms):
            let found = try await cluster.offsets(topic: stream, partitions: assigned, at: ms)
            let earliest = try await cluster.offsets(topic: stream, partitions: assigned, at: ListOffsetsRequest.earliest)
            for partition in assigned {
                // -1: no record at or after the time, or a broker that cannot look offsets up by
                // time (librdkafka's mock). Reading from the start and skipping older records is right for both.
                if let offset = found[partition], offset >= 0 {
                    starts[partition] = .init(offset: offset)
                } else {
                    starts[partition] = .init(offset: earliest[partition] ?? 0, notBefore: ms)
                }
            }
        }
        let catalog = self.catalog, sourceID = self.sourceID, stream = self.stream, group = self.group, dataset = self.dataset
        let fetcher = KafkaFetcher(cluster: cluster, topic: stream, starts: starts) { partition, from, to in
            try catalog.recordStreamGap(StreamGapRecord(
                source: sourceID, stream: stream, consumerGroup: group, partition: Int(partition), fromOffset: from, toOffset: to,
                dataset: dataset, detectedAt: Timestamps.iso()))
        }
        lock.withLock { self.fetcher = fetcher }
        startCommitter()
    }

    public func read(partition: Int, max: Int) async throws -> [StreamEvent] {
        guard let fetcher = lock.withLock({ self.fetcher }) else { return [] }
        return try await fetcher.read(partition: Int32(partition), max: max)
    }

    public func caughtUp(partition: Int) -> Bool {
        lock.withLock { fetcher }?.caughtUp(partition: Int32(partition)) ?? true
    }

    public let acknowledges = false

    public func committed(partition: Int, offsets: [String]) async throws {}

    public func landed(partition: Int, next: String) {
        guard let landed = Int64(next) else { return }
        let offset = lock.withLock { fetcher }?.kafkaOffset(partition: Int32(partition), landed: landed) ?? landed
        lock.withLock { toCommit[Int32(partition)] = offset }
    }

    public func lag(partition: Int) -> Int64? { lock.withLock { fetcher }?.lag(partition: Int32(partition)) }

    public func nextOffset(after event: StreamEvent) -> String { String((Int64(event.offset) ?? 0) + 1) }

    public var revoked: Bool { rebalance.needed }

    public func rejoin() async throws {
        lock.withLock { fetcher }?.stop()
        await flushCommits()
        guard let member else { return }
        let assigned = try await member.join()
        rebalance.reset()
        // Offsets of partitions now another member's are that member's to report.
        lock.withLock { toCommit = toCommit.filter { assigned.contains($0.key) } }
        Progress.shared.note("group \(group): now reading \(stream) partitions \(assigned.map(String.init).joined(separator: ","))")
        try await begin(assigned, start: .committed)
    }

    /// Kafka's copy of the group's offsets, sent in the background so a slow coordinator never holds up landing.
    private func startCommitter() {
        guard committer == nil else { return }
        committer = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 500_000_000)
                await self?.flushCommits()
            }
        }
    }

    private func flushCommits() async {
        let pending = lock.withLock { () -> [Int32: Int64] in
            defer { toCommit.removeAll() }
            return toCommit
        }
        guard !pending.isEmpty else { return }
        do {
            if let member {
                try await member.commit(pending)
            } else {
                try await KafkaGroupMember(cluster: cluster, group: group, topic: stream).commit(pending)
            }
        } catch {
            // lake's catalog holds the offsets that count; Kafka's copy catches up at the next commit.
            lock.withLock { for (p, o) in pending where toCommit[p] == nil { toCommit[p] = o } }
        }
    }

    public func close() {
        let done = DispatchSemaphore(value: 0)
        let fetcher = lock.withLock { self.fetcher }
        fetcher?.stop()
        committer?.cancel()
        Task { [self] in
            await flushCommits()
            await member?.leave()
            await cluster.close()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 5)
    }
}

/// Whether the group asked for a rebalance, readable without awaiting the member actor.
final class RebalanceWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var task: Task<Void, Never>?

    init(member: KafkaGroupMember?) {
        guard let member else { return }
        task = Task { [weak self] in
            while !Task.isCancelled {
                let needed = await member.rebalanceNeeded
                guard let self else { return }
                self.lock.withLock { self.flag = needed }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }

    var needed: Bool { lock.withLock { flag } }

    /// A new generation has begun: forget the request that led to it.
    func reset() { lock.withLock { flag = false } }

    deinit { task?.cancel() }
}

extension StreamEvent {
    init(kafka record: KafkaRecord, partition: Int) {
        self.init(partition: partition, offset: String(record.offset), key: record.key, value: record.value ?? [],
                  arrival: record.timestamp)
        isTombstone = record.value == nil
        timestamp = (record.timestamp, record.timestampType.rawValue)
        headers = record.headers.isEmpty ? nil : record.headers
    }
}
