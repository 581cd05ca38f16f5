import Foundation
import LakeCatalog
import LakeCore
import LakeEventLog
import LakeIngest
import LakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct EventTimeTests {
    func day(_ text: String) -> String? { Array(text.utf8).withUnsafeBytes { EventTime.utcDay(iso: $0) } }

    @Test func isoTimesGiveTheirUTCDay() {
        #expect(day("2026-11-24T18:03:11.250Z") == "2026-11-24")
        #expect(day("2026-11-24T23:30:00+02:00") == "2026-11-24")
        #expect(day("2026-11-24T23:30:00-02:00") == "2026-11-25")
        #expect(day("2026-11-24T00:30:00+01:00") == "2026-11-23")
        #expect(day("2026-03-01T00:10:00+0100") == "2026-02-28")
        #expect(day("2024-03-01T00:10:00+01:00") == "2024-02-29")
        #expect(day("2026-11-24") == "2026-11-24")
        #expect(day("2026-11-24 18:03:11") == "2026-11-24")
    }

    @Test func unixTimesInSecondsOrMilliseconds() {
        #expect(EventTime.utcDay(epoch: 1_764_000_000) == "2025-11-24")
        #expect(EventTime.utcDay(epoch: 1_764_000_000_123) == "2025-11-24")
    }

    @Test(arguments: ["yesterday", "2026-13-01", "2026-11-24T25:00:00Z", "24/11/2026", "2026-11-24Tnoon"])
    func anythingElseHasNoDay(_ text: String) {
        #expect(day(text) == nil)
    }
}

@Suite struct StreamIngestionTests {
    let lake: TempLake
    let log: EventLog

    init() throws {
        lake = try TempLake()
        log = EventLog(root: lake.root)
        try log.create("plays", config: TopicConfig(partitions: 2))
    }

    func produce(_ lines: [String]) throws {
        let producer = try Producer(log: log, topic: "plays", keyField: "user_id")
        for line in lines { try Array(line.utf8).withUnsafeBytes { _ = try producer.send($0, timestamp: 1_764_000_000_000) } }
        _ = try producer.close()
    }

    func ingest(group: String = "lake", only: [Int]? = nil, maxEventBytes: Int = 1 << 20) async throws -> StreamReport {
        let committed = try lake.catalog.streamOffsets(source: "embedded", stream: "plays", group: group)
        let source = try EmbeddedLogSource(
            log: log, topic: "plays", group: group,
            committed: Dictionary(uniqueKeysWithValues: committed.map { ($0.partition, Int64($0.nextOffset)!) }),
            start: .committed, only: only, lockFolder: lake.root.tmpPath + "/consumers")
        var options = StreamOptions(dataset: "plays", source: "listens")
        options.group = group
        options.timeField = "played_at"
        options.regionField = "region"
        options.untilIdle = true
        options.progress = false
        options.maxEventBytes = maxEventBytes
        return try await StreamIngestion(source: source, catalog: lake.catalog, options: options).run()
    }

