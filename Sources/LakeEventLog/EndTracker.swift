import Foundation
import LakeCore
#if canImport(Glibc)
import Glibc
#endif

/// A partition's end offset, found by reading only what was appended since the last look
/// (record headers only, no checksums): cheap enough for a progress line twice a second.
public final class EndTracker: @unchecked Sendable {
    public let partition: Partition
    private var segment: String?
    private var scanned = 0
    private var next: Int64 = 0

    public init(_ partition: Partition) { self.partition = partition }

    public func end() -> Int64 {
        guard let last = partition.segments().last else { return 0 }
        if last.path != segment {
            segment = last.path
            scanned = 0
            next = last.base
        }
        let fd = open(last.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return next }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(scanned + filled)) }
            guard n > 0 else { break }
            filled += n
            let used = buffer.withUnsafeBytes { all -> Int in
                var position = 0
                while case let .record(record) = RecordFormat.decode(UnsafeRawBufferPointer(rebasing: all[..<filled]),
                                                                       at: position, verify: false) {
                    position += record.size
                    next = record.offset + 1
                }
                return position
            }
            guard used > 0 else { break }
            scanned += used
            buffer.withUnsafeMutableBytes { all in _ = memmove(all.baseAddress!, all.baseAddress! + used, filled - used) }
            filled -= used
        }
        return next
    }
}
