/// UTF-8 validation without building a String (RFC 3629: no overlongs, no surrogates,
/// nothing past U+10FFFF), with an 8-bytes-at-a-time path for ASCII.
public enum UTF8Check {
    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    public static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { firstInvalid($0) }
    }

    public static func firstInvalid(_ b: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            if i + 8 <= n, b.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
            switch c {
            case 0xC2...0xDF:
                guard cont(1) else { return i }
                i += 2
            case 0xE0...0xEF:
                guard cont(1), cont(2) else { return i }
                let c1 = b[i + 1]
                if c == 0xE0, c1 < 0xA0 { return i }  // overlong
                if c == 0xED, c1 > 0x9F { return i }  // surrogate
                i += 3
            case 0xF0...0xF4:
                guard cont(1), cont(2), cont(3) else { return i }
                let c1 = b[i + 1]
                if c == 0xF0, c1 < 0x90 { return i }
                if c == 0xF4, c1 > 0x8F { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }
}