    func landed(_ zone: String = "raw") throws -> [[String: Any]] {
        try lake.files(under: zone).flatMap { try GzipReader.lines(path: lake.root.absolute($0)) }
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func eventsLandInTheirOwnDayAndRegionWithOffsetProvenance() async throws {
        try produce([
            #"{"event_id":"a","user_id":"u1","region":"se","played_at":"2026-11-24T10:00:00Z"}"#,
            #"{"event_id":"b","user_id":"u2","region":"US","played_at":"2026-11-21T23:30:00-05:00"}"#,
            #"{"event_id":"c","user_id":"u3"}"#,
        ])
        let report = try await ingest()
        #expect(report.events == 3 && report.quarantined == 0)
        let folders = Set(lake.files(under: "raw").map { $0.split(separator: "/")[3...4].joined(separator: "/") })
        #expect(folders == ["dt=2026-11-24/region=SE", "dt=2026-11-22/region=US",
                            "dt=2025-11-24/region=__HIVE_DEFAULT_PARTITION__"])
        for line in try landed() {
            let meta = line["_meta"] as! [String: Any]
            #expect(meta["source"] as? String == "embedded" && meta["topic"] as? String == "plays")
            #expect(meta["offset"] is Int && meta["partition"] is Int && meta["key"] is String)
            #expect(meta["arrival_time"] as? String == "2025-11-24T16:00:00.000Z")
        }
        #expect(lake.files(under: "raw").allSatisfy { $0.hasSuffix(".ndjson.gz") && $0.contains("/plays+") })
    }

    @Test func everyKindOfBadEventIsQuarantinedWithItsReason() async throws {
        try produce([
            #"{"event_id":"ok","user_id":"u1"}"#,
            #"{"event_id":"cut","user_id":"u1","#,
            #"["an","array"]"#,
            #""just a string""#,
            #"{"event_id":"big","user_id":"u1","pad":"\#(String(repeating: "x", count: 300))"}"#,
        ])
        let report = try await ingest(maxEventBytes: 200)
        #expect(report.events == 5 && report.quarantined == 4)
        let reasons = try landed("quarantine").map { (($0["_meta"] as! [String: Any])["reason"] as! String) }
        #expect(reasons.contains { $0.hasPrefix("not JSON: unexpected end") })
        #expect(reasons.contains("not a JSON object but an array"))
        #expect(reasons.contains("not a JSON object but a string"))
        #expect(reasons.contains { $0.hasPrefix("over the size limit") })
        #expect(try landed("quarantine").allSatisfy { $0["raw"] is String })
        #expect(try landed().count == 1)
    }

    @Test func aSecondRunWithNothingNewLandsNothing() async throws {
        try produce((0..<500).map { #"{"event_id":"e\#($0)","user_id":"u\#($0 % 9)"}"# })
        #expect(try await ingest().events == 500)
        #expect(try await ingest().events == 0)
        try produce((500..<600).map { #"{"event_id":"e\#($0)","user_id":"u\#($0 % 9)"}"# })
        #expect(try await ingest().events == 100)
        let ids = try landed().map { ($0["value"] as! [String: Any])["event_id"] as! String }
        #expect(Set(ids).count == 600 && ids.count == 600)
    }

    @Test func twoGroupsEachGetEverythingAndOneGroupSplitsPartitions() async throws {
        try produce((0..<300).map { #"{"event_id":"e\#($0)","user_id":"u\#($0 % 13)"}"# })
        let first = try await ingest(group: "analytics", only: [0])
        let second = try await ingest(group: "analytics", only: [1])
        #expect(first.partitions == [0] && second.partitions == [1])
        #expect(first.events + second.events == 300)
        #expect(try await ingest(group: "audit").events == 300)
        let offsets = try lake.catalog.streamOffsets(source: "embedded", stream: "plays")
        #expect(Set(offsets.map(\.consumerGroup)) == ["analytics", "audit"])
    }

    @Test func anAcknowledgingSourceHearsOnlyOfCommittedEvents() async throws {
        let source = AcknowledgeCheckingSource(catalog: lake.catalog)
        var options = StreamOptions(dataset: "acked", source: "fake")
        options.progress = false
        options.limits.maxAge = 0.05
        options.limits.maxRecords = 1_000_000
        let stop = StopFlag()
        // Batches arrive, then the source goes quiet, so files close by age while following; stop
        // once all of it is acknowledged (not after a fixed time, which a loaded machine overruns).
        Task {
            let deadline = Date().addingTimeInterval(30)
            while source.acknowledgedCount < 300 && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
            stop.stop()
        }
        let report = try await StreamIngestion(source: source, catalog: lake.catalog, options: options).run(stop: stop)
        #expect(report.events == 300)
        #expect(source.acknowledged == 300)
        #expect(source.violations.isEmpty, "acknowledged before commit: \(source.violations.prefix(3))")
    }
}

/// Serves three batches of 100 events with pauses between them, and checks, each time it is
/// told events are committed, that the catalog's committed offset already covers them.
final class AcknowledgeCheckingSource: StreamSource, @unchecked Sendable {
    let sourceID = "fake"
    let stream = "fake"
    let partitions = [0]
    let acknowledges = true
    let catalog: Catalog
    private let lock = NSLock()
    private var served = 0
    private var reads = 0
    private(set) var acknowledged = 0
    private(set) var violations: [String] = []

    init(catalog: Catalog) { self.catalog = catalog }

    var acknowledgedCount: Int { lock.withLock { acknowledged } }

    func read(partition: Int, max: Int) async throws -> [StreamEvent] {
        lock.withLock {
            reads += 1
            // Every fourth read has something; the others find the source idle.
            guard reads % 4 == 1, served < 300 else { return [] }
            let batch = (served..<(served + 100)).map {
                StreamEvent(partition: 0, offset: String($0), key: nil, value: Array(#"{"n":\#($0)}"#.utf8), arrival: 0)
            }
            served += 100
            return batch
        }
    }

    func committed(partition: Int, offsets: [String]) async throws {
        let high = try catalog.streamOffsets(source: "fake", stream: "fake").first.flatMap { Int($0.nextOffset) } ?? -1
        lock.withLock {
            // Like Redis, this source records the last landed id, so `high` itself is covered.
            for offset in offsets where Int(offset)! > high { violations.append(offset) }
            acknowledged += offsets.count
        }
    }

    func lag(partition: Int) -> Int64? { nil }
    func nextOffset(after event: StreamEvent) -> String { event.offset }
    func close() {}
}
