import Foundation
import LakeCore

/// This process as a member of a Kafka consumer group (the classic protocol): it joins,
/// takes the partitions the leader assigns (the range assignor; a lake member leads when
/// the coordinator picks it), heartbeats, and notices a rebalance so the consumer can commit
/// what it holds and join the next generation. Kafka's group offsets are committed after
/// lake's own commits, so `kafka-consumer-groups` shows lake's lag.
actor KafkaGroupMember {
    let cluster: KafkaCluster
    let group: String
    let topic: String
    private var coordinator: MetadataRequest.Broker?
    private(set) var memberId = ""
    private(set) var generation: Int32 = -1
    private var assignedCount = 0
    private var heartbeat: Task<Void, Never>?
    /// Set when the coordinator starts a rebalance, or the topic gained partitions.
    private(set) var rebalanceNeeded = false

    init(cluster: KafkaCluster, group: String, topic: String) {
        self.cluster = cluster
        self.group = group
        self.topic = topic
    }

    private func coordinatorConnection() async throws -> KafkaConnection {
        if let coordinator { return try await cluster.connection(to: coordinator) }
        var attempt = 0
        while true {
            let answer = try await cluster.anyConnection().send(FindCoordinatorRequest(group: group))
            if answer.errorCode == 0 {
                coordinator = answer.broker
                return try await cluster.connection(to: answer.broker)
            }
            guard KafkaErrorCode.isRetriable(answer.errorCode), attempt < 20 else {
                throw KafkaError.broker(api: "FindCoordinator", code: answer.errorCode, detail: answer.message ?? "group \(group)")
            }
            attempt += 1
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }

    /// Calls the coordinator, finding it again when it moved or its connection dropped.
    private func withCoordinator<T>(_ body: (KafkaConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body(try await coordinatorConnection())
            } catch let error as KafkaError {
                switch error {
                case .closed, .connect, .timeout:
                    if let node = coordinator?.nodeId { await cluster.drop(node: node) }
                    coordinator = nil
                    attempt += 1
                    if attempt > 40 { throw error }
                    try await Task.sleep(nanoseconds: UInt64(min(2.0, 0.1 * Double(attempt)) * 1e9))
                default:
                    throw error
                }
            }
        }
    }

    /// Joins (or rejoins) the group; returns this member's partitions of the topic.
    func join() async throws -> [Int32] {
        heartbeat?.cancel()
        rebalanceNeeded = false
        let settings = cluster.settings
        var attempt = 0
        while true {
            attempt += 1
            let request = JoinGroupRequest(group: group, sessionTimeoutMs: Int32(settings.sessionTimeoutMs),
                                           rebalanceTimeoutMs: Int32(settings.rebalanceTimeoutMs), member: memberId,
                                           metadata: ConsumerProtocol.subscription(topics: [topic]))
            let joined = try await withCoordinator {
                try await $0.send(request, timeout: Double(settings.rebalanceTimeoutMs) / 1000 + 10)
            }
            switch joined.errorCode {
            case KafkaErrorCode.none: break
            case KafkaErrorCode.memberIdRequired:
                memberId = joined.member
                continue
            case KafkaErrorCode.unknownMemberId, KafkaErrorCode.illegalGeneration:
                memberId = ""
                continue
            case KafkaErrorCode.notCoordinator, KafkaErrorCode.coordinatorNotAvailable, KafkaErrorCode.coordinatorLoadInProgress,
                 KafkaErrorCode.rebalanceInProgress:
                coordinator = nil
                guard attempt < 60 else { throw KafkaError.broker(api: "JoinGroup", code: joined.errorCode, detail: "group \(group)") }
                try await Task.sleep(nanoseconds: 200_000_000)
                continue
            default:
                throw KafkaError.broker(api: "JoinGroup", code: joined.errorCode, detail: "group \(group)")
            }
            memberId = joined.member
            generation = joined.generation
            var assignments: [(member: String, assignment: [UInt8])] = []
            if joined.leader == joined.member {
                let members = try joined.members.map { (id: $0.id, topics: try ConsumerProtocol.topics(inSubscription: $0.metadata)) }
                var counts: [String: Int] = [:]
                for topic in Set(members.flatMap(\.topics)) { counts[topic] = try await cluster.refresh(topic: topic).count }
                let plan = ConsumerProtocol.range(members: members, partitions: counts)
                assignments = plan.sorted { $0.key < $1.key }.map { ($0.key, ConsumerProtocol.assignment($0.value)) }
            }
            let synced = try await withCoordinator {
                try await $0.send(SyncGroupRequest(group: group, generation: generation, member: memberId, assignments: assignments))
            }
            switch synced.errorCode {
            case KafkaErrorCode.none: break
            case KafkaErrorCode.rebalanceInProgress, KafkaErrorCode.illegalGeneration, KafkaErrorCode.unknownMemberId,
                 KafkaErrorCode.notCoordinator, KafkaErrorCode.coordinatorNotAvailable,
                 // librdkafka's mock answers a SyncGroup that arrives after the group settled with INVALID_REQUEST.
                 KafkaErrorCode.invalidRequest:
                if synced.errorCode == KafkaErrorCode.unknownMemberId { memberId = "" }
                guard attempt < 60 else { throw KafkaError.broker(api: "SyncGroup", code: synced.errorCode, detail: "group \(group)") }
                continue
            default:
                throw KafkaError.broker(api: "SyncGroup", code: synced.errorCode, detail: "group \(group)")
            }
            let mine = try ConsumerProtocol.partitions(inAssignment: synced.assignment)[topic, default: []].sorted()
            assignedCount = try await cluster.partitionCount(topic)
            startHeartbeat()
            return mine
        }
    }

    private func startHeartbeat() {
        let interval = UInt64(cluster.settings.heartbeatIntervalMs) * 1_000_000
        heartbeat = Task { [weak self] in
            var beats = 0
            while !Task.isCancelled, let self {
                try? await Task.sleep(nanoseconds: interval)
                guard !Task.isCancelled else { return }
                beats += 1
                await self.beat(checkPartitions: beats % 10 == 0)
            }
        }
    }

    private func beat(checkPartitions: Bool) async {
        guard !rebalanceNeeded else { return }
        let request = HeartbeatRequest(group: group, generation: generation, member: memberId)
        do {
            let code = try await withCoordinator { try await $0.send(request, timeout: 10) }
            if [KafkaErrorCode.rebalanceInProgress, KafkaErrorCode.illegalGeneration, KafkaErrorCode.unknownMemberId].contains(code) {
                if code == KafkaErrorCode.unknownMemberId { memberId = "" }
                rebalanceNeeded = true
            } else if code == KafkaErrorCode.notCoordinator || code == KafkaErrorCode.coordinatorNotAvailable {
                coordinator = nil
            }
            // Partitions added to the topic: a new generation spreads them (as Kafka's consumers do).
            if checkPartitions, let count = try? await cluster.refresh(topic: topic).count, count != assignedCount {
                Progress.shared.note("\(topic) now has \(count) partitions (was \(assignedCount)): rejoining group \(group)")
                rebalanceNeeded = true
            }
        } catch {
            // The coordinator is away; the next beat tries again, and the session timeout decides.
        }
    }

    /// Commits the group's next offsets to Kafka (lake's catalog stays the truth).
    func commit(_ offsets: [Int32: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let request = OffsetCommitRequest(group: group, generation: generation, member: memberId, topic: topic,
                                          offsets: offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let answers = try await withCoordinator { try await $0.send(request, timeout: 10) }
        if let failed = answers.first(where: { $0.errorCode != 0 }) {
            throw KafkaError.broker(api: "OffsetCommit", code: failed.errorCode, detail: "group \(group), partition \(failed.partition)")
        }
    }

    /// The offsets the group committed to Kafka (used where lake's catalog has none).
    func committedOffsets(_ partitions: [Int32]) async throws -> [Int32: Int64] {
        let answer = try await withCoordinator { try await $0.send(OffsetFetchRequest(group: group, topic: topic, partitions: partitions)) }
        return answer.offsets.filter { $0.value >= 0 }
    }

    func leave() async {
        heartbeat?.cancel()
        heartbeat = nil
        guard !memberId.isEmpty else { return }
        _ = try? await withCoordinator { try await $0.send(LeaveGroupRequest(group: group, member: memberId), timeout: 5) }
        memberId = ""
    }
}
