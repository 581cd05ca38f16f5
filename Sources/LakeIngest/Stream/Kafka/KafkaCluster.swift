import Foundation
import LakeCore

/// The brokers of one cluster as lake sees them: connections by node id, and the leader of
/// every partition of the topics it reads, refreshed from Metadata when a broker says it no
/// longer leads or a connection drops.
actor KafkaCluster {
    let settings: KafkaSettings
    private var connections: [Int32: KafkaConnection] = [:]
    private var bootstrapConnection: KafkaConnection?
    private(set) var brokers: [Int32: MetadataRequest.Broker] = [:]
    private var leaders: [String: [Int32: Int32]] = [:]
    private(set) var clusterId: String?

    init(settings: KafkaSettings) { self.settings = settings }

    nonisolated var bootstrapList: String { settings.bootstrap.map { "\($0.host):\($0.port)" }.joined(separator: ",") }

    /// Any live connection: a known broker, else a bootstrap address.
    func anyConnection() async throws -> KafkaConnection {
        if let live = bootstrapConnection, live.isOpen { return live }
        var lastError: Error?
        let known = brokers.values.sorted { $0.nodeId < $1.nodeId }.map { (host: $0.host, port: Int($0.port)) }
        for address in settings.bootstrap + known {
            do {
                let connection = try await KafkaConnection.connect(host: address.host, port: address.port, settings: settings)
                bootstrapConnection = connection
                return connection
            } catch let error as KafkaError {
                if case .authentication = error { throw error }
                if case .unsupported = error { throw error }
                lastError = error
            }
        }
        throw lastError ?? KafkaError.connect(broker: bootstrapList, reason: "no broker to try")
    }

    /// Partition count and leaders of `topic`, fresh from the cluster.
    @discardableResult
    func refresh(topic: String) async throws -> [Int32: Int32] {
        let connection = try await anyConnection()
        let answer: MetadataRequest.Response
        do { answer = try await connection.send(MetadataRequest(topics: [topic])) } catch {
            connection.close()
            bootstrapConnection = nil
            throw error
        }
        for broker in answer.brokers {
            if let old = brokers[broker.nodeId], old != broker { connections.removeValue(forKey: broker.nodeId)?.close() }
            brokers[broker.nodeId] = broker
        }
        if let id = answer.clusterId { clusterId = id }
        guard let found = answer.topics.first(where: { $0.name == topic }) else { throw KafkaError.noSuchTopic(topic, brokers: bootstrapList) }
        switch found.errorCode {
        case KafkaErrorCode.none: break
        case KafkaErrorCode.unknownTopicOrPartition: throw KafkaError.noSuchTopic(topic, brokers: bootstrapList)
        case KafkaErrorCode.topicAuthorizationFailed:
            throw KafkaError.broker(api: "Metadata", code: found.errorCode, detail: "this user may not read topic '\(topic)'")
        case KafkaErrorCode.leaderNotAvailable where found.partitions.isEmpty:
            throw KafkaError.broker(api: "Metadata", code: found.errorCode, detail: "topic '\(topic)' has no leaders yet")
        default: break
        }
        var map: [Int32: Int32] = [:]
        for partition in found.partitions { map[partition.index] = partition.errorCode == 0 || partition.leader >= 0 ? partition.leader : -1 }
        leaders[topic] = map
        return map
    }

    func partitionCount(_ topic: String) async throws -> Int {
        if let known = leaders[topic] { return known.count }
        return try await refresh(topic: topic).count
    }

    func leader(_ topic: String, _ partition: Int32) -> Int32? {
        guard let id = leaders[topic]?[partition], id >= 0, brokers[id] != nil else { return nil }
        return id
    }

    func connection(node: Int32) async throws -> KafkaConnection {
        if let live = connections[node], live.isOpen { return live }
        guard let broker = brokers[node] else { throw KafkaError.connect(broker: "node \(node)", reason: "not in the cluster's metadata") }
        let connection = try await KafkaConnection.connect(host: broker.host, port: Int(broker.port), settings: settings)
        if let raced = connections[node], raced.isOpen { connection.close(); return raced }
        connections[node] = connection
        return connection
    }

    /// A connection to a broker named outside the metadata (a group coordinator).
    func connection(to broker: MetadataRequest.Broker) async throws -> KafkaConnection {
        if brokers[broker.nodeId] == nil || brokers[broker.nodeId] != broker { brokers[broker.nodeId] = broker }
        return try await connection(node: broker.nodeId)
    }

    /// Each partition's offset at `timestamp` (ListOffsetsRequest.earliest or .latest, or ms
    /// since 1970: the first offset at or after it, -1 where there is none), from its leader.
    func offsets(topic: String, partitions: [Int32], at timestamp: Int64) async throws -> [Int32: Int64] {
        var out: [Int32: Int64] = [:]
        var remaining = partitions
        var attempt = 0
        while !remaining.isEmpty {
            attempt += 1
            if attempt > 1 {
                try await Task.sleep(nanoseconds: UInt64(min(1.0, 0.1 * Double(attempt)) * 1e9))
                try await refresh(topic: topic)
            } else if leaders[topic] == nil {
                try await refresh(topic: topic)
            }
            var byLeader: [Int32: [Int32]] = [:]
            for partition in remaining {
                guard let leader = leader(topic, partition) else { continue }
                byLeader[leader, default: []].append(partition)
            }
            var retry: [Int32] = remaining.filter { leader(topic, $0) == nil }
            var lastError: Error?
            for (node, parts) in byLeader {
                do {
                    let answer = try await connection(node: node).send(
                        ListOffsetsRequest(topic: topic, partitions: parts.map { ($0, timestamp) }, readCommitted: settings.readCommitted))
                    for part in answer {
                        if part.errorCode == 0 {
                            out[part.index] = part.offset
                        } else if KafkaErrorCode.isRetriable(part.errorCode) {
                            retry.append(part.index)
                            lastError = KafkaError.broker(api: "ListOffsets", code: part.errorCode, detail: "\(topic)/\(part.index)")
                        } else {
                            throw KafkaError.broker(api: "ListOffsets", code: part.errorCode, detail: "\(topic)/\(part.index)")
                        }
                    }
                } catch let error as KafkaError {
                    switch error {
                    case .closed, .connect, .timeout: drop(node: node); retry += parts; lastError = error
                    default: throw error
                    }
                }
            }
            remaining = retry
            if attempt >= 30, !remaining.isEmpty {
                throw lastError ?? KafkaError.broker(api: "ListOffsets", code: KafkaErrorCode.leaderNotAvailable, detail: "\(topic): no leader for partitions \(remaining)")
            }
        }
        return out
    }

    /// Forgets a connection that failed, so the next use reconnects.
    func drop(node: Int32) {
        connections.removeValue(forKey: node)?.close()
    }

    func close() {
        for connection in connections.values { connection.close() }
        connections.removeAll()
        bootstrapConnection?.close()
        bootstrapConnection = nil
    }
}
