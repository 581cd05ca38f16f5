import Foundation
import LakeCatalog
import LakeCore

/// Reads a Redis stream with a consumer group (`redis://HOST:PORT/STREAM`).
///
/// - The group is created if missing (`XGROUP CREATE … MKSTREAM`), from the stream's start.
/// - On start, entries left pending by dead consumers of the group are claimed
///   (`XAUTOCLAIM`), and this consumer's own pending entries are read again first.
/// - An entry is acknowledged (`XACK`) only after the raw file holding it is committed.
///   Pending entries at or below the highest id already committed for the group are in raw
///   already: they are acknowledged without landing them twice.
/// - An entry's field `value` (or `--field`) holds the event JSON; an entry without it
///   becomes a JSON object of its fields.
public final class RedisStreamSource: StreamSource, @unchecked Sendable {
    public let sourceID: String
    public let stream: String
    public let partitions = [0]
    let client: RESPClient
    let group: String
    let consumer: String
    let field: String
    private var readingPending = true
    private var pendingCursor = "0"
    private var committedHigh: (Int64, Int64)?
    private let lockFile: HeldLock

    public enum Start: Sendable { case earliest, latest }

    public static func connect(url: String, group: String, field: String, catalog: Catalog,
                               reset: Start?, claimIdleMs: Int = 30_000) async throws -> RedisStreamSource {
        guard let components = URLComponents(string: url), components.scheme == "redis", let host = components.host,
              components.path.count > 1 else { throw RedisError.badURL(url) }
        let port = components.port ?? 6379
        let stream = String(components.path.dropFirst())
        let source = "redis://\(host):\(port)"
        let scope = "consumers/redis-\(Data(stream.utf8).base64EncodedString().replacingOccurrences(of: "/", with: "_"))-\(group)"
        let lock = try catalog.lock(scope, holder: "pid \(getpid()) (lake ingest stream \(url) --group \(group))") {
            Progress.shared.note("waiting for the lock of group \(group) on \(url), held by \($0)…")
        }
        let client = try RESPClient(host: host, port: port)
        let high = try catalog.streamOffsets(source: source, stream: stream, group: group).first?.nextOffset
        return try RedisStreamSource(client: client, sourceID: source, stream: stream, group: group, field: field,
                                     committedHigh: high, reset: reset, claimIdleMs: claimIdleMs, lock: lock)
    }

    init(client: RESPClient, sourceID: String, stream: String, group: String, field: String, committedHigh: String?,
         reset: Start?, claimIdleMs: Int, lock: HeldLock) throws {
        self.client = client
        self.sourceID = sourceID
        self.stream = stream
        self.group = group
        self.field = field
        self.lockFile = lock
        consumer = "lake-\(group)"
        self.committedHigh = committedHigh.flatMap(Self.parseID)
        do {
            try client.command(["XGROUP", "CREATE", stream, group, reset == .latest ? "$" : "0", "MKSTREAM"])
        } catch RedisError.reply(_, let message) where message.hasPrefix("BUSYGROUP") {
            if let reset {
                try client.command(["XGROUP", "SETID", stream, group, reset == .latest ? "$" : "0"])
            }
        }
        // Adopt what dead consumers of the group left pending.
        var cursor = "0-0"
        repeat {
            let reply = try client.command(["XAUTOCLAIM", stream, group, consumer, String(claimIdleMs), cursor, "COUNT", "1000", "JUSTID"])
            guard let parts = reply.array, let next = parts.first?.string else { break }
            cursor = next
        } while cursor != "0-0"
    }

    public func read(partition: Int, max: Int) async throws -> [StreamEvent] {
        while true {
            let start = readingPending ? pendingCursor : ">"
            let reply = try client.command(["XREADGROUP", "GROUP", group, consumer, "COUNT", String(min(max, 10_000)),
                                            "STREAMS", stream, start])
            let entries = reply.array?.first?.array?.dropFirst().first?.array ?? []
            if readingPending, entries.isEmpty {
                readingPending = false
                continue
            }
            var events: [StreamEvent] = []
            var alreadyLanded: [String] = []
            for entry in entries {
                guard let parts = entry.array, let id = parts.first?.string else { continue }
                if readingPending { pendingCursor = id }
                // A pending entry whose fields are gone was deleted from the stream.
                guard let fields = parts.dropFirst().first?.array else { alreadyLanded.append(id); continue }
                if readingPending, let high = committedHigh, let parsed = Self.parseID(id), !(parsed > high) {
                    alreadyLanded.append(id)
                    continue
                }
                events.append(StreamEvent(partition: 0, offset: id, key: nil, value: Self.value(of: fields, field: field),
                                          arrival: Self.parseID(id)?.0 ?? 0))
            }
            if !alreadyLanded.isEmpty { try acknowledge(alreadyLanded) }
            if events.isEmpty, readingPending { continue }
            return events
        }
    }

    public let acknowledges = true

    public func committed(partition: Int, offsets: [String]) async throws {
        try acknowledge(offsets)
        if let last = offsets.last.flatMap(Self.parseID) {
            committedHigh = committedHigh.map { $0 > last ? $0 : last } ?? last
        }
    }

    public func lag(partition: Int) -> Int64? { nil }

    public func close() { lockFile.release() }

    public func nextOffset(after event: StreamEvent) -> String { event.offset }

    private func acknowledge(_ ids: [String]) throws {
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            try client.command(["XACK", stream, group] + ids[chunk..<min(ids.count, chunk + 1000)])
        }
    }

    static func parseID(_ id: String) -> (Int64, Int64)? {
        let parts = id.split(separator: "-")
        guard parts.count == 2, let ms = Int64(parts[0]), let seq = Int64(parts[1]) else { return nil }
        return (ms, seq)
    }

    /// The event JSON in `field`, or an object of all fields.
    static func value(of fields: [RESPValue], field: String) -> [UInt8] {
        var pairs: [(String, JSONValue)] = []
        var index = 0
        while index + 1 < fields.count {
            let name = fields[index].string ?? ""
            if name == field, case let .bulk(bytes?) = fields[index + 1] { return bytes }
            pairs.append((name, .string(fields[index + 1].string ?? "")))
            index += 2
        }
        return Array(JSONValue.object(pairs).serialized().utf8)
    }
}
