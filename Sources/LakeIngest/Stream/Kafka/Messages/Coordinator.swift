/// FindCoordinator v2: which broker keeps a consumer group's offsets and membership.
struct FindCoordinatorRequest: KafkaRequest {
    static let apiKey: Int16 = 10, version: Int16 = 2, name = "FindCoordinator"
    var group: String
    struct Response { var errorCode: Int16; var message: String?; var broker: MetadataRequest.Broker }

    func encode(_ w: inout KafkaWriter) {
        w.string(group)
        w.int8(0)       // key_type: group
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        let code = try r.int16()
        let message = try r.nullableString("error_message")
        let broker = MetadataRequest.Broker(nodeId: try r.int32(), host: try r.string("host"), port: try r.int32())
        return Response(errorCode: code, message: message, broker: broker)
    }
}

/// OffsetCommit v5: the group's next offsets, so Kafka's own tools show lake's lag.
struct OffsetCommitRequest: KafkaRequest {
    static let apiKey: Int16 = 8, version: Int16 = 5, name = "OffsetCommit"
    var group: String
    var generation: Int32
    var member: String
    var topic: String
    var offsets: [(partition: Int32, offset: Int64)]
    typealias Response = [(partition: Int32, errorCode: Int16)]

    func encode(_ w: inout KafkaWriter) {
        w.string(group)
        w.int32(generation)
        w.string(member)
        w.array([topic]) { w, t in
            w.string(t)
            w.array(offsets) { w, o in w.int32(o.partition); w.int64(o.offset); w.nullableString("lake") }
        }
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        return try r.array("topics") { r in
            _ = try r.string()
            return try r.array("partitions") { r in (try r.int32(), try r.int16()) }
        }.flatMap { $0 }
    }
}

/// OffsetFetch v3: the group's committed offsets (-1: none).
struct OffsetFetchRequest: KafkaRequest {
    static let apiKey: Int16 = 9, version: Int16 = 3, name = "OffsetFetch"
    var group: String
    var topic: String
    var partitions: [Int32]
    struct Response { var errorCode: Int16; var offsets: [Int32: Int64] }

    func encode(_ w: inout KafkaWriter) {
        w.string(group)
        w.array([topic]) { w, t in w.string(t); w.array(partitions) { $0.int32($1) } }
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        var offsets: [Int32: Int64] = [:]
        for topic in try r.array("topics", { r in
            _ = try r.string()
            return try r.array("partitions") { r -> (Int32, Int64, Int16) in
                let p = try r.int32(), o = try r.int64()
                _ = try r.nullableString("metadata")
                return (p, o, try r.int16())
            }
        }) {
            for (p, o, code) in topic where code == 0 { offsets[p] = o }
        }
        return Response(errorCode: try r.int16("OffsetFetch.error_code"), offsets: offsets)
    }
}
