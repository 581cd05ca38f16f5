import LakeCore
import Testing

@Suite struct ByteHashTests {
    /// Short strings compare by overlapping word loads: a differing byte at any position of any
    /// length must be seen, equal strings must match, and bytes past the length must not count.
    @Test func stringsCompareUnequalWhereverTheyDiffer() {
        for length in 0..<24 {
            let name = (0..<length).map { UInt8(0x61 + $0 % 26) }
            let same = name + [0xEE]
            (name + [0xFF]).withUnsafeBufferPointer { x in
                same.withUnsafeBufferPointer { y in #expect(ByteHash.equal(x.baseAddress!, y.baseAddress!, length), "length \(length)") }
                for at in 0..<length {
                    var other = same
                    other[at] ^= 0x20
                    other.withUnsafeBufferPointer { y in
                        #expect(!ByteHash.equal(x.baseAddress!, y.baseAddress!, length), "length \(length), byte \(at)")
                    }
                }
            }
        }
    }
}
