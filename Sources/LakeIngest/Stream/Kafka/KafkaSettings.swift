import Foundation
import LakeCore
import NIOSSL

/// How lake talks to a cluster: from `kafka://HOST:PORT,…` and an optional `--kafka-config`
/// file in librdkafka's property names (`key=value` lines, `#` comments). Secrets are never
/// written in the file: `sasl.password=${KAFKA_PASSWORD}` names the environment variable
/// that holds one.
public struct KafkaSettings: Sendable {
    public struct SASL: Sendable {
        public enum Mechanism: String, Sendable { case plain = "PLAIN", scramSHA256 = "SCRAM-SHA-256", scramSHA512 = "SCRAM-SHA-512" }
        public var mechanism: Mechanism
        public var username: String
        /// Read from the environment; never printed.
        var password: String
    }

    public var bootstrap: [(host: String, port: Int)]
    public var clientId = "lake"
    public var tls = false
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    var keyPassword: String?
    public var verifyHostname = true
    public var sasl: SASL?
    public var sessionTimeoutMs = 10_000
    public var heartbeatIntervalMs = 3_000
    public var rebalanceTimeoutMs = 30_000
    public var fetchWaitMaxMs = 100
    public var fetchMaxBytes = 32 << 20
    public var partitionFetchMaxBytes = 4 << 20
    public var connectTimeoutMs = 10_000
    public var readCommitted = true
    /// How long a partition may fail to fetch (broker down, no leader) before the run gives up.
    public var retryBudgetSeconds = 300.0

    static let known: Set<String> = [
        "bootstrap.servers", "client.id", "security.protocol", "sasl.mechanism", "sasl.mechanisms", "sasl.username",
        "sasl.password", "ssl.ca.location", "ssl.certificate.location", "ssl.key.location", "ssl.key.password",
        "ssl.endpoint.identification.algorithm", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "fetch.wait.max.ms", "fetch.max.bytes", "max.partition.fetch.bytes", "socket.connection.setup.timeout.ms",
        "isolation.level", "lake.retry.budget.s",
    ]
    static let secrets: Set<String> = ["sasl.password", "ssl.key.password"]

