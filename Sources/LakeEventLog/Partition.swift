import Foundation
import LakeCore

/// One partition of a topic: its segment files, oldest first.
public struct Partition: Sendable {
    public let folder: String
    public let topic: String
    public let number: Int
    public let config: TopicConfig

    /// Segment files with their base offsets, oldest first.
    public func segments() -> [(base: Int64, path: String)] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".log") }
            .compactMap { name in Int64(name.dropLast(4)).map { ($0, folder + "/" + name) } }
            .sorted { $0.base < $1.base }
    }

    static func segmentName(_ base: Int64) -> String { String(format: "%020lld.log", base) }

    /// The first offset still kept.
    public var earliestOffset: Int64 { segments().first?.base ?? 0 }

    /// The offset the next record will get: one past the last whole record.
    public func endOffset() throws -> Int64 {
        guard let last = segments().last else { return 0 }
        return try Self.scan(last.path, base: last.base).next
    }

    /// Walks a segment's whole records; returns the next offset and the byte length of the
    /// valid prefix (where a torn tail begins).
    static func scan(_ path: String, base: Int64) throws -> (next: Int64, validBytes: Int) {
        let bytes = try FileSystem.readFile(path)
        var position = 0
        var next = base
        bytes.withUnsafeBytes { buffer in
            while case let .record(record) = RecordFormat.decode(buffer, at: position) {
                position += record.size
                next = record.offset + 1
            }
        }
        return (next, position)
    }
}
