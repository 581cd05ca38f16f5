import Foundation
import LakeAWS
import LakeCatalog
import LakeCore

/// Reads an SQS queue (`sqs://QUEUE-NAME-OR-URL[?region=…]`, the JSON protocol).
///
/// - `ReceiveMessage` long-polls (up to 20 s) for up to 10 messages with all attributes; the
///   messages land, their raw file commits, and only then `DeleteMessageBatch` removes them.
/// - Delivery is at least once, landing is once: the ids of landed messages are kept in the
///   catalog (`lake_landed_messages`, in the same transaction as the file) for the queue's
///   retention period; a message seen again is deleted without landing.
/// - While a message waits in an open file for over half its visibility timeout, its
///   visibility is extended (`ChangeMessageVisibilityBatch`).
/// - FIFO queues keep their order (one consumer, messages in the order received) and record
///   `SequenceNumber`, `MessageGroupId` and `MessageDeduplicationId`. SQS hands out a group's next
///   messages only once the earlier ones are deleted, so a queue with few groups commits small files.
public final class SQSSource: StreamSource, @unchecked Sendable {
    public let sourceID: String
    public let stream: String
    public let partitions = [0]
    public let isQueue = true
    let client: AWSJSONClient
    let queueURL: String
    let catalog: Catalog
    let waitSeconds: Int
    let visibilitySeconds: Int
    let retentionSeconds: Int
    private let lock = NSLock()
    /// Receipt handles and receive times of messages not yet deleted, by message id.
    private var pending: [String: (receipt: String, received: Date)] = [:]
    private var idle = false
    private var extender: Task<Void, Never>?

    public static func connect(url: String, catalog: Catalog, profile: String?, region: String?, endpoint: String?,
                               waitSeconds: Int) async throws -> SQSSource {
        guard url.hasPrefix("sqs://"), url.count > "sqs://".count else {
            throw AWSError.configuration("'\(url)' is not sqs://QUEUE-NAME-OR-URL[?region=…]")
        }
        var rest = String(url.dropFirst("sqs://".count))
        var regionParameter: String?
        if let q = rest.range(of: "?region=") {
            regionParameter = String(rest[q.upperBound...])
            rest = String(rest[..<q.lowerBound])
        }
        let config = try AWSConfig.resolve(profile: profile, region: region ?? regionParameter, endpoint: endpoint)
        let client = AWSJSONClient(service: "sqs", targetPrefix: "AmazonSQS", jsonVersion: "1.0", config: config)
        do {
            let queueURL: String
            if rest.hasPrefix("http://") || rest.hasPrefix("https://") {
                queueURL = rest
            } else {
                let answer = try await client.call("GetQueueUrl", .object([("QueueName", .string(rest))]))
                guard let found = answer["QueueUrl"]?.stringValue else {
                    throw AWSError.malformed(service: "sqs", action: "GetQueueUrl", detail: "no QueueUrl")
                }
                queueURL = found
            }
            let name = queueURL.split(separator: "/").last.map(String.init) ?? rest
            let attributes = try await client.call("GetQueueAttributes", .object([
                ("QueueUrl", .string(queueURL)),
                ("AttributeNames", .array([.string("VisibilityTimeout"), .string("MessageRetentionPeriod")])),
            ]))["Attributes"]
            let visibility = attributes?["VisibilityTimeout"]?.intValue ?? 30
            let retention = attributes?["MessageRetentionPeriod"]?.intValue ?? 345_600
            let source = SQSSource(client: client, sourceID: "sqs://\(config.region)", queue: name, queueURL: queueURL, catalog: catalog,
                                   waitSeconds: min(20, max(0, waitSeconds)), visibilitySeconds: visibility, retentionSeconds: retention)
            try catalog.expireLandedMessages(before: Timestamps.iso())
            source.startExtending()
            return source
        } catch {
            await client.shutdown()
            throw error
        }
    }

    init(client: AWSJSONClient, sourceID: String, queue: String, queueURL: String, catalog: Catalog, waitSeconds: Int,
         visibilitySeconds: Int, retentionSeconds: Int) {
        self.client = client
        self.sourceID = sourceID
        stream = queue
        self.queueURL = queueURL
        self.catalog = catalog
        self.waitSeconds = waitSeconds
        self.visibilitySeconds = visibilitySeconds
        self.retentionSeconds = retentionSeconds
    }

