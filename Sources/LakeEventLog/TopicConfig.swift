import Foundation
import LakeCore

/// A topic's settings, kept in `<root>/_streams/<topic>/topic.json`.
public struct TopicConfig: Codable, Equatable, Sendable {
    public var partitions: Int
    /// Segments whose last write is older than this are removed (nil: keep).
    public var retentionHours: Double?
    /// Oldest segments are removed while a partition holds more than this (nil: no limit).
    public var retentionBytes: Int?
    /// A segment is closed and a new one begun past this size.
    public var segmentBytes: Int

    public init(partitions: Int, retentionHours: Double? = nil, retentionBytes: Int? = nil,
                segmentBytes: Int = 64 << 20) {
        self.partitions = partitions
        self.retentionHours = retentionHours
        self.retentionBytes = retentionBytes
        self.segmentBytes = segmentBytes
    }

    enum CodingKeys: String, CodingKey {
        case partitions
        case retentionHours = "retention_hours"
        case retentionBytes = "retention_bytes"
        case segmentBytes = "segment_bytes"
    }
}
