import Foundation
import LakeCatalog
import LakeCore

/// Knobs of a stream ingestion.
public struct StreamOptions: Sendable {
    public var dataset: String
    /// `raw/<source>/<dataset>/`.
    public var source: String
    public var group = "lake"
    public var timeField: String?
    public var regionField: String?
    /// Stop after this many events (nil: no limit).
    public var maxRecords: Int?
    /// Stop once every partition is caught up.
    public var untilIdle = false
    /// Larger events go to quarantine.
    public var maxEventBytes = 1 << 20
    /// Kafka tombstones (null values) land as `"value": null` instead of going to quarantine.
    public var keepTombstones = false
    public var limits: RawLimits = {
        var limits = RawLimits()
        limits.maxRecords = 200_000
        limits.maxAge = 10
        return limits
    }()
    /// Events read from a partition at a time.
    public var batch = 8192
    public var command = "lake ingest stream"
    public var progress = true

    public init(dataset: String, source: String) {
        self.dataset = dataset
        self.source = source
    }
}

/// Set from a signal handler: finish, flush and commit, then stop.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    public init() {}
    public func stop() { lock.lock(); stopped = true; lock.unlock() }
    public var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}

/// What a stream ingestion landed.
public struct StreamReport: Sendable {
    public var source: String
    public var stream: String
    public var dataset: String
    public var group: String
    public var partitions: [Int]
    public var events: Int
    public var quarantined: Int
    public var seconds: Double
    public var rows: [IngestReport.Row]
    public var offsets: [Int: String]
    public var reconciled: String?

    public var json: JSONValue {
        .object([
            ("source", .string(source)), ("stream", .string(stream)), ("dataset", .string(dataset)),
            ("group", .string(group)), ("partitions", .array(partitions.map { .int($0) })),
            ("events", .int(events)), ("quarantined", .int(quarantined)),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
            ("events_per_second", .int(seconds > 0 ? Int(Double(events) / seconds) : 0)),
            ("next_offsets", .object(offsets.sorted { $0.key < $1.key }.map { (String($0.key), .string($0.value)) })),
            ("landed", .array(rows.map { row in
                .object([("region", .string(row.region)), ("files", .int(row.counts.files)),
                         ("events", .int(row.counts.records)), ("bytes", .int(row.counts.bytes))])
            })),
        ])
    }
}

/// Lands a stream in the raw zone in micro-batches, exactly once.
///
/// Each partition is read by its own task into its own files, one open gzip file per
/// (dt, region); files close at a record count, a size or an age. A file's commit and its
/// partition's next offset go in one catalog transaction; a source that needs it (Redis) is
/// acknowledged only after. Bad events go to quarantine with the reason.
public final class StreamIngestion: @unchecked Sendable {
    let source: StreamSource
    let catalog: Catalog
    let options: StreamOptions
    let progress = Progress.shared

    public init(source: StreamSource, catalog: Catalog, options: StreamOptions) {
        self.source = source
        self.catalog = catalog
        self.options = options
    }

    /// The `_tmp/` folder of this dataset's stream files.
    public static func scope(source: String, dataset: String) -> String { "stream-\(source)-\(dataset)" }

