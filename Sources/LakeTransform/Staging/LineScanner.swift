import LakeCore

/// A byte-level scanner for the common shape of a stream raw line — `{"_meta": {flat},
/// "value": {flat}}` — that hands each member's key and value position to the caller
/// without building a tape. Anything else (nesting inside `value`, escaped keys, odd
/// members, invalid JSON) makes it give up, and the line takes the general path.
struct LineScanner {
    enum Kind: UInt8 { case string, number, yes, no, null }

    struct Token {
        var kind: Kind
        /// For strings the bytes between the quotes; for others the value's bytes.
        var start: Int
        var end: Int
        var escaped: Bool
    }

    let b: UnsafeBufferPointer<UInt8>
    var p = 0
    /// A byte ≥ 0x80 was seen: the caller checks UTF-8.
    var sawHighByte = false

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    @inline(__always) mutating func skipSpace() {
        while p < b.count, b[p] == 0x20 || b[p] == 0x09 || b[p] == 0x0A || b[p] == 0x0D { p += 1 }
    }

    @inline(__always) mutating func expect(_ c: UInt8) -> Bool {
        skipSpace()
        guard p < b.count, b[p] == c else { return false }
        p += 1
        return true
    }

    /// A string starting at the quote; returns its content range.
    @inline(__always) mutating func string() -> Token? {
        guard p < b.count, b[p] == 0x22 else { return nil }
        p += 1
        let start = p
        var escaped = false
        let words = UnsafeRawPointer(b.baseAddress!)
        while p < b.count {
            // Eight plain bytes at a time; stop at the first that needs a look.
            while p + 8 <= b.count {
                let w = words.loadUnaligned(fromByteOffset: p, as: UInt64.self)
                let m = Self.notPlain(w)
                if m != 0 { p += m.trailingZeroBitCount >> 3; break }
                p += 8
            }
            guard p < b.count else { return nil }
            let c = b[p]
            if c == 0x22 {
                p += 1
                return Token(kind: .string, start: start, end: p - 1, escaped: escaped)
            }
            if c == 0x5C {
                escaped = true
                guard p + 1 < b.count else { return nil }
                let e = b[p + 1]
                if e == 0x75 {   // \uXXXX
                    guard p + 6 <= b.count else { return nil }
                    for k in 2..<6 where !Self.isHex(b[p + k]) { return nil }
                    p += 6
                    continue
                }
                guard e == 0x22 || e == 0x5C || e == 0x2F || e == 0x62 || e == 0x66 || e == 0x6E || e == 0x72 || e == 0x74 else { return nil }
                p += 2
                continue
            }
            if c < 0x20 { return nil }
            if c >= 0x80 { sawHighByte = true }
            p += 1
        }
        return nil
    }

    /// The high bit set in the lowest byte of `w` (little-endian) that is a quote, a backslash,
    /// a control character or not ASCII; zero when all eight are plain string bytes. Bits above
    /// the lowest may be false (the subtractions borrow), so only the lowest is read.
    @inline(__always) static func notPlain(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
        let low = (quote &- ones) | (backslash &- ones) | (w &- ones &* 0x20)
        return (low & ~w | w) & (ones &* 0x80)
    }

    static func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) }

    /// A scalar value (no objects or arrays).
    mutating func scalar() -> Token? {
        skipSpace()
        guard p < b.count else { return nil }
        let c = b[p]
        switch c {
        case 0x22: return string()
        case 0x74: return literal("true", .yes)
        case 0x66: return literal("false", .no)
        case 0x6E: return literal("null", .null)
        case 0x2D, 0x30...0x39: return number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: Kind) -> Token? {
        let n = word.utf8CodeUnitCount
        guard p + n <= b.count else { return nil }
        let w = word.utf8Start
        for k in 0..<n where b[p + k] != w[k] { return nil }
        defer { p += n }
        return Token(kind: kind, start: p, end: p + n, escaped: false)
    }

    /// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number() -> Token? {
        let start = p
        if b[p] == 0x2D { p += 1 }
        guard p < b.count, b[p] >= 0x30, b[p] <= 0x39 else { return nil }
        if b[p] == 0x30 { p += 1 } else { while p < b.count, b[p] >= 0x30, b[p] <= 0x39 { p += 1 } }
        if p < b.count, b[p] == 0x2E {
            p += 1
            let digits = p
            while p < b.count, b[p] >= 0x30, b[p] <= 0x39 { p += 1 }
            guard p > digits else { return nil }
        }
        if p < b.count, b[p] == 0x65 || b[p] == 0x45 {
            p += 1
            if p < b.count, b[p] == 0x2B || b[p] == 0x2D { p += 1 }
            let digits = p
            while p < b.count, b[p] >= 0x30, b[p] <= 0x39 { p += 1 }
            guard p > digits else { return nil }
        }
        return Token(kind: .number, start: start, end: p, escaped: false)
    }

    /// A flat object at the cursor: `member` gets each key's content range (keys with escapes
    /// fail the scan) and its scalar value. Returns the object's byte range.
    mutating func flatObject(_ member: (Range<Int>, Token) -> Void) -> Range<Int>? {
        skipSpace()
        let start = p
        guard expect(0x7B) else { return nil }
        skipSpace()
        if p < b.count, b[p] == 0x7D { p += 1; return start..<p }
        while true {
            skipSpace()
            guard let key = string(), !key.escaped, expect(0x3A), let value = scalar() else { return nil }
            member(key.start..<key.end, value)
            skipSpace()
            guard p < b.count else { return nil }
            if b[p] == 0x2C { p += 1; continue }
            if b[p] == 0x7D { p += 1; return start..<p }
            return nil
        }
    }

    /// Whether the key at `range` is `names[name]`.
    @inline(__always) func keyEquals(_ range: Range<Int>, _ names: [UInt8], _ name: Range<Int>) -> Bool {
        guard range.count == name.count else { return false }
        return names.withUnsafeBufferPointer { ByteHash.equal(b.baseAddress! + range.lowerBound, $0.baseAddress! + name.lowerBound, range.count) }
    }

    /// The same, with the names in raw memory.
    @inline(__always) func keyEquals(_ range: Range<Int>, _ names: UnsafeBufferPointer<UInt8>, _ name: Range<Int>) -> Bool {
        guard range.count == name.count else { return false }
        return ByteHash.equal(b.baseAddress! + range.lowerBound, names.baseAddress! + name.lowerBound, range.count)
    }

    @inline(__always) func keyEquals(_ range: Range<Int>, _ name: [UInt8]) -> Bool {
        keyEquals(range, name, 0..<name.count)
    }
}
