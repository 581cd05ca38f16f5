import Foundation
import LakeCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads one partition from an offset, in batches, verifying each record's checksum. A
/// torn or half-written tail ends the batch; it is never read as data.
public final class PartitionReader {
    public let partition: Partition
    public private(set) var position: Int64
    private var segments: [(base: Int64, path: String)]
    private var segmentIndex = 0
    private var fd: Int32 = -1
    private var fileOffset = 0
    /// Bytes read from the segment live in `buffer[bufferStart..<bufferEnd]`.
    private var buffer: [UInt8]
    private var bufferStart = 0
    private var bufferEnd = 0

    /// Starts at `offset` (clamped to what is kept).
    public init(_ partition: Partition, from offset: Int64, chunkBytes: Int = 1 << 20) throws {
        self.partition = partition
        buffer = [UInt8](repeating: 0, count: chunkBytes)
        segments = partition.segments()
        position = max(offset, segments.first?.base ?? 0)
        segmentIndex = max(0, (segments.lastIndex { $0.base <= position }) ?? 0)
        try openCurrent()
        // Skip within the segment to `position` by hopping record sizes (no checksums).
        try skip(to: position)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Calls `body` for each record up to `maxRecords`; returns how many were read.
    /// Records are only valid inside `body`.
    @discardableResult
    public func read(maxRecords: Int, _ body: (RecordFormat.Record) throws -> Void) throws -> Int {
        var count = 0
        while count < maxRecords {
            guard let record = try nextRecord() else { break }
            try body(record)
            count += 1
        }
        return count
    }

    private func nextRecord() throws -> RecordFormat.Record? {
        while true {
            let decoded: RecordFormat.Decoded = buffer.withUnsafeBytes {
                RecordFormat.decode(UnsafeRawBufferPointer(rebasing: $0[..<bufferEnd]), at: bufferStart)
            }
            switch decoded {
            case let .record(record):
                bufferStart += record.size
                position = record.offset + 1
                // The record views point into `buffer`, which is not touched until the next call.
                return buffer.withUnsafeBytes { all in
                    let base = all.baseAddress!
                    return RecordFormat.Record(
                        offset: record.offset, timestamp: record.timestamp,
                        key: UnsafeRawBufferPointer(start: base + (record.key.baseAddress! - base), count: record.key.count),
                        value: UnsafeRawBufferPointer(start: base + (record.value.baseAddress! - base), count: record.value.count),
                        size: record.size)
                }
            case .incomplete, .corrupt:
                if try fill() { continue }
                // A partition that had no segment when this reader opened may have one now.
                if fd < 0 {
                    guard refreshSegments() else { return nil }
                    try openCurrent()
                    continue
                }
                // The end of this segment. The last one may still be growing (a writer
                // appends, or died mid-record and the next writer cuts the tail): stop here.
                if segmentIndex + 1 >= segments.count, !refreshSegments() { return nil }
                guard bufferEnd == bufferStart, !decoded.isCorrupt else {
                    throw LogError.corruptSegment(path: segments[segmentIndex].path, offset: position)
                }
                segmentIndex += 1
                try openCurrent()
            }
        }
    }

    /// Reads more of the current segment; false at its end.
    private func fill() throws -> Bool {
        guard fd >= 0 else { return false }
        if bufferStart > 0 {
            let kept = bufferEnd - bufferStart
            buffer.withUnsafeMutableBytes { all in
                _ = memmove(all.baseAddress!, all.baseAddress! + bufferStart, kept)
            }
            bufferStart = 0
            bufferEnd = kept
        }
        // A record larger than the buffer: grow it.
        if bufferEnd == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let room = buffer.count - bufferEnd
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + bufferEnd, room, off_t(fileOffset)) }
        guard n >= 0 else { throw StorageError.io(path: partition.folder, operation: "reading", errno: errno) }
        bufferEnd += n
        fileOffset += n
        return n > 0
    }

    private func refreshSegments() -> Bool {
        let fresh = partition.segments()
        guard fresh.count > segments.count else { return false }
        segments = fresh
        return true
    }

    private func openCurrent() throws {
        if fd >= 0 { close(fd) }
        fd = -1
        bufferEnd = 0
        bufferStart = 0
        fileOffset = 0
        guard segmentIndex < segments.count else { return }
        fd = open(segments[segmentIndex].path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io(path: segments[segmentIndex].path, operation: "opening", errno: errno) }
    }

    private func skip(to offset: Int64) throws {
        while true {
            let decoded: RecordFormat.Decoded = buffer.withUnsafeBytes {
                RecordFormat.decode(UnsafeRawBufferPointer(rebasing: $0[..<bufferEnd]), at: bufferStart, verify: false)
            }
            switch decoded {
            case let .record(record):
                if record.offset >= offset { return }
                bufferStart += record.size
            case .incomplete, .corrupt:
                if try fill() { continue }
                return
            }
        }
    }

    /// The first offset whose record was appended at or after `time` (ms), or the end.
    public static func offset(in partition: Partition, atOrAfter time: Int64) throws -> Int64 {
        var found: Int64?
        for segment in partition.segments().reversed() {
            let reader = try PartitionReader(partition, from: segment.base)
            var first: Int64?
            try reader.read(maxRecords: Int.max) { record in
                if first == nil, record.timestamp >= time { first = record.offset }
            }
            if let first { found = first } else { break }
        }
        return try found ?? partition.endOffset()
    }
}

extension RecordFormat.Decoded {
    var isCorrupt: Bool { if case .corrupt = self { return true } else { return false } }
}
