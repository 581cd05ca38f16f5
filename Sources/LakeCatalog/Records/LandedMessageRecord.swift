
/// A queue message that landed in raw, kept until `expiresAt` (the queue's retention): SQS
/// delivers at least once, and a message delivered again is deleted without landing twice.
public struct LandedMessageRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_landed_messages"
    public static let primaryKey = ["queue", "message_id"]

    /// `sqs://<region>/<queue name>`.
    public var queue: String
    public var messageId: String
    public var landedAt: String
    public var expiresAt: String

    public init(queue: String, messageId: String, landedAt: String, expiresAt: String) {
        self.queue = queue
        self.messageId = messageId
        self.landedAt = landedAt
        self.expiresAt = expiresAt
    }
}