    public func run(stop: StopFlag = StopFlag()) async throws -> StreamReport {
        defer { source.close() }
        try Names.validate(options.dataset, kind: "dataset")
        try Names.validate(options.source, kind: "source")
        let scope = Self.scope(source: options.source, dataset: options.dataset)
        let stream = source.stream
        try catalog.ensureDataset(options.dataset, source: options.source)
        let run = try catalog.startRun(command: options.command)
        let started = Date()
        let counter = EventCounter(limit: options.maxRecords)
        var batchers: [RawBatcher] = []
        var offsets: [Int: String] = [:]
        var everyPartition = Set<Int>()
        var reconciledAll = ReconcileReport()
        do {
            let monitor = Task { [weak source, progress, options] in
                while options.progress, !Task.isCancelled, let source {
                    try? await Task.sleep(nanoseconds: 500_000_000)
                    let lags = source.partitions.compactMap { source.lag(partition: $0) }
                    let seconds = max(Date().timeIntervalSince(started), 0.001)
                    progress.status(String(format: "ingest stream %@: %d events, %.0f events/s", stream, counter.count,
                                           Double(counter.count) / seconds)
                                    + (source.lagDescription.map { ", \($0)" } ?? (lags.isEmpty ? "" : ", lag \(lags.reduce(0, +))")))
                }
            }
            defer { monitor.cancel() }
            // One generation per assignment: a group source that must give its partitions back
            // (a rebalance) has each consumer commit what it holds, then joins the next one.
            while true {
                let mine = Set(source.partitions)
                everyPartition.formUnion(mine)
                let reconciled = try catalog.reconcile(scope: scope) { name in
                    mine.contains { name.contains("-\(stream)+\($0)+") }
                }
                if !reconciled.isEmpty { progress.note("reconciled: \(reconciled.summary)") }
                reconciledAll.finished += reconciled.finished
                reconciledAll.removed += reconciled.removed
                let committed = try source.resumedFrom ?? Dictionary(
                    catalog.streamOffsets(source: source.sourceID, stream: stream, group: options.group).map { ($0.partition, $0.nextOffset) },
                    uniquingKeysWith: { a, _ in a })
                // Each partition's batcher gets its share of the open-bytes budget.
                var limits = options.limits
                limits.maxOpenBytes = Swift.max(1 << 20, limits.maxOpenBytes / Swift.max(1, source.partitions.count))
                let generation = Dictionary(uniqueKeysWithValues: source.partitions.map {
                    ($0, RawBatcher(catalog: catalog, source: options.source, scope: scope, limits: limits, run: run))
                })
                batchers += generation.values
                var fenced = false
                try await withThrowingTaskGroup(of: (Int, String?, Bool).self) { group in
                    for partition in source.partitions {
                        let batcher = generation[partition]!
                        let current = committed[partition]
                        group.addTask {
                            do {
                                return (partition, try await self.consume(partition, batcher: batcher, committed: current,
                                                                          counter: counter, stop: stop), false)
                            } catch let error as CatalogError {
                                guard case .offsetFenced = error else { throw error }
                                self.progress.note(error.message)
                                return (partition, nil, true)
                            }
                        }
                    }
                    for try await (partition, offset, lost) in group {
                        if let offset { offsets[partition] = offset }
                        fenced = fenced || lost
                    }
                }
                // A member with no partitions (more members than partitions) waits for the next rebalance.
                while source.partitions.isEmpty, !options.untilIdle, !source.revoked, !stop.isStopped {
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                if stop.isStopped || counter.exhausted { break }
                if fenced {
                    // Another member holds a partition this one still read: the group is rebalancing.
                    let deadline = Date().addingTimeInterval(60)
                    while !source.revoked, Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
                }
                guard source.revoked || fenced else { break }
                progress.note("group \(options.group) is rebalancing: committed what this consumer held; joining again")
                try await source.rejoin()
            }
        } catch {
            for batcher in batchers { await batcher.abandon() }
            progress.done()
            try? catalog.finishRun(run, outcome: "failed", counts: nil, error: "\(error)")
            throw error
        }
        progress.done()
        var landed: [String: LandedCounts] = [:]
        var quarantined = 0
        for batcher in batchers {
            for (key, counts) in await batcher.landed { landed[key.region, default: LandedCounts()] += counts }
            quarantined += await batcher.quarantined
        }
        let report = StreamReport(
            source: source.sourceID, stream: stream, dataset: options.dataset, group: options.group,
            partitions: everyPartition.sorted(), events: counter.count, quarantined: quarantined,
            seconds: Date().timeIntervalSince(started),
            rows: landed.keys.sorted().map {
                IngestReport.Row(source: options.source, dataset: options.dataset, region: $0, counts: landed[$0]!)
            },
            offsets: offsets, reconciled: reconciledAll.isEmpty ? nil : reconciledAll.summary)
        try catalog.finishRun(run, outcome: "succeeded", counts: .object([
            ("events", .int(report.events)), ("quarantined", .int(quarantined)),
            ("files", .int(report.rows.reduce(0) { $0 + $1.counts.files })),
        ]), error: nil)
        return report
    }

    /// Reads one partition until idle, the record limit or a stop; returns its next offset.
    private func consume(_ partition: Int, batcher: RawBatcher, committed: String?, counter: EventCounter,
                         stop: StopFlag) async throws -> String? {
        // Only the ids, and only for a source that acknowledges: holding whole events until
        // the next commit made memory grow with the stream.
        var unacknowledged: [String] = []
        var next: String?
        let prefix = StreamLine.Prefix(source: source.sourceID, stream: source.stream, numericOffset: source.numericOffsets)
        if !source.isQueue { await batcher.expect(StreamOffsetRecord(
            source: source.sourceID, stream: source.stream, consumerGroup: options.group, partition: partition,
            nextOffset: "", dataset: options.dataset, updatedAt: ""), current: committed) }
        var arrivals = ArrivalCache()
        // With fewer partitions than cores, the next batch is read while this one is encoded
        // and compressed; with more, the partitions already keep every core busy.
        let source = self.source
        let prefetch = source.partitions.count < ProcessInfo.processInfo.activeProcessorCount
        let batchSize = options.batch
        /// Reads inline, or hands back a read already under way.
        enum Read { case inline, prefetched(Task<[StreamEvent], Error>), done }
        func startRead() -> Read {
            guard !stop.isStopped, !source.revoked else { return .done }
            guard prefetch else { return .inline }
            let want = counter.reserve(batchSize)
            guard want > 0 else { return .done }
            return .prefetched(Task {
                let events = try await source.read(partition: partition, max: want)
                counter.release(want - events.count)
                return events
            })
        }
        var upcoming = startRead()
        while true {
            let events: [StreamEvent]
            switch upcoming {
            case .done:
                events = []
            case let .prefetched(task):
                events = try await task.value
            case .inline:
                let want = counter.reserve(batchSize)
                if want == 0 {
                    events = []
                } else {
                    events = try await source.read(partition: partition, max: want)
                    counter.release(want - events.count)
                }
            }
            if case .done = upcoming { break }
            if events.isEmpty {
                // A queue hides what is in flight (a FIFO group's next messages wait for this delete):
                // an empty poll commits and deletes before anything is called idle.
                if source.isQueue, !unacknowledged.isEmpty {
                    try await batcher.flush()
                    try await acknowledge(partition, &unacknowledged)
                    upcoming = startRead()
                    continue
                }
                if (options.untilIdle && source.caughtUp(partition: partition)) || stop.isStopped || counter.exhausted
                    || source.revoked { break }
                // Acknowledge only what this commit covers: an earlier commit does not.
                if try await batcher.flushIfOld() {
                    try await acknowledge(partition, &unacknowledged)
                    if let next { source.landed(partition: partition, next: next) }
                }
                try await Task.sleep(nanoseconds: 100_000_000)
                upcoming = startRead()
                continue
            }
            upcoming = startRead()
            let ingestedAt = Timestamps.iso()
            let lines = events.map { line(for: $0, prefix: prefix, arrivals: &arrivals, ingestedAt: ingestedAt) }
            next = source.nextOffset(after: events.last!)
            let offset = StreamOffsetRecord(
                source: source.sourceID, stream: source.stream, consumerGroup: options.group, partition: partition,
                nextOffset: next!, dataset: options.dataset, updatedAt: ingestedAt)
            if source.acknowledges { unacknowledged += events.map(\.offset) }
            let now = Date()
            let landed = source.isQueue ? events.compactMap { source.landedMessage(for: $0, at: now) } : []
            if try await batcher.append(lines, offsets: source.isQueue ? [] : [offset], messages: landed) {
                try await acknowledge(partition, &unacknowledged)
                source.landed(partition: partition, next: next!)
            }
        }
        if case let .prefetched(task) = upcoming { task.cancel() }
        try await batcher.flush()
        if !unacknowledged.isEmpty { try await source.committed(partition: partition, offsets: unacknowledged) }
        if let next { source.landed(partition: partition, next: next) }
        return next
    }

    private func acknowledge(_ partition: Int, _ offsets: inout [String]) async throws {
        guard !offsets.isEmpty else { return }
        // The raw file is committed and the source not yet told (SQS: not yet deleted).
        CrashPoint.hit("stream:committed")
        try await source.committed(partition: partition, offsets: offsets)
        offsets.removeAll(keepingCapacity: true)
    }

    /// The raw line for a good event, or the quarantine line with the reason.
    func line(for event: StreamEvent, prefix: StreamLine.Prefix, arrivals: inout ArrivalCache,
              ingestedAt: String) -> RawBatcher.Line {
        let (arrival, arrivalDay) = arrivals.strings(event.arrival)
        // No ':' in file names (a KPL sub-record's `seq:sub`): Hadoop paths, and so Spark, refuse it.
        let offset = event.offset.utf8.contains(0x3A) ? event.offset.replacingOccurrences(of: ":", with: "-") : event.offset
        let name = source.stream + "+" + String(event.partition) + "+" + offset
        func reject(_ reason: String) -> RawBatcher.Line {
            let meta = StreamLine.meta(event, prefix: prefix, arrival: arrival, ingestedAt: ingestedAt, reason: reason)
            return RawBatcher.Line(dataset: options.dataset, partitions: PartitionValues([.init("dt", arrivalDay)]),
                                   bytes: StreamLine.quarantine(meta: meta, value: event.value), records: 1,
                                   zone: .quarantine, group: String(event.partition), fileName: name)
        }
        if let poison = event.poison { return reject(poison) }
        if event.isTombstone {
            guard options.keepTombstones else { return reject("tombstone") }
            let meta = StreamLine.meta(event, prefix: prefix, arrival: arrival, ingestedAt: ingestedAt)
            return RawBatcher.Line(dataset: options.dataset, partitions: .dtRegion(dt: arrivalDay, region: nil),
                                   bytes: StreamLine.raw(meta: meta, value: Array("null".utf8)), records: 1,
                                   group: String(event.partition), fileName: name)
        }
        guard event.value.count <= options.maxEventBytes else {
            return reject("over the size limit: \(event.value.count) bytes > \(options.maxEventBytes)")
        }
        let root: JSONNode
        do { root = try JSONTape(event.value).root } catch {
            return reject("not JSON: \(error)")
        }
        guard root.kind == .object else { return reject("not a JSON object but \(root.kind == .array ? "an array" : "a \(root.kind)")") }
        var dt = arrivalDay
        if let field = options.timeField, let time = root[field] {
            let day: String?
            switch time.kind {
            case .string: day = time.tape.bytes.withUnsafeBytes { EventTime.utcDay(iso: UnsafeRawBufferPointer(rebasing: $0[time.range.dropFirst().dropLast()])) }
            case .number: day = time.double.flatMap(EventTime.utcDay(epoch:))
            default: day = nil
            }
            if let day { dt = day }
        }
        let region = options.regionField.flatMap { root[$0]?.string }.map(Regions.normalize)
        let meta = StreamLine.meta(event, prefix: prefix, arrival: arrival, ingestedAt: ingestedAt)
        return RawBatcher.Line(dataset: options.dataset, partitions: .dtRegion(dt: dt, region: region),
                               bytes: StreamLine.raw(meta: meta, value: event.value), records: 1,
                               group: String(event.partition), fileName: name)
    }
}

/// Arrival times recur across a batch (the log stamps a producer's chunk alike): render each once.
struct ArrivalCache {
    private var milliseconds: Int64 = .min
    private var rendered = ("", "")

    mutating func strings(_ ms: Int64) -> (iso: String, day: String) {
        if ms != milliseconds {
            milliseconds = ms
            let iso = Timestamps.iso(milliseconds: ms)
            rendered = (iso, String(iso.prefix(10)))
        }
        return rendered
    }
}

/// Events taken so far across partitions, against an optional limit.
final class EventCounter: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int?
    private var taken = 0

    init(limit: Int?) { self.limit = limit }

    var count: Int { lock.lock(); defer { lock.unlock() }; return taken }

    /// The limit is reached.
    var exhausted: Bool { lock.lock(); defer { lock.unlock() }; return limit.map { taken >= $0 } ?? false }

    /// Reserves up to `wanted` events; returns how many may be read.
    func reserve(_ wanted: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        let granted = limit.map { max(0, min(wanted, $0 - taken)) } ?? wanted
        taken += granted
        return granted
    }

    func release(_ unused: Int) {
        lock.lock(); taken -= unused; lock.unlock()
    }
}
