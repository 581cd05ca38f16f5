import AsyncHTTPClient
import Foundation
import LakeCore
import NIOCore
import NIOHTTP1

/// AWS's JSON protocols (Kinesis `Kinesis_20131202.*` in `application/x-amz-json-1.1`, SQS
/// `AmazonSQS.*` in `application/x-amz-json-1.0`): one signed POST per action. Throttling
/// and 5xx are retried with full-jitter backoff; a refused signature is not retried.
public final class AWSJSONClient: @unchecked Sendable {
    public let service: String
    public let config: AWSConfig
    let targetPrefix: String
    let contentType: String
    let endpoint: String
    private let http: HTTPClient
    private let lock = NSLock()
    private var closed = false
    public var maxAttempts = 8

    static let throttling: Set<String> = [
        "ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "LimitExceededException",
        "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled", "RequestThrottledException",
        "KMSThrottlingException", "SlowDown", "ServiceUnavailable", "InternalFailure", "InternalError",
        "KinesisServiceUnavailable", "AWS.SimpleQueueService.RequestThrottled",
    ]
    static let signatureCodes: Set<String> = [
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException",
        "UnrecognizedClientException", "InvalidClientTokenId", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
        "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId", "AuthFailure",
        "InvalidSecurity", "AWS.SimpleQueueService.InvalidSecurity",
    ]

    public init(service: String, targetPrefix: String, jsonVersion: String, config: AWSConfig) {
        self.service = service
        self.config = config
        self.targetPrefix = targetPrefix
        contentType = "application/x-amz-json-\(jsonVersion)"
        endpoint = config.endpoint(for: service)
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(40)))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Calls `action` with `body`; returns the answer's JSON. `readTimeout` covers long polls.
    public func call(_ action: String, _ body: JSONValue, readTimeout: Double = 40) async throws -> JSONValue {
        let payload = Array(body.serialized().utf8)
        return try await AWSRetry.run({ try await once(action, payload, readTimeout: readTimeout) }) { error, attempt in
            guard case let .service(_, _, status, code, _) = error, attempt < maxAttempts,
                  status >= 500 || Self.throttling.contains(code) else {
                if case .transport = error, attempt < 4 { return 0.2 * Double(1 << attempt) }
                return nil
            }
            return AWSRetry.exponential(attempt)
        }
    }

    private func once(_ action: String, _ payload: [UInt8], readTimeout: Double) async throws -> JSONValue {
        guard let url = URL(string: endpoint), let host = url.host else {
            throw AWSError.configuration("'\(endpoint)' is not an endpoint URL (like https://\(service).\(config.region).amazonaws.com)")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        var headers: [(name: String, value: String)] = [
            ("Host", hostHeader), ("Content-Type", contentType), ("X-Amz-Target", "\(targetPrefix).\(action)"),
        ]
        let signer = SigV4(credentials: config.credentials, region: config.region, service: service)
        signer.sign(method: "POST", path: url.path.isEmpty ? "/" : url.path, query: url.query, headers: &headers,
                    payloadSHA256: SigV4.sha256Hex(payload))
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        for (name, value) in headers where name != "Host" { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: payload))
        let status: Int
        let responseHeaders: HTTPHeaders
        var buffer: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(readTimeout * 1000)))
            status = Int(response.status.code)
            responseHeaders = response.headers
            buffer = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw AWSError.transport(service: service, action: action, endpoint: endpoint, reason: "\(error)")
        }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let json = bytes.isEmpty ? JSONValue.object([]) : try? JSONValue.parse(String(decoding: bytes, as: UTF8.self))
        guard (200..<300).contains(status) else {
            var code = json?["__type"]?.stringValue ?? responseHeaders.first(name: "x-amzn-ErrorType") ?? "HTTP \(status)"
            if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
            if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
            if let query = responseHeaders.first(name: "x-amzn-query-error"), let first = query.split(separator: ";").first {
                code = String(first)
            }
            let message = json?["message"]?.stringValue ?? json?["Message"]?.stringValue ?? ""
            if Self.signatureCodes.contains(code) || (status == 403 && !code.hasPrefix("AccessDenied")) {
                throw AWSError.signature(service: service, action: action, code: code, message: message,
                                         accessKeyId: config.credentials.accessKeyId)
            }
            throw AWSError.service(service: service, action: action, status: status, code: code, message: message)
        }
        guard let json else {
            throw AWSError.malformed(service: service, action: action, detail: "not JSON: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return json
    }

    public func shutdown() async {
        guard lock.withLock({ defer { closed = true }; return !closed }) else { return }
        try? await http.shutdown()
    }

    deinit {
        if lock.withLock({ defer { closed = true }; return !closed }) { try? http.syncShutdown() }
    }
}
