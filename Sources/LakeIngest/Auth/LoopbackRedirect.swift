import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The redirect target of a sign-in: a one-request HTTP listener on 127.0.0.1 (Spotify takes
/// HTTP only for loopback IP literals, never `localhost`). It waits for the browser to come
/// back to `/callback?code=…&state=…`, answers with a short page, and hands the query over.
public final class LoopbackRedirect: @unchecked Sendable {
    public let port: Int
    private let socket: Int32

    /// Listens on `port` (0: a free one).
    public init(port: Int = 0) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw IngestError.signIn(store: "-", problem: "cannot open a socket for the redirect listener") }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 8) == 0 else {
            close(socket)
            throw IngestError.signIn(store: "-", problem: "cannot listen on 127.0.0.1:\(port) (\(String(cString: strerror(errno)))): pass another --port")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        self.socket = socket
        self.port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit { close(socket) }

    public var redirectURI: String { "http://127.0.0.1:\(port)/callback" }

    /// Waits up to `timeout` seconds for the browser's request to `/callback`; returns its
    /// query. Requests for other paths (a favicon) get 404 and are not counted.
    public func awaitCallback(timeout: Double, answer: @escaping ([String: String]) -> (ok: Bool, page: String)) async throws -> [String: String] {
        let socket = self.socket
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(timeout)
                while Date() < deadline {
                    var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                    guard poll(&poller, 1, 250) > 0 else { continue }
                    let client = accept(socket, nil, nil)
                    guard client >= 0 else { continue }
                    defer { close(client) }
                    guard let target = Self.requestTarget(client), let url = URLComponents(string: "http://127.0.0.1" + target) else { continue }
                    guard url.path == "/callback" else {
                        Self.respond(client, status: "404 Not Found", body: "not here")
                        continue
                    }
                    let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
                    let (ok, page) = answer(query)
                    Self.respond(client, status: ok ? "200 OK" : "400 Bad Request", body: page)
                    continuation.resume(returning: query)
                    return
                }
                continuation.resume(throwing: IngestError.signIn(
                    store: "-", problem: "no answer from the browser within \(Int(timeout)) s: run the command again and open the URL it prints"))
            }
        }
    }

    /// The request line's target (`/callback?code=…`), read within a few seconds.
    private static func requestTarget(_ client: Int32) -> String? {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 8192)
        var received = 0
        while received < buffer.count {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress! + received, $0.count - received, 0) }
            guard n > 0 else { break }
            received += n
            if buffer[..<received].firstIndex(of: 0x0A) != nil { break }
        }
        let line = String(decoding: buffer[..<received].prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else { return nil }
        return String(parts[1])
    }

    private static func respond(_ client: Int32, status: String, body: String) {
        let html = "<!doctype html><meta charset=utf-8><title>lake</title><p>\(body)</p>"
        let text = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(html.utf8.count)\r\nConnection: close\r\n\r\n\(html)"
        _ = Array(text.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
