import LakeCore
/// A string column chunk's dictionary: distinct values in first-seen order and, per
/// non-null row, its entry. Built with an open-addressing table over the column's bytes;
/// values compare with inline word loads (a memcmp call per row was 1.4% of a promotion).
struct DictionaryEncoding {
    var entries: [Int] = []      // a row holding each distinct value
    var indices: [UInt32] = []   // per non-null row, in row order

    /// After this many rows all distinct, the column is taken for unique (an event id): its
    /// dictionary would only repeat the values and add a code per row.
    static let uniqueProbeRows = 4096

    static func build(_ s: StringArray, rows: [Int], maxBytes: Int) -> DictionaryEncoding? {
        rows.withUnsafeBufferPointer { encode(s, rows: $0, maxBytes: maxBytes) }
    }

    /// A chunk without nulls gives its rows as a range: an array of every row number was
    /// written and read again for each string column of each row group.
    static func build(_ s: StringArray, rows: Range<Int>, maxBytes: Int) -> DictionaryEncoding? {
        encode(s, rows: rows, maxBytes: maxBytes)
    }

    private static func encode<Rows: RandomAccessCollection>(_ s: StringArray, rows: Rows, maxBytes: Int) -> DictionaryEncoding?
    where Rows.Element == Int {
        var d = DictionaryEncoding()
        var indices = [UInt32](repeating: 0, count: rows.count)
        // Slots hold a 32-bit tag of the value's hash and its entry + 1 (0: empty), and each
        // entry's bytes are found by its first row: a probe reads no other array.
        var capacity = 1024
        var table = [UInt64](repeating: 0, count: capacity)
        var hashes: [UInt64] = []
        var dictBytes = 0
        let complete = s.bytes.withUnsafeBufferPointer { b -> Bool in
            s.offsets.withUnsafeBufferPointer { offsets -> Bool in
                indices.withUnsafeMutableBufferPointer { indices -> Bool in
                    let base = b.baseAddress
                    @inline(__always) func equal(_ x: Int, _ y: Int) -> Bool {
                        let xs = Int(offsets[x]), xl = Int(offsets[x + 1]) - xs
                        let ys = Int(offsets[y]), yl = Int(offsets[y + 1]) - ys
                        return xl == yl && (xl == 0 || ByteHash.equal(base! + xs, base! + ys, xl))
                    }
                    var previous = -1
                    for (k, r) in rows.enumerated() {
                        if k == uniqueProbeRows, d.entries.count == k { return false }
                        // Runs of one value (a raw file's path, a region) skip the hash table.
                        if previous >= 0, equal(previous, r) {
                            indices[k] = indices[k - 1]
                            continue
                        }
                        previous = r
                        let h = ByteHash.hash(base, Int(offsets[r])..<Int(offsets[r + 1]))
                        let tag = h >> 32 | 1
                        var slot = Int(truncatingIfNeeded: h) & (capacity - 1)
                        var found = -1
                        while true {
                            let entry = table[slot]
                            if entry == 0 { break }
                            if entry >> 32 == tag {
                                let e = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                                if equal(d.entries[e], r) { found = e; break }
                            }
                            slot = (slot + 1) & (capacity - 1)
                        }
                        if found < 0 {
                            found = d.entries.count
                            dictBytes += Int(offsets[r + 1]) - Int(offsets[r]) + 4
                            if dictBytes > maxBytes { return false }
                            d.entries.append(r)
                            hashes.append(h)
                            table[slot] = tag << 32 | UInt64(found + 1)
                            if d.entries.count * 2 > capacity {
                                capacity *= 2
                                table = [UInt64](repeating: 0, count: capacity)
                                for (e, eh) in hashes.enumerated() {
                                    var s = Int(truncatingIfNeeded: eh) & (capacity - 1)
                                    while table[s] != 0 { s = (s + 1) & (capacity - 1) }
                                    table[s] = (eh >> 32 | 1) << 32 | UInt64(e + 1)
                                }
                            }
                        }
                        indices[k] = UInt32(found)
                    }
                    return true
                }
            }
        }
        guard complete else { return nil }
        d.indices = indices
        return d
    }

    func dictionaryPage(_ data: ColumnData) -> [UInt8] {
        var out: [UInt8] = []
        PlainEncoder.append(data, rows: entries, to: &out)
        return out
    }
}
