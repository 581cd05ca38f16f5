/// LZ4's frame format (magic 0x184D2204), as Kafka stores LZ4-compressed batches: a frame
/// descriptor, then blocks — compressed, or stored when the high bit of their size is set —
/// until a zero end mark. Checksums in the frame are optional and not needed to decode.
public enum LZ4 {
    public static func decompressFrame(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        func fail(_ why: String) -> CodecError { .corrupt(codec: "lz4", why) }
        var out = Output(capacity: Swift.max(1 << 12, input.count * 4))
        defer { out.free() }
        var p = 0
        while p < input.count {
            guard p + 7 <= input.count else { throw fail("a frame header is cut short") }
            let magic = input.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian
            if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                // A skippable frame.
                let size = Int(input.loadUnaligned(fromByteOffset: p + 4, as: UInt32.self).littleEndian)
                p += 8 + size
                continue
            }
            guard magic == 0x184D_2204 else { throw fail("no LZ4 frame magic at byte \(p)") }
            let flags = input[p + 4]
            guard flags >> 6 == 1 else { throw fail("frame version \(flags >> 6), not 1") }
            let blockChecksum = flags & 0x10 != 0
            let contentSize = flags & 0x08 != 0
            let contentChecksum = flags & 0x04 != 0
            let dictionary = flags & 0x01 != 0
            // BD: a block inflates to at most 64 KiB << 2·(id − 4).
            let sizeID = Int((input[p + 5] >> 4) & 0x07)
            guard sizeID >= 4 else { throw fail("block maximum size id \(sizeID)") }
            let blockMax = 1 << (16 + 2 * (sizeID - 4))
            p += 6 + (contentSize ? 8 : 0) + (dictionary ? 4 : 0) + 1   // FLG, BD, options, header checksum
            while true {
                guard p + 4 <= input.count else { throw fail("a block size is cut short") }
                let raw = input.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian
                p += 4
                if raw == 0 { break }
                let size = Int(raw & 0x7FFF_FFFF)
                guard p + size <= input.count else { throw fail("a block runs past the end") }
                let block = UnsafeRawBufferPointer(rebasing: input[p..<(p + size)])
                if raw & 0x8000_0000 != 0 {
                    out.ensure(size)
                    (out.start + out.count).update(from: block.baseAddress!.assumingMemoryBound(to: UInt8.self), count: size)
                    out.count += size
                } else {
                    // A block inflates to at most its maximum, and to at most ~255× its size.
                    out.ensure(Swift.min(blockMax, size &* 255 &+ 64))
                    try decompressBlock(block, into: &out)
                }
                p += size + (blockChecksum ? 4 : 0)
            }
            p += contentChecksum ? 4 : 0
        }
        return Array(UnsafeBufferPointer(start: out.start, count: out.count))
    }

    /// Bytes inflated so far, in memory lake grows itself: matches copy within it, and no
    /// room is zeroed before it is written.
    struct Output {
        var start: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            start = .allocate(capacity: capacity)
        }

        mutating func ensure(_ more: Int) {
            guard count + more > capacity else { return }
            var grown = capacity * 2
            while grown < count + more { grown *= 2 }
            let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            moved.update(from: start, count: count)
            start.deallocate()
            start = moved
            capacity = grown
        }

        func free() { start.deallocate() }
    }

    /// One LZ4 block, appended to `out` (which has room for it): sequences of literals and
    /// (offset, length) matches into what came before, in this block or earlier ones.
    static func decompressBlock(_ input: UnsafeRawBufferPointer, into out: inout Output) throws {
        func fail(_ why: String) -> CodecError { .corrupt(codec: "lz4", why) }
        let dst = out.start
        let limit = out.capacity
        let src = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var o = out.count
        var p = 0
        while p < input.count {
            let token = src[p]
            p += 1
            var literals = Int(token >> 4)
            if literals == 15 {
                while true {
                    guard p < input.count else { throw fail("a literal length is cut short") }
                    let b = src[p]; p += 1
                    literals += Int(b)
                    if b != 255 { break }
                }
            }
            guard p + literals <= input.count else { throw fail("literals run past the end") }
            guard o + literals <= limit else { throw fail("a block inflates past its maximum size") }
            (dst + o).update(from: src + p, count: literals)
            o += literals
            p += literals
            if p == input.count { break }   // the last sequence has no match
            guard p + 2 <= input.count else { throw fail("a match offset is cut short") }
            let offset = Int(src[p]) | Int(src[p + 1]) << 8
            p += 2
            var length = Int(token & 0x0F)
            if length == 15 {
                while true {
                    guard p < input.count else { throw fail("a match length is cut short") }
                    let b = src[p]; p += 1
                    length += Int(b)
                    if b != 255 { break }
                }
            }
            length += 4
            guard offset > 0, offset <= o else { throw fail("a match reaches before the start") }
            guard o + length <= limit else { throw fail("a block inflates past its maximum size") }
            let from = dst + (o - offset)
            if offset >= length {
                (dst + o).update(from: from, count: length)
            } else {
                // Overlapping: the match repeats the bytes it is writing.
                for k in 0..<length { dst[o + k] = from[k] }
            }
            o += length
        }
        out.count = o
    }
}
