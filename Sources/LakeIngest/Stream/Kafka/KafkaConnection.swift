import Foundation
import LakeCore
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP (or TLS) connection to one broker. Requests are pipelined: each waits for the
/// answer with its correlation id. On connect it negotiates versions with ApiVersions v2,
/// then authenticates with SASL when the settings ask for it.
final class KafkaConnection: @unchecked Sendable {
    let broker: String
    private let channel: Channel
    private let handler: ResponseHandler
    private let clientId: String
    private let lock = NSLock()
    private var nextCorrelation: Int32 = 1
    private(set) var versions: [Int16: ClosedRange<Int16>] = [:]

    private init(broker: String, channel: Channel, handler: ResponseHandler, clientId: String) {
        self.broker = broker
        self.channel = channel
        self.handler = handler
        self.clientId = clientId
    }

    static func connect(host: String, port: Int, settings: KafkaSettings) async throws -> KafkaConnection {
        let broker = "\(host):\(port)"
        let handler = ResponseHandler(broker: broker)
        let tls = try settings.tlsContext()
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(settings.connectTimeoutMs)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            let sni = settings.verifyHostname && !host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? host : nil
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: sni))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw KafkaError.connect(broker: broker, reason: "\(error)")
        }
        let connection = KafkaConnection(broker: broker, channel: channel, handler: handler, clientId: settings.clientId)
        do {
            var answer = try await connection.send(ApiVersionsRequest(), checkVersion: false)
            if answer.errorCode == KafkaErrorCode.unsupportedVersion, !answer.ranges.isEmpty {
                // An older broker answers with its own ranges; they are all lake needs.
                answer.errorCode = 0
            }
            guard answer.errorCode == 0 else { throw KafkaError.broker(api: "ApiVersions", code: answer.errorCode, detail: broker) }
            connection.versions = answer.ranges
            if let sasl = settings.sasl { try await KafkaSASL.authenticate(connection, with: sasl) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    var isOpen: Bool { channel.isActive }

    func close() { channel.close(promise: nil) }

    /// Sends one request and decodes its answer; `timeout` covers the broker's own wait
    /// (Fetch's max wait, JoinGroup's rebalance).
    func send<R: KafkaRequest>(_ request: R, timeout: Double = 30, checkVersion: Bool = true) async throws -> R.Response {
        if checkVersion {
            guard let range = versions[R.apiKey] else {
                throw KafkaError.unsupported("Kafka broker \(broker) does not offer \(R.name)"
                    + (R.apiKey == SaslHandshakeRequest.apiKey ? " — SASL is not enabled on that listener: check security.protocol" : ""))
            }
            guard range.contains(R.version) else {
                throw KafkaError.unsupported("Kafka broker \(broker) speaks \(R.name) v\(range.lowerBound)–v\(range.upperBound); lake needs v\(R.version) (Kafka 2.4 or later)")
            }
        }
        let id = lock.withLock {
            defer { nextCorrelation = nextCorrelation == .max ? 1 : nextCorrelation + 1 }
            return nextCorrelation
        }
        let frame = request.frame(correlationId: id, clientId: clientId)
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let handler = self.handler
        let channel = self.channel
        let broker = self.broker
        channel.eventLoop.execute {
            handler.expect(id, promise)
            var buffer = channel.allocator.buffer(capacity: frame.count)
            buffer.writeBytes(frame)
            channel.writeAndFlush(buffer).whenFailure { handler.fail(id, $0) }
            channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
                handler.fail(id, KafkaError.timeout(broker: broker, api: R.name, seconds: timeout))
            }
        }
        let body = try await promise.futureResult.get()
        var reader = KafkaReader(body, from: 4)           // past the correlation id
        do { return try R.decode(&reader) } catch let KafkaError.malformed(what) {
            throw KafkaError.malformed("\(R.name) v\(R.version) from \(broker): \(what)")
        }
    }

    /// Splits the byte stream into frames (INT32 size, then that many bytes).
    private struct FrameDecoder: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer
        func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
            guard size >= 4, size < 1 << 30 else { throw KafkaError.malformed("a frame of \(size) bytes") }
            guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 4)
            context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(size))!))
            return .continue
        }
    }

    /// Matches answers to waiting requests by correlation id; fails them all when the
    /// connection goes. Touched only on its event loop.
    private final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let broker: String
        private var waiting: [Int32: EventLoopPromise<[UInt8]>] = [:]
        private var closedError: Error?

        init(broker: String) { self.broker = broker }

        func expect(_ id: Int32, _ promise: EventLoopPromise<[UInt8]>) {
            if let closedError { return promise.fail(closedError) }
            waiting[id] = promise
        }

        func fail(_ id: Int32, _ error: Error) { waiting.removeValue(forKey: id)?.fail(error) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var frame = unwrapInboundIn(data)
            guard let id = frame.getInteger(at: frame.readerIndex, as: Int32.self) else { return }
            waiting.removeValue(forKey: id)?.succeed(frame.readBytes(length: frame.readableBytes) ?? [])
        }

        func channelInactive(context: ChannelHandlerContext) {
            failAll(KafkaError.closed(broker: broker))
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            failAll(error is KafkaError ? error : KafkaError.connect(broker: broker, reason: "\(error)"))
            context.close(promise: nil)
        }

        private func failAll(_ error: Error) {
            closedError = error
            let all = waiting.values
            waiting.removeAll()
            for promise in all { promise.fail(error) }
        }
    }
}
