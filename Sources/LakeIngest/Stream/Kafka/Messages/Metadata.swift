/// Metadata v7: brokers, and per topic its partitions' leaders.
struct MetadataRequest: KafkaRequest {
    static let apiKey: Int16 = 3, version: Int16 = 7, name = "Metadata"
    var topics: [String]?

    struct Broker: Sendable, Equatable { var nodeId: Int32; var host: String; var port: Int32 }
    struct Partition: Sendable { var errorCode: Int16; var index: Int32; var leader: Int32; var leaderEpoch: Int32 }
    struct Topic: Sendable { var errorCode: Int16; var name: String; var partitions: [Partition] }
    struct Response: Sendable { var brokers: [Broker]; var clusterId: String?; var controller: Int32; var topics: [Topic] }

    func encode(_ w: inout KafkaWriter) {
        if let topics { w.array(topics) { $0.string($1) } } else { w.int32(-1) }
        w.bool(false)   // allow_auto_topic_creation: lake reads topics, it does not make them
    }

    static func decode(_ r: inout KafkaReader) throws -> Response {
        _ = try r.int32("throttle_time_ms")
        let brokers = try r.array("brokers") { r in
            let b = Broker(nodeId: try r.int32(), host: try r.string("host"), port: try r.int32())
            _ = try r.nullableString("rack")
            return b
        }
        let clusterId = try r.nullableString("cluster_id")
        let controller = try r.int32("controller_id")
        let topics = try r.array("topics") { r -> Topic in
            let code = try r.int16()
            let name = try r.string("topic name")
            _ = try r.bool("is_internal")
            let partitions = try r.array("partitions") { r -> Partition in
                let p = Partition(errorCode: try r.int16(), index: try r.int32(), leader: try r.int32(), leaderEpoch: try r.int32())
                for what in ["replica_nodes", "isr_nodes", "offline_replicas"] { _ = try r.array(what) { try $0.int32() } }
                return p
            }
            return Topic(errorCode: code, name: name, partitions: partitions)
        }
        return Response(brokers: brokers, clusterId: clusterId, controller: controller, topics: topics)
    }
}
