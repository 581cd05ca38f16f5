import LakeCore
import LakeParquet

/// The (group, value) pairs a DISTINCT aggregate has folded.
///
/// Strings are numbered once per dictionary entry (plain strings once per row) and numbers
/// compared as integers, so a pair is one 64-bit probe: encoding each row's group and string
/// into key bytes, hashing and comparing them took most of `count(DISTINCT user_id)` over a
/// million listeners. Other types fall back to a key table over the encoded pair.
struct DistinctPairs {
    private var strings = StringNumbering()
    private var ints = IntTable()
    private var pairs: PairSet
    private var encoded = KeyTable()

    /// `bitmapBits` bounds the pairs' bitmaps (128 MiB by default) before they move to a hash set.
    init(bitmapBits: Int = 1 << 30) { pairs = PairSet(budgetBits: bitmapBits) }

    /// The rows of `input` whose (group, value) is new, skipping nulls and the rows `skip`
    /// names (nil: none).
    mutating func newRows(groups: [Int], input: Vector, skip: ((Int) -> Bool)?) -> [Int] {
        if let numbers = numbers(input) {
            if input.validity == nil, skip == nil, !input.isNull(0) || input.count == 0 {
                return pairs.insert(groups: groups, values: numbers)
            }
            let candidates = (0..<groups.count).filter { !input.isNull($0) && !(skip?($0) ?? false) }
            return pairs.insert(groups: candidates.map { groups[$0] }, values: candidates.map { numbers[$0] }).map { candidates[$0] }
        }
        var rows: [Int] = []
        let encoder = KeyEncoder([Vector(type: .bigint, storage: .ints(groups.map(Int64.init))), input])
        for i in 0..<groups.count where !input.isNull(i) && !(skip?(i) ?? false) {
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

/// (group, value number) pairs: a bit per pair, in one bitmap row per group, while groups ×
/// values stay within a budget; a hash set of packed pairs beyond it.
///
/// Value numbers are dense (0, 1, 2, … in first-seen order), so the rows are short: 60
/// markets over a million listeners take 7.5 MB and stay in cache, where a hash set of their
/// five million pairs misses it on every probe.
private struct PairSet {
    private let budgetBits: Int
    /// Row-major: group g's bits are words[g * stride ..< (g + 1) * stride].
    private var words: [UInt64] = []
    private var stride = 1
    private var rows = 0
    private var hashed: IntSet?

    init(budgetBits: Int) { self.budgetBits = budgetBits }

    /// Inserts each pair not yet present; the indices of the new ones, in order.
    mutating func insert(groups: [Int], values: [UInt32]) -> [Int] {
        guard let top = groups.max(), let widest = values.max() else { return [] }
        if hashed == nil {
            var wanted = stride
            while wanted * 64 <= Int(widest) { wanted *= 2 }
            if max(rows, top + 1) * wanted * 64 > budgetBits { spill() } else { reshape(rows: max(rows, top + 1), stride: wanted) }
        }
        if hashed != nil {
            let new = hashed!.insert(zip(groups, values).map { UInt64($0) << 32 | UInt64($1) })
            return new.indices.filter { new[$0] }
        }
        var out: [Int] = []
        let stride = stride
        words.withUnsafeMutableBufferPointer { w in
            for (i, g) in groups.enumerated() {
                let v = Int(values[i])
                let at = g * stride + v >> 6, bit = UInt64(1) << UInt64(v & 63)
                let old = w[at]
                if old & bit == 0 {
                    w[at] = old | bit
                    out.append(i)
                }
            }
        }
        return out
    }

    /// Room for `rows` groups of `stride` words, moving the rows so far when the stride grows.
    private mutating func reshape(rows newRows: Int, stride newStride: Int) {
        if newStride != stride {
            var moved = [UInt64](repeating: 0, count: newRows * newStride)
            for g in 0..<rows { for k in 0..<stride { moved[g * newStride + k] = words[g * stride + k] } }
            words = moved
            stride = newStride
        } else if newRows > rows {
            words += repeatElement(0, count: (newRows - rows) * stride)
        }
        rows = newRows
    }

    /// The pairs so far move to a hash set.
    private mutating func spill() {
        var keys: [UInt64] = []
        for g in 0..<rows {
            for k in 0..<stride {
                var rest = words[g * stride + k]
                while rest != 0 {
                    keys.append(UInt64(g) << 32 | UInt64(k * 64 + rest.trailingZeroBitCount))
                    rest &= rest - 1
                }
            }
        }
        var set = IntSet()
        _ = set.insert(keys)
        hashed = set
        words = []
        rows = 0
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
