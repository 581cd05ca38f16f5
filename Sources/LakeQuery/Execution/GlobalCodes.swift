import Foundation
import LakeCore
import LakeParquet

/// Group keys that are all dictionary-coded (strings from Parquet dictionaries, constant
/// partition values), numbered across files.
///
/// Each file has its own dictionary, so codes from two files do not compare. Each dictionary
/// entry is numbered once in a per-column table of distinct values — small, so it stays in
/// cache — and a row's group is then found by its columns' numbers packed into one integer,
/// with no key bytes to hash or compare. On a listening log (50,000 tracks, 60 markets, a
/// file per day and market) `GROUP BY region, track_id` does one cheap lookup per dictionary
/// entry and one integer probe per distinct pair in a file, where bytes were compared before.
struct GlobalCodes {
    /// Per key column, its distinct values.
    private var values: [ValueNumbers]
    /// Packed column numbers → group.
    private var groups = IntTable()
    /// Two columns: per number of the first, the groups by number of the second (-1: none
    /// yet) — a direct index instead of a probe while the numbers stay few. `gridKeys` are
    /// the groups' packed numbers, for the table should the grid grow too large.
    private var grid: [[Int32]] = []
    private var gridKeys: [UInt64] = []
    private var gridCells = 0
    private var gridded: Bool
    /// One column: the group of each value number (-1: none yet), a direct index; values are
    /// numbered per dictionary entry, and an entry no row uses must not make a group.
    private var single: [Int32] = []
    /// One column: each group's value number.
    private var singleKeys: [UInt64] = []
    let columns: Int

    /// nil for more key columns than pack into 64 bits.
    init?(columns: Int) {
        guard (1...4).contains(columns) else { return nil }
        self.columns = columns
        gridded = columns == 2
        values = (0..<columns).map { _ in ValueNumbers() }
    }

    var count: Int { packedKeys.count }

    /// Each group's column numbers, packed as a probe packs them.
    private var packedKeys: [UInt64] { columns == 1 ? singleKeys : gridded ? gridKeys : groups.keys }

    /// The groups' key columns, in group order: strings as a dictionary of each column's
    /// distinct values, so no group copies its key's bytes while rows are folded.
    func keys(types: [DataType]) -> [Vector] {
        let bits = UInt64(64 / columns)
        // A column's share of the 64 bits; one column has them all (and 1 << 64 would overflow).
        let mask: UInt64 = columns == 1 ? .max : (1 << bits) - 1
        let packed = packedKeys
        return (0..<columns).map { k in
            let numbers = packed.map { UInt32(truncatingIfNeeded: $0 >> (bits * UInt64(k)) & mask) }
            return values[k].vector(numbers, type: types[k])
        }
    }

    /// Whether a batch's keys can take this path: dictionary-coded or constant, without nulls,
    /// and numbers that fit their share of 64 bits.
    func accepts(_ keys: [Vector]) -> Bool {
        keys.count == columns && keys.allSatisfy { $0.validity == nil && $0.dictionaryView != nil }
            && values.allSatisfy { $0.count < 1 << min(64 / columns - 1, 31) }
    }

    /// Each row's group, inserting new ones.
    mutating func groups(of keys: [Vector]) -> [Int] {
        let n = keys[0].count
        var codes: [[Int32]] = []
        var entryNumbers: [[UInt32]] = []
        for (k, key) in keys.enumerated() {
            let view = key.dictionaryView!
            // This batch's dictionary entries, numbered across batches.
            entryNumbers.append(values[k].numbers(of: view.entries, prenumbered: key.prenumbered))
            codes.append(view.codes)
        }
        var ids = [Int](repeating: 0, count: n)
        if columns == 1 {
            if single.count < values[0].count { single += repeatElement(-1, count: values[0].count - single.count) }
            single.withUnsafeMutableBufferPointer { groupOf in
                entryNumbers[0].withUnsafeBufferPointer { numbers in
                    for (i, code) in codes[0].enumerated() {
                        let number = Int(numbers[Int(code)])
                        var g = groupOf[number]
                        if g < 0 {
                            g = Int32(singleKeys.count)
                            groupOf[number] = g
                            singleKeys.append(UInt64(number))
                        }
                        ids[i] = Int(g)
                    }
                }
            }
            return ids
        }
        if gridded, gridCells + values[1].count * max(1, values[0].count - grid.count) > 1 << 24 {
            // Too many cells: the groups so far go to the hash table, in their order.
            for key in gridKeys { _ = groups.insert(key) }
            gridded = false
            grid = []
            gridKeys = []
        }
        if gridded, entryNumbers[0].count == 1, n > 0 {
            // The first key is constant in this batch (a partition value): one row of the grid,
            // taken out so that it is unique, and a direct index per row.
            let a = Int(entryNumbers[0][0])
            if grid.count <= a { grid += repeatElement([], count: a + 1 - grid.count) }
            var row = grid[a]
            grid[a] = []
            if row.count < values[1].count {
                gridCells += values[1].count - row.count
                row += repeatElement(-1, count: values[1].count - row.count)
            }
            row.withUnsafeMutableBufferPointer { cells in
                for (i, code) in codes[1].enumerated() {
                    let b = Int(entryNumbers[1][Int(code)])
                    var g = cells[b]
                    if g < 0 {
                        g = Int32(gridKeys.count)
                        gridKeys.append(UInt64(a) | UInt64(b) << 32)
                        cells[b] = g
                    }
                    ids[i] = Int(g)
                }
            }
            grid[a] = row
            return ids
        }
        let numbered = codes.indices.map { k in codes[k].map { entryNumbers[k][Int($0)] } }
        let bits = 64 / columns
        if gridded {
            let first = numbered[0], second = numbered[1]
            for i in 0..<n {
                let a = Int(first[i]), b = Int(second[i])
                if grid.count <= a { grid += repeatElement([], count: a + 1 - grid.count) }
                let g: Int32 = grid[a].count > b ? grid[a][b] : -1
                if g >= 0 { ids[i] = Int(g); continue }
                if grid[a].count <= b {
                    let grown = max(b + 1, values[1].count)
                    gridCells += grown - grid[a].count
                    grid[a] += repeatElement(-1, count: grown - grid[a].count)
                }
                let group = gridKeys.count
                gridKeys.append(UInt64(a) | UInt64(b) << 32)
                grid[a][b] = Int32(group)
                ids[i] = group
            }
            return ids
        }
        for i in 0..<n {
            var packed: UInt64 = 0
            for k in 0..<columns { packed |= UInt64(numbered[k][i]) << UInt64(bits * k) }
            let (g, _) = groups.insert(packed)
            ids[i] = g
        }
        return ids
    }
}

