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
        var d = DictionaryEncoding()
        d.indices.reserveCapacity(rows.count)
        var capacity = 1024
        var table = [Int32](repeating: -1, count: capacity)
        var hashes: [UInt64] = []
        var dictBytes = 0
        return s.bytes.withUnsafeBufferPointer { b -> DictionaryEncoding? in
            let base = b.baseAddress
            var previous: Range<Int>?
            for (seen, r) in rows.enumerated() {
                if seen == uniqueProbeRows, d.entries.count == seen { return nil }
                let range = s.range(r)
                // Runs of one value (a raw file's path, a region) skip the hash table.
                if let p = previous, let last = d.indices.last, p.count == range.count,
                   range.isEmpty || ByteHash.equal(base! + p.lowerBound, base! + range.lowerBound, range.count) {
                    d.indices.append(last)
                    continue
                }
                previous = range
                let h = ByteHash.hash(base, range)
                var slot = Int(truncatingIfNeeded: h) & (capacity - 1)
                var found = -1
                while table[slot] >= 0 {
                    let e = Int(table[slot])
                    if hashes[e] == h {
                        let other = s.range(d.entries[e])
                        if other.count == range.count && (range.isEmpty || ByteHash.equal(base! + other.lowerBound, base! + range.lowerBound, range.count)) {
                            found = e
                            break
                        }
                    }
                    slot = (slot + 1) & (capacity - 1)
                }
                if found < 0 {
                    found = d.entries.count
                    dictBytes += range.count + 4
                    if dictBytes > maxBytes { return nil }
                    d.entries.append(r)
                    hashes.append(h)
                    table[slot] = Int32(found)
                    if d.entries.count * 2 > capacity {
                        capacity *= 2
                        table = [Int32](repeating: -1, count: capacity)
                        for (e, eh) in hashes.enumerated() {
                            var s = Int(truncatingIfNeeded: eh) & (capacity - 1)
                            while table[s] >= 0 { s = (s + 1) & (capacity - 1) }
                            table[s] = Int32(e)
                        }
                    }
                }
                d.indices.append(UInt32(found))
            }
            return d
        }
    }

    func dictionaryPage(_ data: ColumnData) -> [UInt8] {
        var out: [UInt8] = []
        PlainEncoder.append(data, rows: entries, to: &out)
        return out
    }
}