    /// Parses `kafka://HOST:PORT[,HOST:PORT…]` (a trailing `/TOPIC` is not allowed: the topic is an argument).
    public static func parse(url: String, configFile: String?,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KafkaSettings {
        guard url.hasPrefix("kafka://") else { throw KafkaError.config(file: url, problem: "not kafka://HOST:PORT[,HOST:PORT…]") }
        var settings = KafkaSettings(bootstrap: try brokers(String(url.dropFirst("kafka://".count)), what: url))
        if let configFile { try settings.apply(file: configFile, environment: environment) }
        return settings
    }

    static func brokers(_ list: String, what: String) throws -> [(host: String, port: Int)] {
        let trimmed = list.hasSuffix("/") ? String(list.dropLast()) : list
        var out: [(host: String, port: Int)] = []
        for item in trimmed.split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            let text = item.trimmingCharacters(in: .whitespaces)
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port),
                  colon > text.startIndex, !text.contains("/") else {
                throw KafkaError.config(file: what, problem: "'\(text)' is not HOST:PORT")
            }
            out.append((String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port))
        }
        guard !out.isEmpty else { throw KafkaError.config(file: what, problem: "no brokers given (kafka://HOST:PORT[,HOST:PORT…])") }
        return out
    }

    mutating func apply(file: String, environment: [String: String]) throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw KafkaError.config(file: file, problem: "cannot read the file")
        }
        var values: [String: String] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw KafkaError.config(file: "\(file):\(n + 1)", problem: "expected key=value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard Self.known.contains(key) else {
                throw KafkaError.config(file: "\(file):\(n + 1)", problem: "lake does not know '\(key)'; it reads \(Self.known.sorted().joined(separator: ", "))")
            }
            if value.hasPrefix("${"), value.hasSuffix("}") {
                let name = String(value.dropFirst(2).dropLast())
                guard let from = environment[name], !from.isEmpty else {
                    throw KafkaError.config(file: "\(file):\(n + 1)", problem: "\(key) names the environment variable \(name), which is not set")
                }
                value = from
            } else if Self.secrets.contains(key) {
                throw KafkaError.config(file: "\(file):\(n + 1)", problem: "\(key) must not be written in the file: put it in an environment variable and write \(key)=${VARIABLE}")
            }
            values[key] = value
        }
        func int(_ key: String) throws -> Int? {
            guard let text = values[key] else { return nil }
            guard let v = Int(text), v >= 0 else { throw KafkaError.config(file: file, problem: "\(key) must be a whole number, not '\(text)'") }
            return v
        }
        if let list = values["bootstrap.servers"] { bootstrap = try Self.brokers(list, what: "\(file): bootstrap.servers") }
        if let id = values["client.id"] { clientId = id }
        let proto = values["security.protocol"]?.lowercased() ?? "plaintext"
        guard ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"].contains(proto) else {
            throw KafkaError.config(file: file, problem: "security.protocol is plaintext, ssl, sasl_plaintext or sasl_ssl, not '\(proto)'")
        }
        tls = proto.hasSuffix("ssl")
        caFile = values["ssl.ca.location"]
        certificateFile = values["ssl.certificate.location"]
        keyFile = values["ssl.key.location"]
        keyPassword = values["ssl.key.password"]
        if (certificateFile == nil) != (keyFile == nil) {
            throw KafkaError.config(file: file, problem: "a client certificate needs both ssl.certificate.location and ssl.key.location")
        }
        if let algorithm = values["ssl.endpoint.identification.algorithm"]?.lowercased() {
            guard algorithm == "https" || algorithm == "none" else {
                throw KafkaError.config(file: file, problem: "ssl.endpoint.identification.algorithm is https or none")
            }
            verifyHostname = algorithm == "https"
        }
        if proto.hasPrefix("sasl") {
            let name = (values["sasl.mechanism"] ?? values["sasl.mechanisms"] ?? "PLAIN").uppercased()
            guard let mechanism = SASL.Mechanism(rawValue: name) else {
                throw KafkaError.config(file: file, problem: "sasl.mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not '\(name)'")
            }
            guard let user = values["sasl.username"], let password = values["sasl.password"] else {
                throw KafkaError.config(file: file, problem: "\(proto) needs sasl.username and sasl.password=${VARIABLE}")
            }
            sasl = SASL(mechanism: mechanism, username: user, password: password)
        }
        sessionTimeoutMs = try int("session.timeout.ms") ?? sessionTimeoutMs
        heartbeatIntervalMs = try int("heartbeat.interval.ms") ?? max(500, sessionTimeoutMs / 3)
        rebalanceTimeoutMs = try int("max.poll.interval.ms") ?? rebalanceTimeoutMs
        fetchWaitMaxMs = try int("fetch.wait.max.ms") ?? fetchWaitMaxMs
        fetchMaxBytes = try int("fetch.max.bytes") ?? fetchMaxBytes
        partitionFetchMaxBytes = try int("max.partition.fetch.bytes") ?? partitionFetchMaxBytes
        connectTimeoutMs = try int("socket.connection.setup.timeout.ms") ?? connectTimeoutMs
        retryBudgetSeconds = Double(try int("lake.retry.budget.s") ?? Int(retryBudgetSeconds))
        if let level = values["isolation.level"] {
            guard level == "read_committed" || level == "read_uncommitted" else {
                throw KafkaError.config(file: file, problem: "isolation.level is read_committed or read_uncommitted")
            }
            readCommitted = level == "read_committed"
        }
    }

    /// The TLS context, or nil for plaintext.
    func tlsContext() throws -> NIOSSLContext? {
        guard tls else { return nil }
        var config = TLSConfiguration.makeClientConfiguration()
        if let caFile { config.trustRoots = .file(caFile) }
        config.certificateVerification = verifyHostname ? .fullVerification : .noHostnameVerification
        do {
            if let certificateFile, let keyFile {
                config.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                if let keyPassword {
                    config.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem) { $0(Array(keyPassword.utf8)) })
                } else {
                    config.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
                }
            }
            return try NIOSSLContext(configuration: config)
        } catch {
            throw KafkaError.config(file: "TLS settings", problem: "cannot load the CA, certificate or key (\(error)) — check ssl.ca.location, ssl.certificate.location and ssl.key.location")
        }
    }
}