    public func read(partition: Int, max: Int) async throws -> [StreamEvent] {
        // Holding undeleted messages, poll without waiting: an empty answer then commits them
        // at once, which a FIFO group needs before SQS hands out its next messages.
        let wait = lock.withLock { pending.isEmpty } ? waitSeconds : 0
        let answer = try await client.call("ReceiveMessage", .object([
            ("QueueUrl", .string(queueURL)),
            ("MaxNumberOfMessages", .int(Swift.min(10, Swift.max(1, max)))),
            ("WaitTimeSeconds", .int(wait)),
            ("AttributeNames", .array([.string("All")])),
            ("MessageSystemAttributeNames", .array([.string("All")])),
            ("MessageAttributeNames", .array([.string("All")])),
        ]), readTimeout: Double(wait) + 30)
        let messages = answer["Messages"]?.arrayValue ?? []
        lock.withLock { idle = messages.isEmpty }
        let now = Date()
        var fresh: [JSONValue] = []
        var seen: [(id: String, receipt: String)] = []
        let landed = try catalog.landedMessages(queue: queueKey, ids: messages.compactMap { $0["MessageId"]?.stringValue })
        for message in messages {
            guard let id = message["MessageId"]?.stringValue, let receipt = message["ReceiptHandle"]?.stringValue else { continue }
            if landed.contains(id) { seen.append((id, receipt)) } else { fresh.append(message) }
        }
        // Delivered again after lake landed it (a crash between the commit and the delete): delete only.
        if !seen.isEmpty { try await delete(seen) }
        return fresh.map { message in
            let id = message["MessageId"]!.stringValue!
            lock.withLock { pending[id] = (message["ReceiptHandle"]!.stringValue!, now) }
            let attributes = message["Attributes"]
            let sent = attributes?["SentTimestamp"]?.intValue.map(Int64.init) ?? Int64(now.timeIntervalSince1970 * 1000)
            var event = StreamEvent(partition: 0, offset: id, key: attributes?["MessageGroupId"]?.stringValue.map { Array($0.utf8) },
                                    value: Array((message["Body"]?.stringValue ?? "").utf8), arrival: sent)
            var extra: [(String, JSONValue)] = [("message_id", .string(id))]
            if let attributes { extra.append(("attributes", attributes)) }
            if let custom = message["MessageAttributes"], custom != .object([]) { extra.append(("message_attributes", custom)) }
            if let md5 = message["MD5OfBody"]?.stringValue { extra.append(("md5_of_body", .string(md5))) }
            event.extraMeta = extra
            return event
        }
    }

    /// One catalog key per queue: region and name.
    var queueKey: String { "\(sourceID)/\(stream)" }

    public func caughtUp(partition: Int) -> Bool { lock.withLock { idle } }

    public let acknowledges = true

    /// The raw file holding these messages is committed: delete them from the queue.
    public func committed(partition: Int, offsets: [String]) async throws {
        let handles = lock.withLock { offsets.compactMap { id in pending.removeValue(forKey: id).map { (id: id, receipt: $0.receipt) } } }
        try await delete(handles)
    }

    private func delete(_ messages: [(id: String, receipt: String)]) async throws {
        for start in stride(from: 0, to: messages.count, by: 10) {
            let chunk = messages[start..<Swift.min(messages.count, start + 10)]
            let answer = try await client.call("DeleteMessageBatch", .object([
                ("QueueUrl", .string(queueURL)),
                ("Entries", .array(chunk.enumerated().map { .object([("Id", .string("m\($0.offset)")), ("ReceiptHandle", .string($0.element.receipt))]) })),
            ]))
            if let failed = answer["Failed"]?.arrayValue, !failed.isEmpty {
                // Usually an expired receipt: the message comes back and is deleted then, without landing again.
                Progress.shared.note("sqs \(stream): \(failed.count) message(s) could not be deleted now (\(failed.first?["Code"]?.stringValue ?? "error")); they will be deleted when delivered again")
            }
        }
    }

    /// Messages waiting in an open file past half their visibility timeout get more time.
    private func startExtending() {
        let half = Double(visibilitySeconds) / 2
        extender = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(Swift.max(1.0, half / 2) * 1e9))
                guard let self else { return }
                let now = Date()
                let due = self.lock.withLock { self.pending.filter { now.timeIntervalSince($0.value.received) > half } }
                guard !due.isEmpty else { continue }
                let entries = due.enumerated().map { JSONValue.object([
                    ("Id", .string("v\($0.offset)")), ("ReceiptHandle", .string($0.element.value.receipt)),
                    ("VisibilityTimeout", .int(self.visibilitySeconds)),
                ]) }
                for start in stride(from: 0, to: entries.count, by: 10) {
                    _ = try? await self.client.call("ChangeMessageVisibilityBatch", .object([
                        ("QueueUrl", .string(self.queueURL)), ("Entries", .array(Array(entries[start..<Swift.min(entries.count, start + 10)]))),
                    ]))
                }
                self.lock.withLock { for id in due.keys { self.pending[id]?.received = now } }
            }
        }
    }

    public func lag(partition: Int) -> Int64? { nil }

    public func nextOffset(after event: StreamEvent) -> String { event.offset }

    /// Landed message ids are kept as long as the queue keeps a message (at most 14 days).
    public func landedMessage(for event: StreamEvent, at time: Date) -> LandedMessageRecord? {
        LandedMessageRecord(queue: queueKey, messageId: event.offset, landedAt: Timestamps.iso(time),
                            expiresAt: Timestamps.iso(time.addingTimeInterval(Double(Swift.min(retentionSeconds, 14 * 86_400)))))
    }

    public func close() {
        extender?.cancel()
        let done = DispatchSemaphore(value: 0)
        let client = self.client
        Task { await client.shutdown(); done.signal() }
        _ = done.wait(timeout: .now() + 2)
    }
}
