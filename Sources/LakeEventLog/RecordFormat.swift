import CZlib

/// One record in a segment file, little-endian:
///
/// ```
/// u32 size      bytes after this field
/// u32 crc32     of everything after this field (zlib's CRC-32)
/// i64 offset
/// i64 timestamp milliseconds since 1970, when the record was appended
/// u16 key size, key bytes, value bytes
/// ```
/// A torn write leaves a size that overruns the file or a CRC that does not match; both end
/// the readable log there.
public enum RecordFormat {
    public static let headerSize = 26
    public static let maxRecordBytes = 8 << 20

    /// Appends one encoded record to `buffer`.
    @inline(__always)
    public static func encode(offset: Int64, timestamp: Int64, key: UnsafeRawBufferPointer?,
                              value: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
        let keyCount = key?.count ?? 0
        let size = UInt32(4 + 8 + 8 + 2 + keyCount + value.count)
        let start = buffer.count
        append32(size, &buffer)
        append32(0, &buffer)
        append64(UInt64(bitPattern: offset), &buffer)
        append64(UInt64(bitPattern: timestamp), &buffer)
        buffer.append(UInt8(truncatingIfNeeded: keyCount))
        buffer.append(UInt8(truncatingIfNeeded: keyCount >> 8))
        if let key { buffer.append(contentsOf: key) }
        buffer.append(contentsOf: value)
        let crc = buffer.withUnsafeBytes { all -> UInt32 in
            let body = UnsafeRawBufferPointer(rebasing: all[(start + 8)...])
            return UInt32(crc32(0, body.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(body.count)))
        }
        buffer[start + 4] = UInt8(truncatingIfNeeded: crc)
        buffer[start + 5] = UInt8(truncatingIfNeeded: crc >> 8)
        buffer[start + 6] = UInt8(truncatingIfNeeded: crc >> 16)
        buffer[start + 7] = UInt8(truncatingIfNeeded: crc >> 24)
    }

    /// A record read back: views into the buffer it was read from.
    public struct Record {
        public var offset: Int64
        public var timestamp: Int64
        public var key: UnsafeRawBufferPointer
        public var value: UnsafeRawBufferPointer
        /// Bytes the record takes in the segment.
        public var size: Int
    }

    public enum Decoded {
        case record(Record)
        /// Not enough bytes for a whole record: the end of what is written so far.
        case incomplete
        /// A size or checksum that cannot be right: a torn or corrupt tail.
        case corrupt
    }

    @inline(__always)
    public static func decode(_ bytes: UnsafeRawBufferPointer, at position: Int, verify: Bool = true) -> Decoded {
        guard position + headerSize <= bytes.count else { return .incomplete }
        let size = Int(load32(bytes, position))
        guard size >= headerSize - 4, size <= maxRecordBytes + 64 else { return .corrupt }
        guard position + 4 + size <= bytes.count else { return .incomplete }
        if verify {
            let body = UnsafeRawBufferPointer(rebasing: bytes[(position + 8)..<(position + 4 + size)])
            let crc = UInt32(crc32(0, body.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(body.count)))
            guard crc == load32(bytes, position + 4) else { return .corrupt }
        }
        let keyCount = Int(bytes[position + 24]) | Int(bytes[position + 25]) << 8
        guard 22 + keyCount <= size else { return .corrupt }
        let keyStart = position + headerSize
        return .record(Record(
            offset: Int64(bitPattern: load64(bytes, position + 8)),
            timestamp: Int64(bitPattern: load64(bytes, position + 16)),
            key: UnsafeRawBufferPointer(rebasing: bytes[keyStart..<(keyStart + keyCount)]),
            value: UnsafeRawBufferPointer(rebasing: bytes[(keyStart + keyCount)..<(position + 4 + size)]),
            size: 4 + size))
    }

    @inline(__always) static func append32(_ v: UInt32, _ b: inout [UInt8]) {
        b.append(UInt8(truncatingIfNeeded: v)); b.append(UInt8(truncatingIfNeeded: v >> 8))
        b.append(UInt8(truncatingIfNeeded: v >> 16)); b.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    @inline(__always) static func append64(_ v: UInt64, _ b: inout [UInt8]) {
        append32(UInt32(truncatingIfNeeded: v), &b)
        append32(UInt32(truncatingIfNeeded: v >> 32), &b)
    }

    @inline(__always) static func load32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        b.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian
    }

    @inline(__always) static func load64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        b.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
    }
}