/// Distinct values of one key column numbered in first-seen order: strings hashed straight
/// from the dictionary's bytes, other values through a key table.
struct ValueNumbers {
    private var strings = StringNumbering()
    private var others = KeyTable()
    /// The values `others` numbered, in number order.
    private var otherValues: VectorBuilder?

    var count: Int { strings.count + others.count }

    /// The values with these numbers.
    func vector(_ numbers: [UInt32], type: DataType) -> Vector {
        guard let otherValues else {
            return Vector(type: type, storage: .dictionary(numbers.map { Int32(bitPattern: $0) }, strings.values))
        }
        return otherValues.finish().take(numbers.map(Int.init))
    }

    mutating func numbers(of entries: Vector, prenumbered: Prenumbered? = nil) -> [UInt32] {
        if case let .strings(d) = entries.storage, entries.validity == nil, others.count == 0 {
            return strings.numbers(of: d, prenumbered: prenumbered)
        }
        let encoder = KeyEncoder([entries])
        if otherValues == nil { otherValues = VectorBuilder(type: entries.type) }
        return (0..<entries.count).map {
            let (number, inserted) = others.insert(encoder, row: $0)
            if inserted { otherValues!.append(entries, row: $0) }
            return UInt32(number)
        }
    }
}

/// Strings numbered in first-seen order by one consumer (a scan's workers share
/// `SharedStringNumbers` instead); a probe compares a 32-bit tag of the hash before it
/// compares bytes, read through the stores' base pointers.
struct StringNumbers: Sendable {
    private var bytes = AppendOnlyStore<UInt8>(capacity: 1 << 16)
    private var starts = AppendOnlyStore<Int32>(capacity: 1 << 12, first: 0)
    private var hashes: [UInt64] = []
    private var slots = [UInt64](repeating: 0, count: 1024)
    private var mask = 1023

    var count: Int { starts.count - 1 }

    /// The strings, in number order.
    var values: StringArray {
        var out = StringArray()
        out.offsets = starts.array
        out.bytes = bytes.array
        return out
    }

    /// Each entry's number, numbering new strings.
    mutating func numbers(of d: StringArray) -> [UInt32] {
        var out = [UInt32](repeating: Prenumbered.unknown, count: d.count)
        number(d, into: &out, entries: Array(0..<d.count), hashes: Self.hashes(d))
        return out
    }

    /// Numbers `entries` of `d` (whose strings hash to `hashes`) into `out`, numbering new strings.
    mutating func number(_ d: StringArray, into out: inout [UInt32], entries: [Int], hashes: [UInt64]) {
        // Loads that do not depend on each other miss the cache side by side; the probes below
        // then find the slots of a large table already cached.
        touch(entries.map { hashes[$0] })
        d.bytes.withUnsafeBufferPointer { src in
            d.offsets.withUnsafeBufferPointer { offsets in
                for e in entries {
                    let start = Int(offsets[e]), end = Int(offsets[e + 1])
                    switch find(src.baseAddress, start, end, hashes[e]) {
                    case let .found(id): out[e] = UInt32(id)
                    case let .free(slot): out[e] = insert(src.baseAddress, start, end, hashes[e], slot: slot)
                    }
                }
            }
        }
    }

    static func hashes(_ d: StringArray) -> [UInt64] {
        d.bytes.withUnsafeBufferPointer { src in
            d.offsets.withUnsafeBufferPointer { offsets in
                (0..<d.count).map { ByteHash.hash(src.baseAddress, Int(offsets[$0])..<Int(offsets[$0 + 1])) }
            }
        }
    }

