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
            for r in range {
                let range = s.range(r)
                appendLE(UInt32(range.count), to: &out)
                out.append(contentsOf: s.bytes[range])
            }
        }
    }

    static func append(_ data: ColumnData, rows: [Int], to out: inout [UInt8]) {
        switch data {
        case let .boolean(v): appendBooleans(rows.lazy.map { v[$0] }, to: &out)
        case let .int32(v): for r in rows { appendLE(v[r], to: &out) }
        case let .int64(v): for r in rows { appendLE(v[r], to: &out) }
        case let .double(v): for r in rows { appendLE(v[r].bitPattern, to: &out) }
        case let .string(s):
            for r in rows {
                let range = s.range(r)
                appendLE(UInt32(range.count), to: &out)
                out.append(contentsOf: s.bytes[range])
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
