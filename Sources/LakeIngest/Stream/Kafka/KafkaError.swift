import LakeCore

/// What went wrong talking to Kafka, in words that say what to check.
public enum KafkaError: LakeError {
    case malformed(String)
    case connect(broker: String, reason: String)
    case closed(broker: String)
    case timeout(broker: String, api: String, seconds: Double)
    case broker(api: String, code: Int16, detail: String)
    case noSuchTopic(String, brokers: String)
    case unsupported(String)
    case config(file: String, problem: String)
    case authentication(broker: String, mechanism: String, user: String, detail: String)
    case corruptBatch(topic: String, partition: Int32, offset: Int64, reason: String)

    public var stage: String { "Kafka" }

    public var message: String {
        switch self {
        case let .malformed(what): return "a Kafka answer could not be read (\(what)) — is that port a Kafka broker?"
        case let .connect(broker, reason):
            if reason.contains("CERTIFICATE_VERIFY_FAILED") || reason.contains("handshakeFailed") {
                return "TLS with Kafka broker \(broker) failed (\(reason)) — the broker's certificate must be signed by the CA in "
                    + "ssl.ca.location and name the host you connect to (ssl.endpoint.identification.algorithm=none skips the name); "
                    + "a broker that asks for a client certificate needs ssl.certificate.location and ssl.key.location"
            }
            return "cannot connect to Kafka broker \(broker) (\(reason)) — check the address in kafka://HOST:PORT and that the broker is up"
        case let .closed(broker): return "Kafka broker \(broker) closed the connection"
        case let .timeout(broker, api, seconds): return "Kafka broker \(broker) did not answer \(api) within \(Int(seconds)) s"
        case let .broker(api, code, detail):
            return "\(api) failed: \(KafkaErrorCode.name(code)) (\(code))\(detail.isEmpty ? "" : ": \(detail)")"
        case let .noSuchTopic(topic, brokers): return "the Kafka cluster at \(brokers) has no topic '\(topic)' — check its name (lake does not create topics)"
        case let .unsupported(what): return what
        case let .config(file, problem): return "\(file): \(problem)"
        case let .authentication(broker, mechanism, user, detail):
            return "Kafka broker \(broker) refused \(mechanism) authentication of user '\(user)' (\(detail)) — check sasl.username, "
                + "sasl.mechanism and the environment variable sasl.password names"
        case let .corruptBatch(topic, partition, offset, reason):
            return "\(topic)/\(partition) at offset \(offset): a record batch is corrupt (\(reason))"
        }
    }
}

/// The protocol's error codes lake acts on, by name.
enum KafkaErrorCode {
    static let none: Int16 = 0
    static let offsetOutOfRange: Int16 = 1
    static let corruptMessage: Int16 = 2
    static let unknownTopicOrPartition: Int16 = 3
    static let leaderNotAvailable: Int16 = 5
    static let notLeaderOrFollower: Int16 = 6
    static let requestTimedOut: Int16 = 7
    static let networkException: Int16 = 13
    static let coordinatorLoadInProgress: Int16 = 14
    static let coordinatorNotAvailable: Int16 = 15
    static let notCoordinator: Int16 = 16
    static let illegalGeneration: Int16 = 22
    static let unknownMemberId: Int16 = 25
    static let rebalanceInProgress: Int16 = 27
    static let topicAuthorizationFailed: Int16 = 29
    static let groupAuthorizationFailed: Int16 = 30
    static let unsupportedSaslMechanism: Int16 = 33
    static let illegalSaslState: Int16 = 34
    static let unsupportedVersion: Int16 = 35
    static let invalidRequest: Int16 = 42
    static let saslAuthenticationFailed: Int16 = 58
    static let fencedLeaderEpoch: Int16 = 74
    static let unknownLeaderEpoch: Int16 = 75
    static let unsupportedCompressionType: Int16 = 76
    static let offsetNotAvailable: Int16 = 78
    static let memberIdRequired: Int16 = 79

    static let names: [Int16: String] = [
        1: "OFFSET_OUT_OF_RANGE", 2: "CORRUPT_MESSAGE", 3: "UNKNOWN_TOPIC_OR_PARTITION", 5: "LEADER_NOT_AVAILABLE",
        6: "NOT_LEADER_OR_FOLLOWER", 7: "REQUEST_TIMED_OUT", 13: "NETWORK_EXCEPTION", 14: "COORDINATOR_LOAD_IN_PROGRESS",
        15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR", 22: "ILLEGAL_GENERATION", 25: "UNKNOWN_MEMBER_ID",
        27: "REBALANCE_IN_PROGRESS", 29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED",
        33: "UNSUPPORTED_SASL_MECHANISM", 34: "ILLEGAL_SASL_STATE", 35: "UNSUPPORTED_VERSION", 42: "INVALID_REQUEST", 58: "SASL_AUTHENTICATION_FAILED",
        74: "FENCED_LEADER_EPOCH", 75: "UNKNOWN_LEADER_EPOCH", 76: "UNSUPPORTED_COMPRESSION_TYPE", 78: "OFFSET_NOT_AVAILABLE",
        79: "MEMBER_ID_REQUIRED",
    ]

    static func name(_ code: Int16) -> String { names[code] ?? "error" }

    /// Errors after which a metadata refresh and a retry are the cure.
    static func isRetriable(_ code: Int16) -> Bool {
        [leaderNotAvailable, notLeaderOrFollower, requestTimedOut, networkException, fencedLeaderEpoch, unknownLeaderEpoch,
         coordinatorLoadInProgress, coordinatorNotAvailable, notCoordinator, unknownTopicOrPartition, offsetNotAvailable].contains(code)
    }
}
