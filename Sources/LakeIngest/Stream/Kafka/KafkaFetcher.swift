import Foundation
import LakeCore

/// Reads a topic's assigned partitions: one Fetch per leader broker per round, all brokers
/// at once, decoding each answer on its own task. Decoded events wait in a queue per
/// partition until the consumer takes them, bounded in events and in bytes (64 MiB shared by
/// the partitions), so memory does not grow with a backlog however many partitions there are. Leader moves, dropped connections and brokers
/// that restart cost a metadata refresh and a backoff, never an event; a partition that
/// cannot be read for the retry budget fails the run with the last error.
final class KafkaFetcher: @unchecked Sendable {
    struct Start: Sendable {
        var offset: Int64
        /// Skip records older than this (ms), for `--from-time` where the broker cannot list offsets by time.
        var notBefore: Int64?
    }

    private struct PartitionState {
        var position: Int64
        var notBefore: Int64?
        var filter = TransactionFilter()
        var ready: [StreamEvent] = []
        var taken = 0
        var caughtUp = false
        var highWatermark: Int64 = -1
        var failingSince: Date?
        var lastError: Error?
        var fatal: Error?
        var maxBytes: Int32
        /// The offset after the last event handed to the consumer.
        var delivered: Int64?
        /// Bytes of keys and values waiting in `ready`.
        var queuedBytes = 0
        var queued: Int { ready.count - taken }
    }

    private enum Outcome {
        case fetched(Int32, from: Int64, events: [StreamEvent], position: Int64, highWatermark: Int64, filter: TransactionFilter, notBefore: Int64?, grow: Bool)
        case stale(Int32, Error)
        case outOfRange(Int32, position: Int64)
        case fatal(Int32, Error)
    }

    let cluster: KafkaCluster
    let topic: String
    let settings: KafkaSettings
    /// Called with (partition, first lost offset, last lost offset) when retention removed events never read.
    let onGap: @Sendable (Int32, Int64, Int64) throws -> Void
    private let lock = NSLock()
    private var states: [Int32: PartitionState] = [:]
    private var loop: Task<Void, Never>?
    private static let queueLimit = 50_000
    private static let queueBytes = 64 << 20
    private var queueByteLimit: Int { Swift.max(1 << 20, Self.queueBytes / Swift.max(1, states.count)) }

    private static func size(_ events: ArraySlice<StreamEvent>) -> Int {
        events.reduce(0) { $0 + $1.value.count + ($1.key?.count ?? 0) + 64 }
    }

    init(cluster: KafkaCluster, topic: String, starts: [Int32: Start],
         onGap: @escaping @Sendable (Int32, Int64, Int64) throws -> Void) {
        self.cluster = cluster
        self.topic = topic
        settings = cluster.settings
        self.onGap = onGap
        for (partition, start) in starts {
            states[partition] = PartitionState(position: start.offset, notBefore: start.notBefore,
                                               maxBytes: Int32(settings.partitionFetchMaxBytes))
        }
        loop = Task { [weak self] in await self?.run() }
    }

    func stop() {
        loop?.cancel()
        loop = nil
    }

    deinit { loop?.cancel() }

    /// Up to `max` events of `partition`; empty when nothing came within a short wait.
    func read(partition: Int32, max: Int) async throws -> [StreamEvent] {
        enum Take { case events([StreamEvent]), idle, wait, fatal(Error) }
        for _ in 0..<250 {
            let take: Take = lock.withLock {
                guard var state = states[partition] else { return .idle }
                if let fatal = state.fatal { return .fatal(fatal) }
                guard state.queued > 0 else { return state.caughtUp ? .idle : .wait }
                let end = Swift.min(state.ready.count, state.taken + max)
                let out = Array(state.ready[state.taken..<end])
                state.taken = end
                state.queuedBytes -= Self.size(out[...])
                if let last = out.last, let offset = Int64(last.offset) { state.delivered = offset + 1 }
                if state.taken == state.ready.count { state.ready.removeAll(); state.taken = 0; state.queuedBytes = 0 }
                states[partition] = state
                return .events(out)
            }
            switch take {
            case let .events(events): return events
            case .idle: return []
            case let .fatal(error): throw error
            case .wait: try await Task.sleep(nanoseconds: 2_000_000)
            }
        }
        return []
    }

