/// A fast 64-bit hash of a byte range (8 bytes at a time, multiply-xorshift mixing): for
/// in-memory hash tables (Parquet dictionaries, query keys), not for anything stored.
public enum ByteHash {
    public static func hash(_ base: UnsafePointer<UInt8>?, _ range: Range<Int>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(range.count)
        guard let base else { return h }
        var p = range.lowerBound
        let end = range.upperBound
        while p + 8 <= end {
            let v = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
            h = (h ^ v) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            p += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while p < end { tail |= UInt64(base[p]) << shift; shift += 8; p += 1 }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }

    /// Whether `n` bytes at `a` and `b` are equal: ids, keys and field names are short, and a
    /// call to memcmp cost more than comparing them a word at a time inline. The last word (or
    /// the two halves of a 4–7 byte string) is loaded overlapping the one before, so no bytes
    /// are left for a byte loop; every load stays inside both ranges.
    @inlinable
    public static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        if n >= 8 {
            var p = 0
            while p + 8 < n {
                if x.loadUnaligned(fromByteOffset: p, as: UInt64.self) != y.loadUnaligned(fromByteOffset: p, as: UInt64.self) { return false }
                p += 8
            }
            return x.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 {
            return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
                && x.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        for i in 0..<n where a[i] != b[i] { return false }
        return true
    }

    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash($0.baseAddress, 0..<$0.count) }
    }
}

/// Keeps a value the optimizer would otherwise drop: cache-warming loads are read for their
/// side effect on the cache alone.
@inline(never) @_optimize(none)
public func keepAlive(_ x: UInt64) {}
