import Foundation
import LakeCore
#if canImport(Glibc)
import Glibc
#endif

/// A reply in the Redis serialization protocol (RESP2).
public indirect enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8]?)
    case array([RESPValue]?)

    public var string: String? {
        switch self {
        case let .simple(s): return s
        case let .bulk(b?): return String(decoding: b, as: UTF8.self)
        case let .integer(i): return String(i)
        default: return nil
        }
    }

    public var array: [RESPValue]? { if case let .array(a?) = self { return a } else { return nil } }
}

/// Failures talking to Redis.
public enum RedisError: LakeError {
    case badURL(String)
    case connect(String, errno: Int32)
    case io(String, errno: Int32)
    case closed(String)
    case protocolError(String)
    case reply(command: String, message: String)

    public var stage: String { "Ingest" }

    public var message: String {
        switch self {
        case let .badURL(url): return "'\(url)' is not redis://HOST:PORT/STREAM"
        case let .connect(address, code):
            return "cannot connect to Redis at \(address): \(String(cString: strerror(code))) — is redis-server running there?"
        case let .io(address, code): return "Redis at \(address): \(String(cString: strerror(code)))"
        case let .closed(address): return "Redis at \(address) closed the connection"
        case let .protocolError(detail): return "Redis sent something that is not RESP: \(detail)"
        case let .reply(command, message): return "Redis answered \(command) with: \(message)"
        }
    }
}

/// A minimal blocking RESP client: commands as arrays of bulk strings, replies parsed
/// from a buffered socket. Enough for the stream source; not a general Redis client.
public final class RESPClient: @unchecked Sendable {
    public let address: String
    private var fd: Int32
    /// Received bytes not yet parsed are `buffer[position..<end]`.
    private var buffer = [UInt8](repeating: 0, count: 1 << 18)
    private var position = 0
    private var end = 0
    private let lock = NSLock()

    public init(host: String, port: Int) throws {
        address = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw RedisError.connect("\(host):\(port)", errno: EHOSTUNREACH)
        }
        defer { freeaddrinfo(result) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var lastError: Int32 = ECONNREFUSED
        fd = -1
        while let info = candidate {
            let s = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if s >= 0 {
                if connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    fd = s
                    break
                }
                lastError = errno
                close(s)
            }
            candidate = info.pointee.ai_next
        }
        guard fd >= 0 else { throw RedisError.connect("\(host):\(port)", errno: lastError) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends one command and reads its reply; a Redis error reply is thrown.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RESPValue {
        try pipeline([arguments])[0]
    }

    /// Sends several commands at once and reads their replies in order. Error replies are
    /// returned, not thrown.
    public func pipeline(_ commands: [[String]]) throws -> [RESPValue] {
        lock.lock(); defer { lock.unlock() }
        var out: [UInt8] = []
        for arguments in commands {
            out += "*\(arguments.count)\r\n".utf8
            for argument in arguments {
                let bytes = Array(argument.utf8)
                out += "$\(bytes.count)\r\n".utf8
                out += bytes
                out += "\r\n".utf8
            }
        }
        guard out.withUnsafeBytes({ FileSystem.writeAll(fd, $0) }) else { throw RedisError.io(address, errno: errno) }
        let replies = try commands.map { _ in try readValue() }
        if commands.count == 1, case let .error(message) = replies[0] {
            throw RedisError.reply(command: commands[0].first ?? "", message: message)
        }
        return replies
    }

    private func readValue() throws -> RESPValue {
        let (kind, start, end) = try readLine()
        func number() throws -> Int {
            var value = 0
            var negative = false
            for i in start..<end {
                let c = buffer[i]
                if c == UInt8(ascii: "-") { negative = true; continue }
                guard c >= 48, c <= 57 else {
                    throw RedisError.protocolError("a number '\(String(decoding: buffer[start..<end], as: UTF8.self))'")
                }
                value = value * 10 + Int(c - 48)
            }
            return negative ? -value : value
        }
        switch kind {
        case UInt8(ascii: "+"): return .simple(String(decoding: buffer[start..<end], as: UTF8.self))
        case UInt8(ascii: "-"): return .error(String(decoding: buffer[start..<end], as: UTF8.self))
        case UInt8(ascii: ":"): return .integer(try number())
        case UInt8(ascii: "$"):
            let count = try number()
            if count < 0 { return .bulk(nil) }
            try need(count + 2)
            let bytes = Array(buffer[position..<(position + count)])
            position += count + 2
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            let count = try number()
            if count < 0 { return .array(nil) }
            var items: [RESPValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try readValue()) }
            return .array(items)
        default:
            throw RedisError.protocolError("a line starting with byte \(kind)")
        }
    }

    /// The next line: its type byte and the range of the rest, without CRLF.
    private func readLine() throws -> (UInt8, Int, Int) {
        while true {
            if let newline = buffer.withUnsafeBytes({ all -> Int? in
                guard end > position, let found = memchr(all.baseAddress! + position, 0x0A, end - position) else { return nil }
                return all.baseAddress!.distance(to: UnsafeRawPointer(found))
            }), newline > position {
                let kind = buffer[position]
                let line = (kind, position + 1, newline - 1)
                position = newline + 1
                return line
            }
            try fill()
        }
    }

    private func need(_ count: Int) throws {
        while end - position < count { try fill() }
    }

    private func fill() throws {
        if position > 0 {
            let kept = end - position
            if kept > 0 {
                buffer.withUnsafeMutableBytes { all in _ = memmove(all.baseAddress!, all.baseAddress! + position, kept) }
            }
            end = kept
            position = 0
        }
        if buffer.count - end < 1 << 16 { buffer += [UInt8](repeating: 0, count: max(1 << 16, buffer.count)) }
        let room = buffer.count - end
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + end, room, 0) }
        if n < 0, errno == EINTR { return }
        guard n >= 0 else { throw RedisError.io(address, errno: errno) }
        guard n > 0 else { throw RedisError.closed(address) }
        end += n
    }
}
