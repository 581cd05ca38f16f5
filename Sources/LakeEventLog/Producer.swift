import Foundation
import LakeCore
#if canImport(Glibc)
import Glibc
#endif

/// Appends NDJSON lines to a topic, one record per non-empty line, as the bytes came.
///
/// With a key field, a record goes to partition `fnv1a(key) % partitions`, so one key keeps
/// one partition and its order. Without, records go in sticky batches: a run of records to
/// one partition, then the next, as Kafka's sticky partitioner does.
public final class Producer {
    public let topic: String
    public let keyField: String?
    private let writers: [PartitionWriter]
    private var sticky = 0
    private var stickyCount = 0
    public static let stickyBatch = 2048
    public private(set) var produced = 0
    /// Events sent without the key field (with a key field set).
    public private(set) var unkeyed = 0

    public init(log: EventLog, topic: String, keyField: String?) throws {
        self.topic = topic
        self.keyField = keyField
        writers = try log.partitions(topic).map { try PartitionWriter($0) }
        sticky = Int(getpid()) % writers.count
    }

    /// Appends one event; returns (partition, offset).
    @discardableResult
    public func send(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws -> (partition: Int, offset: Int64) {
        var partition: Int
        let key = keyField.flatMap { KeyFinder.value(of: $0, in: line) }
        if let key {
            partition = Int(Self.fnv1a(key) % UInt64(writers.count))
        } else {
            // No key (or a line that is not even JSON): kept all the same, as Kafka keeps a
            // null-key record, so ingestion can land or quarantine it.
            if keyField != nil { unkeyed += 1 }
            if stickyCount >= Self.stickyBatch {
                sticky = (sticky + 1) % writers.count
                stickyCount = 0
            }
            stickyCount += 1
            partition = sticky
        }
        let offset = try writers[partition].append(key: key, value: line, timestamp: timestamp)
        produced += 1
        return (partition, offset)
    }

    /// Reads NDJSON from `fd` to its end, appending each line.
    public func sendAll(from fd: Int32, progress: ((Int) -> Void)? = nil) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 22)
        var filled = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw StorageError.io(path: "standard input", operation: "reading", errno: errno) }
            let end = filled + n
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let consumed = try buffer.withUnsafeBytes { all -> Int in
                var start = try sendLines(UnsafeRawBufferPointer(rebasing: all[..<end]), timestamp: now)
                if n == 0, start < end {
                    try send(UnsafeRawBufferPointer(rebasing: all[start..<end]), timestamp: now)
                    start = end
                }
                return start
            }
            progress?(produced)
            if n == 0 { break }
            // Keep the unfinished line; grow the buffer for lines longer than it.
            let rest = end - consumed
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { all in
                    _ = memmove(all.baseAddress!, all.baseAddress! + consumed, rest)
                }
            } else if rest == buffer.count {
                buffer += [UInt8](repeating: 0, count: buffer.count)
            }
            filled = rest
        }
    }

    /// Sends every complete line (ending in `\n`; a `\r` before it is dropped, empty lines
    /// are skipped); returns how many bytes that consumed.
    @discardableResult
    public func sendLines(_ bytes: UnsafeRawBufferPointer, timestamp: Int64) throws -> Int {
        var start = 0
        guard let base = bytes.baseAddress else { return 0 }
        while start < bytes.count, let newline = memchr(base + start, 0x0A, bytes.count - start) {
            let stop = base.distance(to: UnsafeRawPointer(newline))
            var lineEnd = stop
            if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd > start { try send(UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd]), timestamp: timestamp) }
            start = stop + 1
        }
        return start
    }

    /// Writes, fsyncs, applies retention; returns the partitions' end offsets.
    public func close() throws -> [Int64] {
        for writer in writers {
            try writer.sync()
            try writer.applyRetention()
        }
        return writers.map(\.nextOffset)
    }

    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}

/// Finds a top-level field's value in one JSON object line without parsing all of it: the
/// key of a record is the field's string value (without quotes) or its number's text.
enum KeyFinder {
    static func value(of field: String, in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let bytes = line
        var i = 0
        var depth = 0
        let name = Array(field.utf8)
        let count = bytes.count
        while i < count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; i += 1
            case UInt8(ascii: "\""):
                let start = i + 1
                var j = start
                while j < count, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                guard j < count else { return nil }
                var k = j + 1
                while k < count, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
                let isKey = k < count && bytes[k] == UInt8(ascii: ":")
                if isKey, depth == 1, j - start == name.count,
                   name.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress! + start, name.count) == 0 }) {
                    k += 1
                    while k < count, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
                    guard k < count else { return nil }
                    if bytes[k] == UInt8(ascii: "\"") {
                        var e = k + 1
                        while e < count, bytes[e] != UInt8(ascii: "\"") { e += bytes[e] == UInt8(ascii: "\\") ? 2 : 1 }
                        return e < count ? UnsafeRawBufferPointer(rebasing: bytes[(k + 1)..<e]) : nil
                    }
                    var e = k
                    while e < count, !",}] \t".utf8.contains(bytes[e]) { e += 1 }
                    let text = UnsafeRawBufferPointer(rebasing: bytes[k..<e])
                    return text.elementsEqual("null".utf8) || text.isEmpty ? nil : text
                }
                i = j + 1
            default:
                i += 1
            }
        }
        return nil
    }
}
