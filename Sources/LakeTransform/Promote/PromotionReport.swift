import Foundation
import LakeCore

/// What one promotion did, for people (a summary line) and scripts (`--format json`).
public struct PromotionReport: Sendable {
    public var dataset: String
    public var version: Int?
    public var nothingNew = false
    public var fullRefresh = false
    public var rawFiles = 0
    public var records = 0
    public var staged = 0
    public var quarantined = 0
    public var duplicates = 0
    public var filesWritten = 0
    public var filesKept = 0
    public var filesRewritten = 0
    /// Rows in the dataset's current version.
    public var totalRows = 0
    public var drift: [(field: String, type: String, count: Int)] = []
    public var skipped: [(path: String, reason: String)] = []
    public var notes: [String] = []
    public var seconds = 0.0

    /// Every raw file was promoted already: the current version stands.
    mutating func nothingNew(version: Int?, rows: Int, since started: Date) {
        nothingNew = true
        self.version = version
        totalRows = rows
        seconds = Date().timeIntervalSince(started)
    }

    public var json: JSONValue {
        .object([
            ("dataset", .string(dataset)), ("version", version.map { .int($0) } ?? .null),
            ("nothing_new", .bool(nothingNew)), ("full_refresh", .bool(fullRefresh)),
            ("raw_files", .int(rawFiles)), ("records", .int(records)), ("staged", .int(staged)),
            ("quarantined", .int(quarantined)), ("duplicates_removed", .int(duplicates)),
            ("files_written", .int(filesWritten)), ("files_kept", .int(filesKept)),
            ("files_rewritten", .int(filesRewritten)), ("total_rows", .int(totalRows)),
            ("drift", .array(drift.map { .object([("field", .string($0.field)), ("type", .string($0.type)), ("count", .int($0.count))]) })),
            ("skipped", .array(skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
            ("notes", .array(notes.map(JSONValue.string))),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
        ])
    }
}
