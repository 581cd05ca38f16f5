import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one request over AsyncHTTPClient and reads the whole body. No retries here.
public final class HTTPTransport: @unchecked Sendable {
    private let client: HTTPClient
    private let lock = NSLock()
    private var isShutDown = false
    private let timeout: TimeAmount
    /// Larger bodies are refused rather than held in memory.
    public static let maxBodyBytes = 64 << 20

    public init(timeoutSeconds: Double) {
        timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(10), read: timeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(_ request: APIRequest) async throws -> APIResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: "lake/0.1")
        outgoing.headers.add(name: "Accept", value: "application/json")
        for (name, value) in request.headers { outgoing.headers.replaceOrAdd(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outgoing, timeout: timeout)
        var buffer = try await response.body.collect(upTo: Self.maxBodyBytes)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        return APIResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
    }

    public func shutdown() async {
        guard markShutDown() else { return }
        try? await client.shutdown()
    }

    /// AsyncHTTPClient traps on a client dropped while running; a transport dropped on an
    /// error path shuts its client down here instead.
    deinit {
        if markShutDown() { try? client.syncShutdown() }
    }

    private func markShutDown() -> Bool {
        lock.lock(); defer { lock.unlock() }
        defer { isShutDown = true }
        return !isShutDown
    }
}
