/// PLAIN encoding: fixed-width values little-endian, booleans bit-packed, byte arrays with a
/// 4-byte length in front.
enum PlainEncoder {
    static func appendLE<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func bytes<T: FixedWidthInteger>(of value: T) -> [UInt8] {
        var out: [UInt8] = []
        appendLE(value, to: &out)
        return out
    }

    static func append(_ data: ColumnData, range: Range<Int>, to out: inout [UInt8]) {
        switch data {
        case let .boolean(v): appendBooleans(range.lazy.map { v[$0] }, to: &out)
        case let .int32(v): v[range].withUnsafeBytes { out.append(contentsOf: $0) }
        case let .int64(v): v[range].withUnsafeBytes { out.append(contentsOf: $0) }
        case let .double(v): v[range].withUnsafeBytes { out.append(contentsOf: $0) }
        case let .string(s):
            guard !range.isEmpty else { return }
            appendStrings(s, rows: range, bytes: Int(s.offsets[range.upperBound]) - Int(s.offsets[range.lowerBound]), to: &out)
        }
    }

    static func append(_ data: ColumnData, rows: [Int], to out: inout [UInt8]) {
        switch data {
        case let .boolean(v): appendBooleans(rows.lazy.map { v[$0] }, to: &out)
        case let .int32(v): for r in rows { appendLE(v[r], to: &out) }
        case let .int64(v): for r in rows { appendLE(v[r], to: &out) }
        case let .double(v): for r in rows { appendLE(v[r].bitPattern, to: &out) }
        case let .string(s):
            let bytes = s.offsets.withUnsafeBufferPointer { offsets in rows.reduce(0) { $0 + Int(offsets[$1 + 1]) - Int(offsets[$1]) } }
            appendStrings(s, rows: rows, bytes: bytes, to: &out)
        }
    }

    /// Each value as its length and bytes, written into room made once: an append of the length
    /// and one of a slice per value retained the column's bytes and checked the output's
    /// uniqueness twice per value.
    private static func appendStrings<Rows: Collection>(_ s: StringArray, rows: Rows, bytes: Int, to out: inout [UInt8])
    where Rows.Element == Int {
        var start = out.count
        out.append(contentsOf: repeatElement(0, count: bytes + 4 * rows.count))
        out.withUnsafeMutableBytes { o in
            s.bytes.withUnsafeBytes { b in
                s.offsets.withUnsafeBufferPointer { offsets in
                    for r in rows {
                        let low = Int(offsets[r]), n = Int(offsets[r + 1]) - low
                        o.storeBytes(of: UInt32(n).littleEndian, toByteOffset: start, as: UInt32.self)
                        if n > 0 { memcpy(o.baseAddress! + start + 4, b.baseAddress! + low, n) }
                        start += 4 + n
                    }
                }
            }
        }
    }

    private static func appendBooleans<S: Sequence>(_ values: S, to out: inout [UInt8]) where S.Element == Bool {
        var byte: UInt8 = 0
        var bit: UInt8 = 0
        for v in values {
            if v { byte |= 1 << bit }
            bit += 1
            if bit == 8 { out.append(byte); byte = 0; bit = 0 }
        }
        if bit > 0 { out.append(byte) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
