/// ListOffsets v2: a partition's earliest (-2) or latest (-1) offset, or the first at or after
/// a time (not answered by the mock cluster).
struct ListOffsetsRequest: KafkaRequest {
    static let apiKey: Int16 = 2, version: Int16 = 2, name = "ListOffsets"
    static let earliest: Int64 = -2, latest: Int64 = -1
    var topic: String
    var partitions: [(index: Int32, timestamp: Int64)]
    var readCommitted = true

    struct Partition { var index: Int32; var errorCode: Int16; var timestamp: Int64; var offset: Int64 }
    typealias Response = [Partition]

    func encode(_ w: inout KafkaWriter) {
        w.int32(-1)     // replica_id: a consumer
        w.int8(readCommitted ? 1 : 0)   // isolation_level: read_committed stops at the last stable offset
        w.array([topic]) { w, t in
            w.string(t)
            w.array(partitions) { w, p in w.int32(p.index); w.int64(p.timestamp) }
        }
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        return try r.array("topics") { r in
            _ = try r.string()
            return try r.array("partitions") { r in
                Partition(index: try r.int32(), errorCode: try r.int16(), timestamp: try r.int64(), offset: try r.int64())
            }
        }.flatMap { $0 }
    }
}