    /// Caught up: the last fetch found nothing new and nothing waits to be read.
    func caughtUp(partition: Int32) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let state = states[partition] else { return true }
        return state.caughtUp && state.queued == 0
    }

    /// The offset to show Kafka once events before `landed` are committed: past trailing
    /// markers and aborted records too, when nothing read since waits to be committed.
    func kafkaOffset(partition: Int32, landed: Int64) -> Int64 {
        lock.lock(); defer { lock.unlock() }
        guard let state = states[partition], state.delivered == landed, state.queued == 0, state.filter.isEmpty else { return landed }
        return Swift.max(landed, state.position)
    }

    func lag(partition: Int32) -> Int64? {
        lock.lock(); defer { lock.unlock() }
        guard let state = states[partition], state.highWatermark >= 0 else { return nil }
        return Swift.max(0, state.highWatermark - state.position) + Int64(state.queued)
    }

    private typealias Want = (partition: Int32, position: Int64, maxBytes: Int32, filter: TransactionFilter, notBefore: Int64?)

    /// One fetch loop per leader broker, so a slow or idle broker never holds up another;
    /// partitions without a leader wait for a metadata refresh.
    private func run() async {
        await withTaskGroup(of: Void.self) { group in
            var running = Set<Int32>()
            var backoff = 0.1
            while !Task.isCancelled {
                let partitions = lock.withLock { states.filter { $0.value.fatal == nil }.map(\.key) }
                var leaderless: [Int32] = []
                for partition in partitions {
                    guard let leader = await cluster.leader(topic, partition) else { leaderless.append(partition); continue }
                    if running.insert(leader).inserted { group.addTask { await self.brokerLoop(leader) } }
                }
                if leaderless.isEmpty {
                    backoff = 0.1
                } else {
                    lock.withLock {
                        for partition in leaderless {
                            fail(partition, KafkaError.broker(api: "Metadata", code: KafkaErrorCode.leaderNotAvailable, detail: "\(topic)/\(partition) has no leader"))
                        }
                    }
                    _ = try? await cluster.refresh(topic: topic)
                    backoff = Swift.min(backoff * 2, 1.0)
                }
                try? await Task.sleep(nanoseconds: UInt64((leaderless.isEmpty ? 0.2 : backoff) * 1e9))
            }
            group.cancelAll()
        }
    }

    private func brokerLoop(_ node: Int32) async {
        var backoff = 0.05
        while !Task.isCancelled {
            let candidates = lock.withLock {
                states.filter { $0.value.fatal == nil && $0.value.queued < Self.queueLimit && $0.value.queuedBytes < queueByteLimit }
                    .map { Want($0.key, $0.value.position, $0.value.maxBytes, $0.value.filter, $0.value.notBefore) }
            }
            var wants: [Want] = []
            for want in candidates where await cluster.leader(topic, want.partition) == node { wants.append(want) }
            if wants.isEmpty {
                try? await Task.sleep(nanoseconds: 10_000_000)
                continue
            }
            var stale = false
            for outcome in await fetch(node: node, wants) {
                switch outcome {
                case .stale, .fatal: stale = true
                case let .outOfRange(partition, position): await recover(partition, from: position)
                case .fetched: break
                }
                apply(outcome)
            }
            if stale {
                _ = try? await cluster.refresh(topic: topic)
                try? await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                backoff = Swift.min(backoff * 2, 1.0)
            } else {
                backoff = 0.05
            }
        }
    }

    private func fetch(node: Int32, _ wants: [Want]) async -> [Outcome] {
        let request = FetchRequest(topic: topic, partitions: wants.map { ($0.partition, $0.position, $0.maxBytes) },
                                   maxWaitMs: Int32(settings.fetchWaitMaxMs), maxBytes: Int32(settings.fetchMaxBytes),
                                   readCommitted: settings.readCommitted)
        let answer: FetchRequest.Response
        do {
            let connection = try await cluster.connection(node: node)
            answer = try await connection.send(request, timeout: Double(settings.fetchWaitMaxMs) / 1000 + 30)
        } catch {
            await cluster.drop(node: node)
            return wants.map { .stale($0.partition, error) }
        }
        guard answer.errorCode == 0 else {
            return wants.map { .stale($0.partition, KafkaError.broker(api: "Fetch", code: answer.errorCode, detail: "broker \(node)")) }
        }
        var outcomes: [Outcome] = []
        for part in answer.partitions {
            guard let want = wants.first(where: { $0.partition == part.index }) else { continue }
            switch part.errorCode {
            case KafkaErrorCode.none:
                do {
                    var entries: [RecordSetEntry] = []
                    var next = want.position
                    if let records = part.records {
                        try RecordBatch.decode(answer.bytes, range: records, topic: topic, partition: part.index,
                                               from: want.position, next: &next, into: &entries)
                    }
                    var filter = want.filter
                    var notBefore = want.notBefore
                    var ready: [KafkaRecord] = []
                    for entry in entries { filter.add(entry, ready: &ready) }
                    var events: [StreamEvent] = []
                    events.reserveCapacity(ready.count)
                    for record in ready {
                        if let floor = notBefore {
                            if record.timestamp < floor { continue }
                            notBefore = nil
                        }
                        events.append(StreamEvent(kafka: record, partition: Int(part.index)))
                    }
                    // A record set that held bytes but no whole batch: the batch is larger than asked for.
                    let grow = next == want.position && (part.records?.count ?? 0) > 0
                    outcomes.append(.fetched(part.index, from: want.position, events: events, position: next, highWatermark: part.highWatermark,
                                             filter: filter, notBefore: notBefore, grow: grow))
                } catch {
                    outcomes.append(.fatal(part.index, error))
                }
            case KafkaErrorCode.offsetOutOfRange:
                outcomes.append(.outOfRange(part.index, position: want.position))
            case let code where KafkaErrorCode.isRetriable(code):
                outcomes.append(.stale(part.index, KafkaError.broker(api: "Fetch", code: code, detail: "\(topic)/\(part.index) on broker \(node)")))
            case let code:
                outcomes.append(.fatal(part.index, KafkaError.broker(api: "Fetch", code: code, detail: "\(topic)/\(part.index)")))
            }
        }
        return outcomes
    }

    private func apply(_ outcome: Outcome) {
        lock.lock(); defer { lock.unlock() }
        switch outcome {
        case let .fetched(partition, from, events, position, high, filter, notBefore, grow):
            // A fetch begun before a leader move may answer after the new leader's: only the
            // answer that starts where the partition stands counts.
            guard var state = states[partition], state.position == from else { return }
            state.ready += events
            state.queuedBytes += Self.size(events[...])
            state.highWatermark = high
            state.filter = filter
            state.notBefore = notBefore
            // Nothing new at all (aborted records and markers still move the position on).
            state.caughtUp = events.isEmpty && !grow && position <= state.position
            state.position = Swift.max(state.position, position)
            if grow { state.maxBytes = Swift.min(state.maxBytes * 2, 256 << 20) }
            state.failingSince = nil
            states[partition] = state
        case let .stale(partition, error):
            fail(partition, error)
        case let .fatal(partition, error):
            states[partition]?.fatal = error
        case .outOfRange:
            break
        }
    }

    /// Marks a partition as failing; past the retry budget, the error is the run's.
    private func fail(_ partition: Int32, _ error: Error) {
        guard var state = states[partition] else { return }
        let since = state.failingSince ?? Date()
        state.failingSince = since
        state.lastError = error
        if Date().timeIntervalSince(since) > settings.retryBudgetSeconds {
            state.fatal = error
            Progress.shared.note("giving up on \(topic)/\(partition) after \(Int(settings.retryBudgetSeconds)) s of: \(error)")
        }
        states[partition] = state
    }

    /// OFFSET_OUT_OF_RANGE: retention removed events before lake read them (a gap, recorded),
    /// or lake's offset is past the log's end (the topic was recreated: the user decides).
    private func recover(_ partition: Int32, from position: Int64) async {
        do {
            let earliest = try await cluster.offsets(topic: topic, partitions: [partition], at: ListOffsetsRequest.earliest)[partition]
            let latest = try await cluster.offsets(topic: topic, partitions: [partition], at: ListOffsetsRequest.latest)[partition]
            guard let earliest, let latest else { return }
            let current = lock.withLock { states[partition]?.position }
            guard current == position else { return }
            if position < earliest {
                try onGap(partition, position, earliest - 1)
                Progress.shared.note("\(topic)/\(partition): offsets \(position)–\(earliest - 1) were deleted by retention before lake read them; resuming at \(earliest) (recorded as a stream gap)")
                lock.withLock {
                    states[partition]?.position = earliest
                    states[partition]?.filter = TransactionFilter()
                }
            } else if position > latest {
                lock.withLock {
                    states[partition]?.fatal = KafkaError.unsupported(
                        "\(topic)/\(partition): lake's next offset \(position) is past the partition's end \(latest) — was the topic deleted and created again? Run once with --reset earliest (or latest) to start over")
                }
            }
        } catch {
            lock.withLock { fail(partition, error) }
        }
    }
}
