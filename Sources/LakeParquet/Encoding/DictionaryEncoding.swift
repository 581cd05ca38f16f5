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

    static func build(_ s: StringArray, rows: [Int], maxBytes: Int, plainWhenUnique: Bool = true) -> DictionaryEncoding? {
        rows.withUnsafeBufferPointer { encode(s, rows: $0, maxBytes: maxBytes, plainWhenUnique: plainWhenUnique) }
    }

    /// A chunk without nulls gives its rows as a range: an array of every row number was
    /// written and read again for each string column of each row group.
    static func build(_ s: StringArray, rows: Range<Int>, maxBytes: Int, plainWhenUnique: Bool = true) -> DictionaryEncoding? {
        encode(s, rows: rows, maxBytes: maxBytes, plainWhenUnique: plainWhenUnique)
    }

    private static func encode<Rows: RandomAccessCollection>(_ s: StringArray, rows: Rows, maxBytes: Int,
                                                             plainWhenUnique: Bool) -> DictionaryEncoding?
    where Rows.Element == Int {
        var indices = [UInt32](repeating: 0, count: rows.count)
        let probe = plainWhenUnique ? uniqueProbeRows : -1
        var table = ProbeTable()
        defer { table.release() }
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
                        if k == probe, table.count == k { return false }
                        // Runs of one value (a raw file's path, a region) skip the hash table.
                        if previous >= 0, equal(previous, r) {
                            indices[k] = indices[k - 1]
                            continue
                        }
                        previous = r
                        let h = ByteHash.hash(base, Int(offsets[r])..<Int(offsets[r + 1]))
                        let tag = ProbeTable.tag(of: h)
                        var slot = Int(truncatingIfNeeded: h) & (table.capacity - 1)
                        var found = -1
                        while true {
                            let entry = table.slots[slot]
                            if entry == 0 { break }
                            if entry >> 32 == tag {
                                let e = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                                if equal(table.rows[e], r) { found = e; break }
                            }
                            slot = (slot + 1) & (table.capacity - 1)
                        }
                        if found < 0 {
                            dictBytes += Int(offsets[r + 1]) - Int(offsets[r]) + 4
                            if dictBytes > maxBytes { return false }
                            found = table.add(row: r, hash: h, at: slot)
                        }
                        indices[k] = UInt32(found)
                    }
                    return true
                }
            }
        }
        guard complete else { return nil }
        var d = DictionaryEncoding()
        d.entries = Array(UnsafeBufferPointer(start: table.rows, count: table.count))
        d.indices = indices
        return d
    }

    /// The open-addressing table behind `build`, in memory of its own: as Swift arrays captured
    /// by the loop's closures, every probe retained and released them (1.5% of a promotion).
    /// Slots hold a 32-bit tag of the value's hash and its entry + 1 (0: empty); each entry's
    /// bytes are found by its first row.
    private struct ProbeTable {
        private(set) var capacity = 1024
        private(set) var slots: UnsafeMutablePointer<UInt64>
        /// Per entry: its first row, and its full hash (to place it again when the table grows).
        private(set) var rows: UnsafeMutablePointer<Int>
        private var hashes: UnsafeMutablePointer<UInt64>
        private(set) var count = 0
        private var room = 512

        init() {
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: 0, count: capacity)
            rows = .allocate(capacity: room)
            hashes = .allocate(capacity: room)
        }

        /// A slot's upper half: the hash's top bits, never 0 (0 marks an empty slot).
        @inline(__always) static func tag(of hash: UInt64) -> UInt64 { hash >> 32 | 1 }

        func release() {
            slots.deallocate()
            rows.deallocate()
            hashes.deallocate()
        }

        /// Adds an entry at the empty `slot` its probe ended on; returns its number.
        mutating func add(row: Int, hash: UInt64, at slot: Int) -> Int {
            if count == room {
                room *= 2
                rows = Self.grown(rows, count: count, to: room)
                hashes = Self.grown(hashes, count: count, to: room)
            }
            let e = count
            rows[e] = row
            hashes[e] = hash
            count += 1
            slots[slot] = Self.tag(of: hash) << 32 | UInt64(e + 1)
            if count * 2 > capacity {
                slots.deallocate()
                capacity *= 2
                slots = .allocate(capacity: capacity)
                slots.initialize(repeating: 0, count: capacity)
                for k in 0..<count {
                    let h = hashes[k]
                    var s = Int(truncatingIfNeeded: h) & (capacity - 1)
                    while slots[s] != 0 { s = (s + 1) & (capacity - 1) }
                    slots[s] = Self.tag(of: h) << 32 | UInt64(k + 1)
                }
            }
            return e
        }

        private static func grown<T>(_ old: UnsafeMutablePointer<T>, count: Int, to room: Int) -> UnsafeMutablePointer<T> {
            let new = UnsafeMutablePointer<T>.allocate(capacity: room)
            new.moveInitialize(from: old, count: count)
            old.deallocate()
            return new
        }
    }

    func dictionaryPage(_ data: ColumnData) -> [UInt8] {
        var out: [UInt8] = []
        PlainEncoder.append(data, rows: entries, to: &out)
        return out
    }
}
