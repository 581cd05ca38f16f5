import Foundation
import LakeCore
#if canImport(Glibc)
import Glibc
#endif

/// Appends to one partition. Holds the partition's append lock, so producers take turns;
/// on opening it cuts off a torn tail left by a writer that died mid-record.
public final class PartitionWriter {
    public let partition: Partition
    public private(set) var nextOffset: Int64
    /// Bytes cut off a torn tail when opening, if any.
    public let repairedBytes: Int
    private let lock: FileLock
    private var fd: Int32 = -1
    private var segmentBytes = 0
    private var buffer: [UInt8] = []
    private static let flushBytes = 1 << 20

    public init(_ partition: Partition, holder: String = "lake produce") throws {
        self.partition = partition
        try FileSystem.makeDirectories(partition.folder)
        lock = try FileLock.acquire(partition.folder + "/append.lock", holder: "pid \(getpid()) (\(holder))") { _ in }
        var repaired = 0
        var path = partition.folder + "/" + Partition.segmentName(0)
        var size = 0
        var next: Int64 = 0
        if let last = partition.segments().last {
            let scan = try Partition.scan(last.path, base: last.base)
            let onDisk = FileSystem.size(last.path) ?? 0
            if scan.validBytes < onDisk {
                guard truncate(last.path, off_t(scan.validBytes)) == 0 else {
                    throw StorageError.io(path: last.path, operation: "cutting the torn tail of", errno: errno)
                }
                repaired = onDisk - scan.validBytes
            }
            (path, size, next) = (last.path, scan.validBytes, scan.next)
        }
        nextOffset = next
        repairedBytes = repaired
        try openSegment(path, size: size)
        buffer.reserveCapacity(Self.flushBytes + 4096)
    }

    deinit {
        try? flush()
        if fd >= 0 { close(fd) }
        lock.release()
    }

    /// Appends one record; returns its offset.
    @discardableResult
    public func append(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, timestamp: Int64) throws -> Int64 {
        guard value.count + (key?.count ?? 0) <= RecordFormat.maxRecordBytes else {
            throw LogError.recordTooLarge(bytes: value.count, limit: RecordFormat.maxRecordBytes)
        }
        if segmentBytes + buffer.count >= partition.config.segmentBytes {
            try roll()
        }
        let offset = nextOffset
        RecordFormat.encode(offset: offset, timestamp: timestamp, key: key, value: value, into: &buffer)
        nextOffset += 1
        if buffer.count >= Self.flushBytes { try flush() }
        return offset
    }

    /// Writes what is buffered.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        let ok = buffer.withUnsafeBytes { FileSystem.writeAll(fd, $0) }
        guard ok else { throw StorageError.io(path: partition.folder, operation: "appending to", errno: errno) }
        segmentBytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes and fsyncs what is buffered.
    public func sync() throws {
        try flush()
        guard fsync(fd) == 0 else { throw StorageError.io(path: partition.folder, operation: "syncing", errno: errno) }
    }

    private func roll() throws {
        try sync()
        close(fd)
        try openSegment(partition.folder + "/" + Partition.segmentName(nextOffset), size: 0)
        try FileSystem.syncDirectory(partition.folder)
    }

    private func openSegment(_ path: String, size: Int) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError.io(path: path, operation: "opening", errno: errno) }
        segmentBytes = size
    }

    /// Removes whole segments past the topic's retention (never the one being written).
    @discardableResult
    public func applyRetention(now: Date = Date()) throws -> (segments: Int, bytes: Int) {
        try flush()
        var segments = partition.segments()
        guard segments.count > 1 else { return (0, 0) }
        segments.removeLast()
        var removed = (segments: 0, bytes: 0)
        var total = partition.segments().reduce(0) { $0 + (FileSystem.size($1.path) ?? 0) }
        for segment in segments {
            let size = FileSystem.size(segment.path) ?? 0
            let old = partition.config.retentionHours.map { hours in
                (FileSystem.modificationTime(segment.path) ?? now) < now.addingTimeInterval(-hours * 3600)
            } ?? false
            let over = partition.config.retentionBytes.map { total > $0 } ?? false
            guard old || over else { break }
            try FileSystem.remove(segment.path)
            total -= size
            removed.segments += 1
            removed.bytes += size
        }
        return removed
    }
}
