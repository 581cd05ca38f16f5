import Foundation
import LakeCore

/// Row keys (several columns of any type) encoded to bytes, numbered in first-seen order.
///
/// Group by, joins, DISTINCT and window partitions share it. Keys live in one byte arena and
/// an open-addressing table whose slots hold a 32-bit tag of the hash beside the group
/// number, so a probe touches one cache line until a tag matches: no allocation per row, and
/// one compare of key bytes per hit.
struct KeyTable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// 0: empty; else tag (high 32 bits, never 0) and group (low 32 bits).
    private var slots: [UInt64]
    private var mask: Int
    /// Encoding scratch, reused for every row.
    private var scratch: [UInt8] = []

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    /// The group of row `row` of `keys`, adding it when new. Returns (group, inserted).
    mutating func insert(_ keys: [Vector], row: Int) -> (Int, Bool) {
        insert(KeyEncoder(keys), row: row)
    }

    /// The group of row `row` of `keys`, or nil if the table has not seen its key.
    mutating func find(_ keys: [Vector], row: Int) -> Int? {
        find(KeyEncoder(keys), row: row)
    }

    /// As `insert(_:row:)`, with the batch's columns prepared once.
    mutating func insert(_ keys: KeyEncoder, row: Int) -> (Int, Bool) {
        keys.encode(row, into: &scratch)
        return lookup(insert: true)
    }

    mutating func find(_ keys: KeyEncoder, row: Int) -> Int? {
        keys.encode(row, into: &scratch)
        let (g, _) = lookup(insert: false)
        return g < 0 ? nil : g
    }

    /// Whether any key column of the row is null (joins never match those).
    static func hasNull(_ keys: [Vector], row: Int) -> Bool {
        keys.contains { $0.isNull(row) }
    }

    private mutating func lookup(insert: Bool) -> (Int, Bool) {
        let h = scratch.withUnsafeBufferPointer { ByteHash.hash($0.baseAddress, 0..<$0.count) }
        let tag = TaggedSlots.tag(h)
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: Int = slots.withUnsafeBufferPointer { s in
            while true {
                let entry = s[slot]
                if entry == 0 { return -1 - slot }
                if entry >> 32 == tag, equal(Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)) {
                    return Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                }
                slot = (slot + 1) & mask
            }
        }
        if found >= 0 { return (found, false) }
        guard insert else { return (-1, false) }
        let group = hashes.count
        arena.append(contentsOf: scratch)
        starts.append(arena.count)
        hashes.append(h)
        slots[-1 - found] = tag << 32 | UInt64(group)
        if hashes.count * 2 > slots.count { grow() }
        return (group, true)
    }

    private func equal(_ g: Int) -> Bool {
        starts.withUnsafeBufferPointer { st in
            let start = st[g], end = st[g + 1]
            guard end - start == scratch.count else { return false }
            return arena.withUnsafeBufferPointer { a in
                scratch.withUnsafeBufferPointer { s in memcmp(a.baseAddress! + start, s.baseAddress!, s.count) == 0 }
            }
        }
    }

    private mutating func grow() {
        slots = TaggedSlots.rebuilt(hashes, size: slots.count * 2)
        mask = slots.count - 1
    }
}

/// Open-addressing slots that hold a 32-bit tag of the hash (never 0) beside a number: the
/// layout `KeyTable` and `StringNumbers` share.
enum TaggedSlots {
    static func tag(_ hash: UInt64) -> UInt64 { (hash >> 32) | 1 }

    /// Slots of `size` (a power of two) holding `hashes[i]`'s tag and `i`, in linear probing.
    static func rebuilt(_ hashes: [UInt64], size: Int) -> [UInt64] {
        var fresh = [UInt64](repeating: 0, count: size)
        let mask = size - 1
        for (i, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = tag(h) << 32 | UInt64(i)
        }
        return fresh
    }
}

/// A batch's key columns, unpacked once so that encoding a row is a loop over flat memory:
/// matching each column's storage per row (and retaining its arrays) cost more than the hashing.
struct KeyEncoder {
    private enum Column {
        case ints(UnsafePointer<Int64>)
        case doubles(UnsafePointer<Double>)
        case bools(UnsafePointer<Bool>)
        case strings(offsets: UnsafePointer<Int32>, bytes: UnsafePointer<UInt8>?)
        case dictionary(codes: UnsafePointer<Int32>, offsets: UnsafePointer<Int32>, bytes: UnsafePointer<UInt8>?)
        case intervals(UnsafePointer<Interval>)
        case nulls
    }

    /// Holds the vectors whose storage the pointers read: valid while the encoder lives.
    private let keys: [Vector]
    private let columns: [Column]
    private let validity: [UnsafePointer<Bool>?]
    private let allNull: [Bool]

    init(_ keys: [Vector]) {
        self.keys = keys
        func base<T>(_ a: [T]) -> UnsafePointer<T> { a.withUnsafeBufferPointer { $0.baseAddress ?? UnsafePointer(bitPattern: 8)! } }
        columns = keys.map { v in
            switch v.storage {
            case let .ints(x): .ints(base(x))
            case let .doubles(x): .doubles(base(x))
            case let .bools(x): .bools(base(x))
            case let .strings(x): .strings(offsets: base(x.offsets), bytes: x.bytes.withUnsafeBufferPointer { $0.baseAddress })
            case let .dictionary(codes, d):
                .dictionary(codes: base(codes), offsets: base(d.offsets), bytes: d.bytes.withUnsafeBufferPointer { $0.baseAddress })
            case let .intervals(x): .intervals(base(x))
            case .nulls: .nulls
            }
        }
        validity = keys.map { $0.validity.map(base) }
        allNull = keys.map { if case .nulls = $0.storage { true } else { false } }
    }

    var isEmpty: Bool { columns.isEmpty }

    /// The row's key bytes: per column a presence byte, then fixed 8-byte values or a length
    /// and the string's bytes (dictionary and plain strings encode alike).
    func encode(_ row: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for k in columns.indices {
            if allNull[k] || validity[k].map({ !$0[row] }) == true { out.append(0); continue }
            out.append(1)
            switch columns[k] {
            case let .ints(x): Self.append(UInt64(bitPattern: x[row]), &out)
            case let .doubles(x):
                var d = x[row]
                if d == 0 { d = 0 }
                if d.isNaN { d = .nan }
                Self.append(d.bitPattern, &out)
            case let .bools(x): out.append(x[row] ? 1 : 0)
            case let .strings(offsets, bytes):
                Self.appendString(bytes, Int(offsets[row]), Int(offsets[row + 1]), &out)
            case let .dictionary(codes, offsets, bytes):
                let c = Int(codes[row])
                Self.appendString(bytes, Int(offsets[c]), Int(offsets[c + 1]), &out)
            case let .intervals(x):
                Self.append(UInt64(bitPattern: x[row].months), &out)
                Self.append(UInt64(bitPattern: x[row].days), &out)
                Self.append(UInt64(bitPattern: x[row].micros), &out)
            case .nulls: break
            }
        }
    }

    @inline(__always) private static func append(_ x: UInt64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always) private static func appendString(_ bytes: UnsafePointer<UInt8>?, _ start: Int, _ end: Int, _ out: inout [UInt8]) {
        append(UInt64(end - start), &out)
        if let bytes, end > start { out.append(contentsOf: UnsafeBufferPointer(start: bytes + start, count: end - start)) }
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
