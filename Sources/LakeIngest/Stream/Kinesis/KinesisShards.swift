import Foundation
import LakeAWS
import LakeCore

/// One shard as `ListShards` describes it.
struct KinesisShard: Sendable, Equatable {
    var id: String
    var parents: [String]
    /// Set once the shard is closed (split or merged); open shards have none.
    var endingSequence: String?

    /// `shardId-000000000007` → 7: the partition number lake records offsets under.
    var number: Int { Int(id.split(separator: "-").last ?? "") ?? abs(id.hashValue % 1_000_000) }

    init(id: String, parents: [String] = [], endingSequence: String? = nil) {
        self.id = id
        self.parents = parents
        self.endingSequence = endingSequence
    }

    init?(_ json: JSONValue) {
        guard let id = json["ShardId"]?.stringValue else { return nil }
        self.id = id
        parents = [json["ParentShardId"]?.stringValue, json["AdjacentParentShardId"]?.stringValue].compactMap { $0 }
        endingSequence = json["SequenceNumberRange"]?["EndingSequenceNumber"]?.stringValue
    }
}

/// Sequence numbers are decimal strings up to 128 bits: compared as big integers.
enum SequenceNumber {
    static func compare(_ a: String, _ b: String) -> Int {
        let x = a.drop { $0 == "0" }, y = b.drop { $0 == "0" }
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    /// A landed offset: `seq`, or `seq:sub` inside a KPL aggregate.
    static func split(_ offset: String) -> (sequence: String, sub: Int?) {
        let parts = offset.split(separator: ":", maxSplits: 1)
        return (String(parts.first ?? ""), parts.count > 1 ? Int(parts[1]) : nil)
    }
}

/// The Kinesis calls the source needs, so tests can answer them from recordings.
protocol KinesisAPI: Sendable {
    func send(_ action: String, _ body: JSONValue) async throws -> JSONValue
}

extension AWSJSONClient: KinesisAPI {
    func send(_ action: String, _ body: JSONValue) async throws -> JSONValue { try await call(action, body) }
}

extension KinesisAPI {
    /// Every shard of the stream, following `NextToken`.
    func listShards(stream: String) async throws -> [KinesisShard] {
        var shards: [KinesisShard] = []
        var token: String?
        repeat {
            let body: JSONValue = token.map { .object([("NextToken", .string($0))]) }
                ?? .object([("StreamName", .string(stream)), ("MaxResults", .int(1000))])
            let answer = try await send("ListShards", body)
            shards += (answer["Shards"]?.arrayValue ?? []).compactMap(KinesisShard.init)
            token = answer["NextToken"]?.stringValue
        } while token != nil
        return shards
    }
}

/// Which shards may be read now: a child only once every parent it has among the listed
/// shards is finished, so a key's records stay in order across a split or merge.
enum ShardOrder {
    static func readable(_ shard: KinesisShard, listed: [String: KinesisShard], finished: Set<String>) -> Bool {
        shard.parents.allSatisfy { listed[$0] == nil || finished.contains($0) }
    }

    /// Shards with children among `listed`.
    static func hasChildren(_ id: String, listed: [String: KinesisShard]) -> Bool {
        listed.values.contains { $0.parents.contains(id) }
    }
}
