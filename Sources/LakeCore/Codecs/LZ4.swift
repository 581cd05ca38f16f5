/// LZ4's frame format (magic 0x184D2204), as Kafka stores LZ4-compressed batches: a frame
/// descriptor, then blocks — compressed, or stored when the high bit of their size is set —
/// until a zero end mark. Checksums in the frame are optional and not needed to decode.
public enum LZ4 {
    public static func decompressFrame(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        func fail(_ why: String) -> CodecError { .corrupt(codec: "lz4", why) }
        var out: [UInt8] = []
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
            p += 6 + (contentSize ? 8 : 0) + (dictionary ? 4 : 0) + 1   // FLG, BD, options, header checksum
            while true {
                guard p + 4 <= input.count else { throw fail("a block size is cut short") }
                let raw = input.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian
                p += 4
                if raw == 0 { break }
                let size = Int(raw & 0x7FFF_FFFF)
                guard p + size <= input.count else { throw fail("a block runs past the end") }
                if raw & 0x8000_0000 != 0 {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[p..<(p + size)]))
                } else {
                    try decompressBlock(UnsafeRawBufferPointer(rebasing: input[p..<(p + size)]), into: &out)
                }
                p += size + (blockChecksum ? 4 : 0)
            }
            p += contentChecksum ? 4 : 0
        }
        return out
    }

    /// One LZ4 block: sequences of literals and (offset, length) matches into what came before.
    public static func decompressBlock(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        func fail(_ why: String) -> CodecError { .corrupt(codec: "lz4", why) }
        var p = 0
        let blockStart = out.count
        while p < input.count {
            let token = input[p]
            p += 1
            var literals = Int(token >> 4)
            if literals == 15 {
                while true {
                    guard p < input.count else { throw fail("a literal length is cut short") }
                    let b = input[p]; p += 1
                    literals += Int(b)
                    if b != 255 { break }
                }
            }
            guard p + literals <= input.count else { throw fail("literals run past the end") }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[p..<(p + literals)]))
            p += literals
            if p == input.count { break }   // the last sequence has no match
            guard p + 2 <= input.count else { throw fail("a match offset is cut short") }
            let offset = Int(input[p]) | Int(input[p + 1]) << 8
            p += 2
            var length = Int(token & 0x0F)
            if length == 15 {
                while true {
                    guard p < input.count else { throw fail("a match length is cut short") }
                    let b = input[p]; p += 1
                    length += Int(b)
                    if b != 255 { break }
                }
            }
            length += 4
            guard offset > 0, offset <= out.count - (out.count > blockStart ? 0 : 0), offset <= out.count else {
                throw fail("a match reaches before the start")
            }
            let from = out.count - offset
            if offset >= length {
                out.append(contentsOf: out[from..<(from + length)])
            } else {
                for k in 0..<length { out.append(out[from + k]) }
            }
        }
    }
}
