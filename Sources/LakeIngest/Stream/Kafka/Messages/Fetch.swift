/// Fetch v11 (zstd needs v10+): record batches from an offset, for several partitions of one
/// topic at once. The record set is left in the response's bytes and decoded by `RecordBatch`.
struct FetchRequest: KafkaRequest {
    static let apiKey: Int16 = 1, version: Int16 = 11, name = "Fetch"
    var topic: String
    var partitions: [(index: Int32, offset: Int64, maxBytes: Int32)]
    var maxWaitMs: Int32 = 500
    var maxBytes: Int32 = 32 << 20
    var readCommitted = true

    struct Partition {
        var index: Int32
        var errorCode: Int16
        var highWatermark: Int64
        var lastStableOffset: Int64
        var logStartOffset: Int64
        var aborted: [(producerId: Int64, firstOffset: Int64)]
        /// Where the partition's record set sits in `bytes`.
        var records: Range<Int>?
    }

    struct Response { var errorCode: Int16; var bytes: [UInt8]; var partitions: [Partition] }

    func encode(_ w: inout KafkaWriter) {
        w.int32(-1)             // replica_id
        w.int32(maxWaitMs)
        w.int32(1)              // min_bytes
        w.int32(maxBytes)
        w.int8(readCommitted ? 1 : 0)   // isolation_level
        w.int32(0)              // session_id: no fetch session
        w.int32(-1)             // session_epoch: full fetch
        w.array([topic]) { w, t in
            w.string(t)
            w.array(partitions) { w, p in
                w.int32(p.index)
                w.int32(-1)     // current_leader_epoch: unknown
                w.int64(p.offset)
                w.int64(-1)     // log_start_offset: a consumer's is -1
                w.int32(p.maxBytes)
            }
        }
        w.int32(0)              // forgotten_topics_data
        w.string("")            // rack_id
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        let code = try r.int16("Fetch.error_code")
        _ = try r.int32("session_id")
        let partitions = try r.array("responses") { r in
            _ = try r.string("topic")
            return try r.array("partitions") { r -> Partition in
                let index = try r.int32("partition")
                let error = try r.int16("error_code")
                let high = try r.int64("high_watermark"), stable = try r.int64("last_stable_offset")
                let start = try r.int64("log_start_offset")
                var aborted: [(producerId: Int64, firstOffset: Int64)] = []
                let count = Int(try r.int32("aborted_transactions"))
                for _ in 0..<max(0, count) { aborted.append((try r.int64("producer_id"), try r.int64("first_offset"))) }
                _ = try r.int32("preferred_read_replica")
                let n = Int(try r.int32("records"))
                let records = n >= 0 ? try r.slice(n, "records") : nil
                return Partition(index: index, errorCode: error, highWatermark: high, lastStableOffset: stable,
                                 logStartOffset: start, aborted: aborted, records: records)
            }
        }.flatMap { $0 }
        return Response(errorCode: code, bytes: r.bytes, partitions: partitions)
    }
}