    /// Warms, for every hash, its first slot, then the start and first bytes of the string
    /// that slot holds when its tag matches: each pass's loads are independent of each other.
    private func touch(_ hashes: [UInt64]) {
        guard slots.count > 1 << 16 else { return }
        var sink: UInt64 = 0
        slots.withUnsafeBufferPointer { s in
            for h in hashes { sink &+= s[Int(truncatingIfNeeded: h) & mask] }
            let matches = hashes.compactMap { h -> Int? in
                let entry = s[Int(truncatingIfNeeded: h) & mask]
                return entry >> 32 == TaggedSlots.tag(h) ? Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) : nil
            }
            let st = starts.base, b = bytes.base
            for id in matches { sink &+= UInt64(st[id]) }
            for id in matches where st[id] < st[id + 1] { sink &+= UInt64(b[Int(st[id])]) }
        }
        keepAlive(sink)
    }

    private enum Probe { case found(Int), free(Int) }

    private func find(_ base: UnsafePointer<UInt8>?, _ start: Int, _ end: Int, _ h: UInt64) -> Probe {
        let tag = TaggedSlots.tag(h)
        var slot = Int(truncatingIfNeeded: h) & mask
        let length = end - start
        while true {
            let entry = slots[slot]
            if entry == 0 { return .free(slot) }
            if entry >> 32 == tag {
                let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                let s = Int(starts.base[id]), e = Int(starts.base[id + 1])
                if e - s == length, length == 0 || ByteHash.equal(bytes.base + s, base! + start, length) {
                    return .found(id)
                }
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func insert(_ base: UnsafePointer<UInt8>?, _ start: Int, _ end: Int, _ h: UInt64, slot: Int) -> UInt32 {
        let id = count
        if end > start { bytes.append(UnsafeBufferPointer(start: base! + start, count: end - start)) }
        starts.append(Int32(bytes.count))
        hashes.append(h)
        slots[slot] = TaggedSlots.tag(h) << 32 | UInt64(id)
        if count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    private mutating func grow() {
        slots = TaggedSlots.rebuilt(hashes, size: slots.count * 2)
        mask = slots.count - 1
    }
}

/// 64-bit keys numbered in first-seen order: open addressing, one probe per lookup.
struct IntTable {
    private(set) var keys: [UInt64] = []
    /// Group + 1; 0 is empty.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { keys.count }

    @inline(__always) static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    mutating func insert(_ key: UInt64) -> (Int, Bool) {
        var slot = Self.slot(key, mask)
        while true {
            let g = Int(slots[slot]) - 1
            if g < 0 { break }
            if keys[g] == key { return (g, false) }
            slot = (slot + 1) & mask
        }
        let group = keys.count
        keys.append(key)
        slots[slot] = Int32(group + 1)
        if keys.count * 2 > slots.count { grow() }
        return (group, true)
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [Int32](repeating: 0, count: size)
        mask = size - 1
        for (g, key) in keys.enumerated() {
            var slot = Self.slot(key, mask)
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = Int32(g + 1)
        }
        slots = fresh
    }
}

/// Elements appended and never changed: a copy of the store reads the elements that were
/// there when it was taken, while the store appends beyond them in the same buffer. A copy
/// that appends after another copy already did moves to a buffer of its own first, so copies
/// keep value semantics; growing moves to a larger buffer, and copies keep the old one alive.
/// Appends to copies of one buffer must not run at the same time.
struct AppendOnlyStore<T>: @unchecked Sendable {
    private final class Buffer {
        let base: UnsafeMutablePointer<T>
        let capacity: Int
        /// Elements initialized: the frontier the next append to this buffer must start at.
        var filled = 0
        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }
        deinit {
            base.deinitialize(count: filled)
            base.deallocate()
        }
    }

    private var buffer: Buffer
    private(set) var count = 0

    init(capacity: Int) { buffer = Buffer(capacity: max(capacity, 16)) }

    init(capacity: Int, first: T) {
        self.init(capacity: capacity)
        append(first)
    }

    /// Valid for indices below `count`; the memory lives as long as this store (or a copy).
    var base: UnsafeMutablePointer<T> { buffer.base }

    mutating func append(_ value: T) {
        makeRoom(for: 1)
        (buffer.base + count).initialize(to: value)
        count += 1
        buffer.filled = count
    }

    mutating func append(_ values: UnsafeBufferPointer<T>) {
        guard let source = values.baseAddress, values.count > 0 else { return }
        makeRoom(for: values.count)
        (buffer.base + count).initialize(from: source, count: values.count)
        count += values.count
        buffer.filled = count
    }

    var array: [T] { Array(UnsafeBufferPointer(start: buffer.base, count: count)) }

    private mutating func makeRoom(for n: Int) {
        guard count != buffer.filled || count + n > buffer.capacity else { return }
        var capacity = buffer.capacity
        while capacity < count + n { capacity *= 2 }
        let moved = Buffer(capacity: capacity)
        moved.base.initialize(from: buffer.base, count: count)
        moved.filled = count
        buffer = moved
    }
}
