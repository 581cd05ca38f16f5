/// The classic consumer group protocol: JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v1.
/// The leader (a lake consumer) assigns partitions with the range assignor; every member
/// encodes its subscription and reads its assignment in the consumer protocol's format.
struct JoinGroupRequest: KafkaRequest {
    static let apiKey: Int16 = 11, version: Int16 = 5, name = "JoinGroup"
    var group: String
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    var member: String
    var metadata: [UInt8]

    struct Member { var id: String; var metadata: [UInt8] }
    struct Response { var errorCode: Int16; var generation: Int32; var protocolName: String; var leader: String; var member: String; var members: [Member] }

    func encode(_ w: inout KafkaWriter) {
        w.string(group)
        w.int32(sessionTimeoutMs)
        w.int32(rebalanceTimeoutMs)
        w.string(member)
        w.nullableString(nil)       // group_instance_id: dynamic membership
        w.string("consumer")
        w.array([("range", metadata)]) { w, p in w.string(p.0); w.bytes(p.1) }
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        let code = try r.int16()
        let generation = try r.int32()
        let protocolName = try r.nullableString("protocol_name") ?? ""
        let leader = try r.string("leader")
        let member = try r.string("member_id")
        let members = try r.array("members") { r -> Member in
            let id = try r.string()
            _ = try r.nullableString("group_instance_id")
            return Member(id: id, metadata: try r.bytes())
        }
        return Response(errorCode: code, generation: generation, protocolName: protocolName, leader: leader, member: member, members: members)
    }
}

struct SyncGroupRequest: KafkaRequest {
    static let apiKey: Int16 = 14, version: Int16 = 3, name = "SyncGroup"
    var group: String
    var generation: Int32
    var member: String
    var assignments: [(member: String, assignment: [UInt8])]
    struct Response { var errorCode: Int16; var assignment: [UInt8] }

    func encode(_ w: inout KafkaWriter) {
        w.string(group)
        w.int32(generation)
        w.string(member)
        w.nullableString(nil)
        w.array(assignments) { w, a in w.string(a.member); w.bytes(a.assignment) }
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        return Response(errorCode: try r.int16(), assignment: try r.bytes("assignment"))
    }
}

struct HeartbeatRequest: KafkaRequest {
    static let apiKey: Int16 = 12, version: Int16 = 3, name = "Heartbeat"
    var group: String
    var generation: Int32
    var member: String
    typealias Response = Int16

    func encode(_ w: inout KafkaWriter) {
        w.string(group)
        w.int32(generation)
        w.string(member)
        w.nullableString(nil)
    }

    static func decode(_ r: inout KafkaReader) throws -> Int16 {
        _ = try r.int32("throttle_time_ms")
        return try r.int16()
    }
}

struct LeaveGroupRequest: KafkaRequest {
    static let apiKey: Int16 = 13, version: Int16 = 1, name = "LeaveGroup"
    var group: String
    var member: String
    typealias Response = Int16

    func encode(_ w: inout KafkaWriter) { w.string(group); w.string(member) }

    static func decode(_ r: inout KafkaReader) throws -> Int16 {
        _ = try r.int32("throttle_time_ms")
        return try r.int16()
    }
}

/// The consumer protocol's subscription and assignment (version 0), as every Kafka consumer
/// encodes them inside JoinGroup and SyncGroup.
enum ConsumerProtocol {
    static func subscription(topics: [String]) -> [UInt8] {
        var w = KafkaWriter()
        w.int16(0)
        w.array(topics) { $0.string($1) }
        w.nullableBytes(nil)
        return w.bytes
    }

    static func topics(inSubscription bytes: [UInt8]) throws -> [String] {
        var r = KafkaReader(bytes)
        _ = try r.int16("subscription version")
        return try r.array("subscription topics") { try $0.string() }
    }

    static func assignment(_ partitions: [String: [Int32]]) -> [UInt8] {
        var w = KafkaWriter()
        w.int16(0)
        w.array(partitions.sorted { $0.key < $1.key }) { w, tp in w.string(tp.key); w.array(tp.value) { $0.int32($1) } }
        w.nullableBytes(nil)
        return w.bytes
    }

    static func partitions(inAssignment bytes: [UInt8]) throws -> [String: [Int32]] {
        guard !bytes.isEmpty else { return [:] }
        var r = KafkaReader(bytes)
        _ = try r.int16("assignment version")
        var out: [String: [Int32]] = [:]
        for (topic, partitions) in try r.array("assignment topics", { r in (try r.string(), try r.array("partitions") { try $0.int32() }) }) {
            out[topic, default: []] += partitions
        }
        return out
    }

    /// The range assignor: each topic's partitions split into contiguous ranges over the
    /// members subscribed to it, in member-id order (the first members take one more).
    static func range(members: [(id: String, topics: [String])], partitions: [String: Int]) -> [String: [String: [Int32]]] {
        var out: [String: [String: [Int32]]] = [:]
        for member in members { out[member.id] = [:] }
        for (topic, count) in partitions.sorted(by: { $0.key < $1.key }) {
            let subscribed = members.filter { $0.topics.contains(topic) }.map(\.id).sorted()
            guard !subscribed.isEmpty else { continue }
            let per = count / subscribed.count, extra = count % subscribed.count
            var next = 0
            for (k, id) in subscribed.enumerated() {
                let n = per + (k < extra ? 1 : 0)
                out[id]![topic] = (next..<(next + n)).map { Int32($0) }
                next += n
            }
        }
        return out
    }
}
