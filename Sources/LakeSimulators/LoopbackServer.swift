import Hummingbird
import Logging
import ServiceLifecycle

/// Runs a Hummingbird router in the background on a local address, for the simulators.
final class LoopbackServer: @unchecked Sendable {
    private var group: ServiceGroup?
    private var task: Task<Void, Error>?

    /// Starts serving; returns the bound port (`port` 0 picks a free one).
    func start(_ router: Router<BasicRequestContext>, host: String = "127.0.0.1", port: Int = 0,
               label: String) async throws -> Int {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        self.group = group
        task = Task { try await group.run() }
        for await bound in stream { return bound }
        throw CancellationError()
    }

    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }
}
