import Foundation
import LakeCore

/// Row keys (several columns of any type) encoded to bytes, numbered in first-seen order.
///
/// Group by, joins, DISTINCT and window partitions share it. Keys live in one byte arena
/// and an open-addressing table of group numbers: no allocation per row.
struct KeyTable {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int
    /// Encoding scratch, reused for every row.
    private var scratch: [UInt8] = []

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { starts.count }

    /// The group of row `row` of `keys`, adding it when new. Returns (group, inserted).
    mutating func insert(_ keys: [Vector], row: Int) -> (Int, Bool) {
        encode(keys, row: row)
        return lookup(insert: true)
    }

    /// The group of row `row`, or nil if the table has not seen its key.
    mutating func find(_ keys: [Vector], row: Int) -> Int? {
        encode(keys, row: row)
        let (g, _) = lookup(insert: false)
        return g < 0 ? nil : g
    }

    /// Whether any key column of the row is null (joins never match those).
    static func hasNull(_ keys: [Vector], row: Int) -> Bool {
        keys.contains { $0.isNull(row) }
    }

    private mutating func lookup(insert: Bool) -> (Int, Bool) {
        let h = ByteHash.hash(scratch)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let g = Int(slots[slot])
            if g < 0 {
                guard insert else { return (-1, false) }
                let group = starts.count
                starts.append(arena.count)
                arena.append(contentsOf: scratch)
                hashes.append(h)
                slots[slot] = Int32(group)
                if starts.count * 2 > slots.count { grow() }
                return (group, true)
            }
            if hashes[g] == h, equal(g) { return (g, false) }
            slot = (slot + 1) & mask
        }
    }

    private func equal(_ g: Int) -> Bool {
        let start = starts[g]
        let end = g + 1 < starts.count ? starts[g + 1] : arena.count
        guard end - start == scratch.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            scratch.withUnsafeBufferPointer { s in memcmp(a.baseAddress! + start, s.baseAddress!, s.count) == 0 }
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for g in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[g]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(g)
        }
    }

    private mutating func encode(_ keys: [Vector], row: Int) {
        scratch.removeAll(keepingCapacity: true)
        for v in keys {
            if v.isNull(row) { scratch.append(0); continue }
            scratch.append(1)
            switch v.storage {
            case let .ints(x): appendInt(UInt64(bitPattern: x[row]))
            case let .doubles(x):
                var d = x[row]
                if d == 0 { d = 0 }
                if d.isNaN { d = .nan }
                appendInt(d.bitPattern)
            case let .bools(x): scratch.append(x[row] ? 1 : 0)
            case let .strings(x):
                let start = Int(x.offsets[row]), end = Int(x.offsets[row + 1])
                appendInt(UInt64(end - start))
                scratch.append(contentsOf: x.bytes[start..<end])
            case let .dictionary(codes, d):
                let c = Int(codes[row])
                let start = Int(d.offsets[c]), end = Int(d.offsets[c + 1])
                appendInt(UInt64(end - start))
                scratch.append(contentsOf: d.bytes[start..<end])
            case let .intervals(x):
                appendInt(UInt64(bitPattern: x[row].months)); appendInt(UInt64(bitPattern: x[row].days)); appendInt(UInt64(bitPattern: x[row].micros))
            case .nulls: break
            }
        }
    }

    @inline(__always) private mutating func appendInt(_ x: UInt64) {
        withUnsafeBytes(of: x.littleEndian) { scratch.append(contentsOf: $0) }
    }
}

/// Rows of several dictionary-coded (or constant) key columns, numbered by the combination of
/// their codes: a key table then sees each distinct combination once per batch, not each row.
struct CodeCombiner {
    let combined: [Int]
    let size: Int

    /// nil when a key is neither dictionary-coded nor constant, has nulls, or the combinations
    /// would be too many to cache.
    init?(_ keys: [Vector], limit: Int = 1 << 20) {
        guard !keys.isEmpty else { return nil }
        var views: [([Int32], Int)] = []
        var size = 1
        for k in keys {
            guard k.validity == nil, let view = k.dictionaryView else { return nil }
            views.append((view.codes, view.entries.count))
            size *= max(1, view.entries.count)
            if size > limit { return nil }
        }
        let n = keys[0].count
        var combined = [Int](repeating: 0, count: n)
        var stride = 1
        for (codes, count) in views {
            for i in 0..<n { combined[i] += Int(codes[i]) * stride }
            stride *= max(1, count)
        }
        self.combined = combined
        self.size = size
    }
}

