/// Snappy's raw format (no framing), as Parquet stores SNAPPY pages and librdkafka sends
/// Kafka batches: a varint of the uncompressed length, then literals and back-references.
public enum Snappy {
    public static func decompress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        var p = 0
        var length = 0
        var shift = 0
        while true {
            guard p < input.count, shift < 35 else { throw CodecError.corrupt(codec: "snappy", "snappy length header is bad") }
            let b = input[p]
            p += 1
            length |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        var out = [UInt8](repeating: 0, count: length)
        var o = 0
        try out.withUnsafeMutableBufferPointer { dst in
            while p < input.count {
                let tag = input[p]
                p += 1
                switch tag & 3 {
                case 0:
                    var len = Int(tag >> 2) + 1
                    if len > 60 {
                        let extra = len - 60
                        guard p + extra <= input.count else { throw CodecError.corrupt(codec: "snappy", "snappy literal runs past the end") }
                        len = 0
                        for i in 0..<extra { len |= Int(input[p + i]) << (8 * i) }
                        len += 1
                        p += extra
                    }
                    guard p + len <= input.count, o + len <= length else { throw CodecError.corrupt(codec: "snappy", "snappy literal runs past the end") }
                    (UnsafeMutableRawPointer(dst.baseAddress!) + o).copyMemory(from: input.baseAddress! + p, byteCount: len)
                    p += len
                    o += len
                default:
                    let len: Int
                    let offset: Int
                    switch tag & 3 {
                    case 1:
                        guard p < input.count else { throw CodecError.corrupt(codec: "snappy", "snappy copy runs past the end") }
                        len = 4 + Int((tag >> 2) & 7)
                        offset = Int(tag >> 5) << 8 | Int(input[p])
                        p += 1
                    case 2:
                        guard p + 2 <= input.count else { throw CodecError.corrupt(codec: "snappy", "snappy copy runs past the end") }
                        len = Int(tag >> 2) + 1
                        offset = Int(input[p]) | Int(input[p + 1]) << 8
                        p += 2
                    default:
                        guard p + 4 <= input.count else { throw CodecError.corrupt(codec: "snappy", "snappy copy runs past the end") }
                        len = Int(tag >> 2) + 1
                        offset = Int(input[p]) | Int(input[p + 1]) << 8 | Int(input[p + 2]) << 16 | Int(input[p + 3]) << 24
                        p += 4
                    }
                    guard offset > 0, offset <= o, o + len <= length else { throw CodecError.corrupt(codec: "snappy", "snappy copy points outside the output") }
                    for i in 0..<len { dst[o + i] = dst[o - offset + i] }
                    o += len
                }
            }
        }
        guard o == length else { throw CodecError.corrupt(codec: "snappy", "snappy data decompressed to \(o) bytes, expected \(length)") }
        return out
    }

    /// A greedy compressor (4-byte hash matches, as the reference does) for writers without libzstd.
    public static func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var length = UInt64(input.count)
        while length >= 0x80 { out.append(UInt8(length & 0x7F) | 0x80); length >>= 7 }
        out.append(UInt8(length))
        let n = input.count
        var table = [Int32](repeating: -1, count: 1 << 14)
        func load32(_ i: Int) -> UInt32 { input.loadUnaligned(fromByteOffset: i, as: UInt32.self) }
        func hash(_ v: UInt32) -> Int { Int((v &* 0x1E35A7BD) >> 18) }
        func literal(_ from: Int, _ to: Int) {
            var start = from
            while start < to {
                let len = min(to - start, 65536)
                if len <= 60 {
                    out.append(UInt8(len - 1) << 2)
                } else if len <= 256 {
                    out.append(60 << 2)
                    out.append(UInt8(len - 1))
                } else {
                    out.append(61 << 2)
                    out.append(UInt8((len - 1) & 0xFF))
                    out.append(UInt8((len - 1) >> 8))
                }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<(start + len)]))
                start += len
            }
        }
        var anchor = 0
        var i = 0
        while i + 4 <= n {
            let v = load32(i)
            let h = hash(v)
            let candidate = Int(table[h])
            table[h] = Int32(i)
            if candidate >= 0, i - candidate <= 65535, load32(candidate) == v {
                literal(anchor, i)
                var len = 4
                while i + len < n && input[candidate + len] == input[i + len] { len += 1 }
                let offset = i - candidate
                var remaining = len
                while remaining > 0 {
                    let piece = min(remaining, 64)
                    out.append(UInt8(piece - 1) << 2 | 2)
                    out.append(UInt8(offset & 0xFF))
                    out.append(UInt8(offset >> 8))
                    remaining -= piece
                }
                i += len
                anchor = i
            } else {
                i += 1
            }
        }
        literal(anchor, n)
    }
}
