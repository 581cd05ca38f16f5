import Foundation
import LakeAWS
import LakeCatalog
import LakeCore
@testable import LakeIngest
import LakeTestSupport
import Testing

/// The Kinesis source against recorded answers: shard order across a split, the end of a
/// closed shard, expired iterators, throttling, pacing and KPL aggregates.
@Suite struct KinesisSourceTests {
    /// Answers each call from `answer`, recording the calls and when they came.
    final class Recorded: KinesisAPI, @unchecked Sendable {
        let lock = NSLock()
        var calls: [(action: String, body: JSONValue, at: Date)] = []
        let answer: @Sendable (String, JSONValue, Int) throws -> JSONValue

        init(_ answer: @escaping @Sendable (String, JSONValue, Int) throws -> JSONValue) { self.answer = answer }

        func send(_ action: String, _ body: JSONValue) async throws -> JSONValue {
            let n = lock.withLock { calls.append((action, body, Date())); return calls.filter { $0.action == action }.count }
            return try answer(action, body, n)
        }

        func all(_ action: String) -> [(action: String, body: JSONValue, at: Date)] { lock.withLock { calls.filter { $0.action == action } } }
    }

    static func json(_ text: String) -> JSONValue { try! JSONValue.parse(text) }

    static func record(_ sequence: String, _ data: [UInt8], key: String = "k") -> String {
        #"{"SequenceNumber":"\#(sequence)","PartitionKey":"\#(key)","Data":"\#(Data(data).base64EncodedString())","ApproximateArrivalTimestamp":1764000000.5}"#
    }

