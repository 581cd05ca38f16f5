import LakeCore
import LakeParquet

/// The (group, value) pairs a DISTINCT aggregate has folded.
///
/// Strings are numbered once per dictionary entry (plain strings once per row) and numbers
/// compared as integers, so a pair is one 64-bit probe: encoding each row's group and string
/// into key bytes, hashing and comparing them took most of `count(DISTINCT user_id)` over a
/// million listeners. Other types fall back to a key table over the encoded pair.
struct DistinctPairs {
    private var strings = StringNumbers()
    private var ints = IntTable()
    private var pairs = IntSet()
    private var encoded = KeyTable()

    /// The rows of `input` whose (group, value) is new, skipping nulls and masked-out rows.
    mutating func newRows(groups: [Int], input: Vector, skip: (Int) -> Bool) -> [Int] {
        var rows: [Int] = []
        if let numbers = numbers(input) {
            let candidates = (0..<groups.count).filter { !input.isNull($0) && !skip($0) }
            let new = pairs.insert(candidates.map { UInt64(groups[$0]) << 32 | UInt64(numbers[$0]) })
            for (i, isNew) in zip(candidates, new) where isNew { rows.append(i) }
            return rows
        }
        let encoder = KeyEncoder([Vector(type: .bigint, storage: .ints(groups.map(Int64.init))), input])
        for i in 0..<groups.count where !input.isNull(i) && !skip(i) {
            if encoded.insert(encoder, row: i).1 { rows.append(i) }
        }
        return rows
    }

    /// Each row's value numbered across batches, or nil for a type numbered by key bytes.
    /// A column keeps one storage family (strings or integers), so numbers never mix.
    private mutating func numbers(_ v: Vector) -> [UInt32]? {
        switch v.storage {
        case let .dictionary(codes, entries):
            let numbered = strings.numbers(of: entries, prenumbered: v.prenumbered)
            // A null row's code points nowhere (an all-null chunk has no entries); it is skipped.
            return codes.map { Int($0) < numbered.count && $0 >= 0 ? numbered[Int($0)] : 0 }
        case let .strings(d):
            return strings.numbers(of: d)
        case let .ints(x):
            return x.map { UInt32(ints.insert(UInt64(bitPattern: $0)).0) }
        default:
            return nil
        }
    }
}

/// A set of 64-bit keys held in the slots themselves: one cache miss per probe in a table
/// of millions, where a numbered table (slot, then key) takes two.
private struct IntSet {
    private static let empty = UInt64.max
    private var slots = [UInt64](repeating: IntSet.empty, count: 1024)
    private var mask = 1023
    private(set) var count = 0

    /// Inserts each key not yet present, returning whether it was new, in order.
    mutating func insert(_ keys: [UInt64]) -> [Bool] {
        if slots.count > 1 << 16 {
            var sink: UInt64 = 0
            slots.withUnsafeBufferPointer { s in for k in keys { sink &+= s[Self.slot(k, mask)] } }
            keepAlive(sink)
        }
        return keys.map { insert($0) }
    }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int { IntTable.slot(key, mask) }

    private mutating func insert(_ key: UInt64) -> Bool {
        var slot = Self.slot(key, mask)
        while true {
            let k = slots[slot]
            if k == key { return false }
            if k == Self.empty { break }
            slot = (slot + 1) & mask
        }
        slots[slot] = key
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        for key in old where key != Self.empty {
            var slot = Self.slot(key, mask)
            while slots[slot] != Self.empty { slot = (slot + 1) & mask }
            slots[slot] = key
        }
    }
}
