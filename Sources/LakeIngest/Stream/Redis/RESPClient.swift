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
    private var buffer: [UInt8] = []
    private var position = 0
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
        let line = try readLine()
        guard let kind = line.first else { throw RedisError.protocolError("an empty line") }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"):
            guard let value = Int(rest) else { throw RedisError.protocolError("integer '\(rest)'") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let count = Int(rest) else { throw RedisError.protocolError("bulk length '\(rest)'") }
            if count < 0 { return .bulk(nil) }
            let bytes = try readBytes(count + 2)
            return .bulk(Array(bytes.prefix(count)))
        case UInt8(ascii: "*"):
            guard let count = Int(rest) else { throw RedisError.protocolError("array length '\(rest)'") }
            if count < 0 { return .array(nil) }
            return .array(try (0..<count).map { _ in try readValue() })
        default:
            throw RedisError.protocolError("a line starting '\(String(decoding: line.prefix(16), as: UTF8.self))'")
        }
    }

    private func readLine() throws -> ArraySlice<UInt8> {
        while true {
            if let end = buffer[position...].firstIndex(of: 0x0A), end > position, buffer[end - 1] == 0x0D {
                let line = buffer[position..<(end - 1)]
                position = end + 1
                return line
            }
            try fill()
        }
    }

    private func readBytes(_ count: Int) throws -> ArraySlice<UInt8> {
        while buffer.count - position < count { try fill() }
        defer { position += count }
        return buffer[position..<(position + count)]
    }

    private func fill() throws {
        if position > 0, position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        } else if position > 1 << 20 {
            buffer.removeFirst(position)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0, errno == EINTR { return }
        guard n >= 0 else { throw RedisError.io(address, errno: errno) }
        guard n > 0 else { throw RedisError.closed(address) }
        buffer += chunk[0..<n]
    }
}
