import Foundation
import LakeIngest
import Testing

/// A free TCP port on 127.0.0.1, for a real server a test starts.
enum LoopbackPort {
    static func free() -> Int {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A real redis-server on a free loopback port, for as long as the value lives.
final class RedisServer {
    let port: Int
    private let process = Process()

    static var installed: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") }

    init() throws {
        port = LoopbackPort.free()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if (try? RESPClient(host: "127.0.0.1", port: port)) != nil { return }
            usleep(50_000)
        }
    }

    /// Stopped through Redis itself: a child that Foundation spawns from a dispatch worker
    /// thread inherits its blocked signals, so SIGTERM would never arrive; and waitUntilExit
    /// can block off the main run loop on Linux.
    deinit {
        _ = try? RESPClient(host: "127.0.0.1", port: port).pipeline([["SHUTDOWN", "NOSAVE"]])
    }
}

@Suite(.serialized, .enabled(if: RedisServer.installed, "redis-server is not installed: run scripts/setup"))
struct RESPClientTests {
    let server: RedisServer
    let client: RESPClient

    init() throws {
        server = try RedisServer()
        client = try RESPClient(host: "127.0.0.1", port: server.port)
    }

    @Test func simpleStringsIntegersAndBulkStrings() throws {
        #expect(try client.command(["PING"]) == .simple("PONG"))
        #expect(try client.command(["SET", "k", "ünïcødé 東京\r\nline"]) == .simple("OK"))
        #expect(try client.command(["GET", "k"]).string == "ünïcødé 東京\r\nline")
        #expect(try client.command(["GET", "missing"]) == .bulk(nil))
        #expect(try client.command(["INCRBY", "n", "-5"]) == .integer(-5))
    }

    @Test func errorRepliesAreThrownWithRedisMessage() {
        let error = #expect(throws: RedisError.self) { try client.command(["XADD"]) }
        #expect(error?.message.contains("wrong number of arguments") == true)
        #expect(throws: RedisError.self) { try client.command(["GETDEL"]) }
    }

    @Test func nestedArraysOfAStreamRead() throws {
        try client.command(["XADD", "s", "1-1", "value", #"{"a":1}"#])
        try client.command(["XADD", "s", "1-2", "user", "u1", "track", "t9"])
        let reply = try client.command(["XRANGE", "s", "-", "+"])
        let entries = try #require(reply.array)
        #expect(entries.count == 2)
        #expect(entries[0].array?[0].string == "1-1")
        #expect(entries[1].array?[1].array?.compactMap(\.string) == ["user", "u1", "track", "t9"])
        #expect(try client.command(["XRANGE", "nothing", "-", "+"]) == .array([]))
    }

    @Test func pipelinesAndLargeValuesAcrossManyReads() throws {
        let big = String(repeating: "x", count: 3 << 20)
        let replies = try client.pipeline((0..<10_000).map { ["SET", "k\($0)", String($0)] } + [["SET", "big", big], ["GET", "big"]])
        #expect(replies.count == 10_002)
        #expect(replies.prefix(10_000).allSatisfy { $0 == .simple("OK") })
        #expect(replies.last?.string?.count == big.count)
        #expect(try client.pipeline([["GET", "k9999"], ["NOSUCHCOMMAND"]]) == [.bulk(Array("9999".utf8)), .error("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ")])
    }

    @Test func aRefusedConnectionSaysWhereAndWhatToCheck() {
        let error = #expect(throws: RedisError.self) { try RESPClient(host: "127.0.0.1", port: 1) }
        #expect(error?.message.contains("127.0.0.1:1") == true && error?.message.contains("redis-server") == true)
    }
}