    static func records(_ list: [String], next: String?, behind: Int = 0) -> JSONValue {
        json(#"{"Records":[\#(list.joined(separator: ","))],"NextShardIterator":\#(next.map { "\"\($0)\"" } ?? "null"),"MillisBehindLatest":\#(behind)}"#)
    }

    static let split = json(#"""
        {"Shards":[
          {"ShardId":"shardId-000000000000","SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"99"}},
          {"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","SequenceNumberRange":{"StartingSequenceNumber":"100"}},
          {"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000","SequenceNumberRange":{"StartingSequenceNumber":"101"}}]}
        """#)

    static let oneShard = json(#"{"Shards":[{"ShardId":"shardId-000000000000","SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#)

    func source(_ api: Recorded, lake: TempLake) -> KinesisSource {
        KinesisSource(api: api, sourceID: "kinesis://us-east-1", stream: "plays", group: "lake", catalog: lake.catalog, start: .committed)
    }

    @Test func childrenWaitUntilTheirParentIsFinished() async throws {
        let lake = try TempLake()
        let api = Recorded { action, body, _ in
            switch action {
            case "ListShards": return Self.split
            case "GetShardIterator": return Self.json(#"{"ShardIterator":"it-\#(body["ShardId"]!.stringValue!)"}"#)
            default:
                let iterator = body["ShardIterator"]!.stringValue!
                if iterator == "it-shardId-000000000000" { return Self.records([Self.record("5", Array("parent".utf8))], next: nil) }
                return Self.records([Self.record("150", Array("child".utf8))], next: "more")
            }
        }
        let kinesis = source(api, lake: lake)
        try await kinesis.assign()
        defer { kinesis.close() }
        #expect(kinesis.partitions == [0, 1, 2])
        #expect(try await kinesis.read(partition: 1, max: 100).isEmpty)
        #expect(!kinesis.caughtUp(partition: 1))
        #expect(api.all("GetRecords").isEmpty)
        let parent = try await kinesis.read(partition: 0, max: 100)
        #expect(parent.map { String(decoding: $0.value, as: UTF8.self) } == ["parent"])
        #expect(kinesis.caughtUp(partition: 0))
        let child = try await kinesis.read(partition: 1, max: 100)
        #expect(child.map(\.offset) == ["150"])
    }

    @Test func aClosedShardWithChildrenEndsWhenItHasNothingMore() async throws {
        let lake = try TempLake()
        // moto never ends a closed shard's iterator: an empty answer at the tip ends it.
        let api = Recorded { action, _, _ in
            switch action {
            case "ListShards": return Self.split
            case "GetShardIterator": return Self.json(#"{"ShardIterator":"it"}"#)
            default: return Self.records([], next: "it")
            }
        }
        let kinesis = source(api, lake: lake)
        try await kinesis.assign()
        defer { kinesis.close() }
        _ = try await kinesis.read(partition: 0, max: 10)
        #expect(kinesis.caughtUp(partition: 0))
        _ = try await kinesis.read(partition: 2, max: 10)
        #expect(api.all("GetRecords").count == 2)
    }

    @Test func anExpiredIteratorResumesAfterTheLastRecordRead() async throws {
        let lake = try TempLake()
        let api = Recorded { action, _, n in
            switch action {
            case "ListShards": return Self.oneShard
            case "GetShardIterator": return Self.json(#"{"ShardIterator":"it\#(n)"}"#)
            default:
                if n == 1 { return Self.records([Self.record("10", [0x7B, 0x7D]), Self.record("11", [0x7B, 0x7D])], next: "it-next") }
                if n == 2 {
                    throw AWSError.service(service: "kinesis", action: "GetRecords", status: 400, code: "ExpiredIteratorException", message: "expired")
                }
                return Self.records([Self.record("12", [0x7B, 0x7D])], next: "it-after")
            }
        }
        let kinesis = source(api, lake: lake)
        try await kinesis.assign()
        defer { kinesis.close() }
        #expect(try await kinesis.read(partition: 0, max: 10).map(\.offset) == ["10", "11"])
        #expect(try await kinesis.read(partition: 0, max: 10).isEmpty)
        #expect(try await kinesis.read(partition: 0, max: 10).map(\.offset) == ["12"])
        let second = api.all("GetShardIterator")[1].body
        #expect(second["ShardIteratorType"]?.stringValue == "AFTER_SEQUENCE_NUMBER")
        #expect(second["StartingSequenceNumber"]?.stringValue == "11")
    }

    @Test func throttlingBacksOffAndReadsArePaced() async throws {
        let lake = try TempLake()
        let api = Recorded { action, _, n in
            switch action {
            case "ListShards": return Self.oneShard
            case "GetShardIterator": return Self.json(#"{"ShardIterator":"it"}"#)
            default:
                if n == 2 {
                    throw AWSError.service(service: "kinesis", action: "GetRecords", status: 400,
                                           code: "ProvisionedThroughputExceededException", message: "Rate exceeded for shard")
                }
                return Self.records([Self.record("\(n)", [0x7B, 0x7D])], next: "it")
            }
        }
        let kinesis = source(api, lake: lake)
        try await kinesis.assign()
        defer { kinesis.close() }
        for _ in 0..<3 { _ = try await kinesis.read(partition: 0, max: 10) }
        let at = api.all("GetRecords").map(\.at)
        // Five reads a second per shard at most; after a throttle, at least a backoff step more.
        #expect(at[1].timeIntervalSince(at[0]) >= KinesisSource.minimumInterval - 0.01)
        #expect(at[2].timeIntervalSince(at[1]) >= 0.45)
    }

    @Test func kplAggregatesLandAsUserRecordsAndResumeInsideTheAggregate() async throws {
        let lake = try TempLake()
        let users = (0..<4).map { KPLAggregate.UserRecord(partitionKey: "user-\($0 % 2)", data: Array(#"{"n":\#($0)}"#.utf8)) }
        let aggregate = KPLAggregate.aggregate(users)
        #expect(try KPLAggregate.deaggregate(aggregate) == users)
        var damaged = aggregate
        damaged[8] ^= 0xFF
        #expect(throws: KPLAggregate.Failure.self) { try KPLAggregate.deaggregate(damaged) }

        let api = Recorded { action, _, _ in
            switch action {
            case "ListShards": return Self.oneShard
            case "GetShardIterator": return Self.json(#"{"ShardIterator":"it"}"#)
            default: return Self.records([Self.record("77", aggregate)], next: "it")
            }
        }
        let first = source(api, lake: lake)
        try await first.assign()
        let events = try await first.read(partition: 0, max: 10)
        first.close()
        #expect(events.map(\.offset) == ["77:0", "77:1", "77:2", "77:3"])
        #expect(events.map { String(decoding: $0.key!, as: UTF8.self) } == ["user-0", "user-1", "user-0", "user-1"])

        // Resuming after sub-record 1: the aggregate is read again and its first two skipped.
        try lake.catalog.commit(files: [], offsets: [StreamOffsetRecord(
            source: "kinesis://us-east-1", stream: "plays", consumerGroup: "lake", partition: 0, nextOffset: "77:1",
            dataset: "plays", updatedAt: Timestamps.iso())])
        let again = source(api, lake: lake)
        try await again.assign()
        defer { again.close() }
        #expect(try await again.read(partition: 0, max: 10).map(\.offset) == ["77:2", "77:3"])
        let iterator = api.all("GetShardIterator").last!.body
        #expect(iterator["ShardIteratorType"]?.stringValue == "AT_SEQUENCE_NUMBER")
        #expect(iterator["StartingSequenceNumber"]?.stringValue == "77")
    }
}
