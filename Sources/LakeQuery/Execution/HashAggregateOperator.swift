/// GROUP BY: rows numbered into groups by their key, each aggregate folded per group; the
/// groups come out when the input ends. Memory grows with the groups, not the rows.
final class HashAggregateOperator: Operator {
    let input: Operator
    let groups: [BoundExpr]
    let aggregates: [AggregateCall]
    private var done = false

    init(_ input: Operator, groups: [BoundExpr], aggregates: [AggregateCall]) {
        self.input = input
        self.groups = groups
        self.aggregates = aggregates
    }

    func next() throws -> Batch? {
        guard !done else { return nil }
        done = true
        var grouping = Grouping(groups: groups, aggregates: aggregates)
        while let b = try input.next() { try grouping.fold(b) }
        return grouping.result()
    }
}

/// An aggregation's groups (numbered across files while the keys are dictionary-coded, by
/// their values while the key is one integer column, by a key table otherwise) and their
/// aggregate states.
struct Grouping {
    let groups: [BoundExpr]
    let aggregates: [AggregateCall]
    /// Dictionary-coded keys are numbered across files (`GlobalCodes`) until a batch comes
    /// that is not; one integer key is then numbered by value (`IntKeys`) until a batch comes
    /// that is not; from then on the key table takes over, with the same groups.
    private var global: GlobalCodes?
    private var ints: IntKeys?
    private var table = KeyTable()
    private var keyBuilders: [VectorBuilder]
    private var states: [AggregateState]
    private var ids: [Int] = []

    init(groups: [BoundExpr], aggregates: [AggregateCall]) {
        self.groups = groups
        self.aggregates = aggregates
        global = GlobalCodes(columns: groups.count)
        keyBuilders = groups.map { VectorBuilder(type: $0.type) }
        states = aggregates.map(AggregateState.init)
    }

    var groupCount: Int { global?.count ?? ints?.count ?? table.count }

    mutating func fold(_ b: Batch) throws {
        let keys = try groups.map { try Evaluator.evaluate($0, b) }
        ids.removeAll(keepingCapacity: true)
        if keys.isEmpty {
            ids = [Int](repeating: 0, count: b.count)
            if table.count == 0 { _ = table.insert([], row: 0) }
        } else if global != nil, global!.accepts(keys) {
            ids = global!.groups(of: keys)
        } else if ints != nil || global != nil, keys.count == 1, IntKeys.accepts(keys[0], numbering: ints != nil) {
            if ints == nil {
                takeGlobalKeys()
                ints = IntKeys(learning: keyBuilders[0].finish())
            }
            let (numbered, firsts) = ints!.groups(of: keys[0])
            ids = numbered
            for i in firsts { keyBuilders[0].append(keys[0], row: i) }
        } else {
            leaveForKeyTable()
            if let combiner = CodeCombiner(keys) {
                // Dictionary-coded keys: one key-table lookup per distinct code combination.
                let encoder = KeyEncoder(keys)
                var cache = [Int32](repeating: -1, count: combiner.size)
                for i in 0..<b.count {
                    let c = combiner.combined[i]
                    var g = Int(cache[c])
                    if g < 0 {
                        let (found, inserted) = table.insert(encoder, row: i)
                        if inserted { for k in keys.indices { keyBuilders[k].append(keys[k], row: i) } }
                        cache[c] = Int32(found)
                        g = found
                    }
                    ids.append(g)
                }
            } else {
                let encoder = KeyEncoder(keys)
                for i in 0..<b.count {
                    let (g, inserted) = table.insert(encoder, row: i)
                    if inserted { for k in keys.indices { keyBuilders[k].append(keys[k], row: i) } }
                    ids.append(g)
                }
            }
        }
        for k in states.indices {
            states[k].grow(to: groupCount)
            let arg = try aggregates[k].arg.map { try Evaluator.evaluate($0, b) }
            let mask = try aggregates[k].filter.map { try Evaluator.evaluate($0, b) }
            try states[k].update(groups: ids, input: arg, mask: mask)
        }
    }

    /// The key table learns the groups so far, in their order.
    private mutating func leaveForKeyTable() {
        guard global != nil || ints != nil else { return }
        let count = groupCount
        takeGlobalKeys()
        let encoder = KeyEncoder(keyBuilders.map { $0.finish() })
        for g in 0..<count { _ = table.insert(encoder, row: g) }
        global = nil
        ints = nil
    }

    /// The key builders take the groups `GlobalCodes` numbered (it keeps their keys as
    /// numbers), and numbering across files ends.
    private mutating func takeGlobalKeys() {
        guard let global else { return }
        for (k, key) in global.keys(types: groups.map(\.type)).enumerated() { keyBuilders[k].append(contentsOf: key) }
        self.global = nil
    }

    mutating func result() -> Batch {
        // A global aggregate has one row even over no input.
        if groups.isEmpty && table.count == 0 { _ = table.insert([], row: 0) }
        let count = groupCount
        for k in states.indices { states[k].grow(to: count) }
        let keys = global?.keys(types: groups.map(\.type)) ?? keyBuilders.map { $0.finish() }
        let columns = keys + states.map { $0.result(groups: count) }
        return Batch(columns: columns, count: count)
    }
}

/// Groups of one integer key column numbered by value: a 64-bit probe per row where the key
/// table encodes, hashes and compares key bytes (GROUP BY over a join's counts, a year, an id).
struct IntKeys {
    private var values = IntTable()
    /// The group of each value the table numbered, and the group of null.
    private var groupOf: [Int] = []
    private var nullGroup: Int?
    /// The group of each value below `directLimit` (-1: none yet).
    private var direct: [Int32] = []
    private var directCount = 0
    private static let directLimit: Int64 = 1 << 16

    var count: Int { groupOf.count + directCount + (nullGroup == nil ? 0 : 1) }

    /// Integer storage; an all-null batch only once integers were seen (it may be a string column).
    static func accepts(_ key: Vector, numbering: Bool) -> Bool {
        switch key.storage {
        case .ints: true
        case .nulls: numbering
        default: false
        }
    }

    /// Numbered as `keys`' rows already were (the groups so far, in order).
    init(learning keys: Vector) {
        _ = groups(of: keys)
    }

    /// Each row's group (inserting new ones), and the rows that started a group.
    mutating func groups(of key: Vector) -> (ids: [Int], firsts: [Int]) {
        var ids = [Int](repeating: 0, count: key.count)
        var firsts: [Int] = []
        let x: [Int64]
        if case let .ints(v) = key.storage { x = v } else { x = [] }
        for i in 0..<key.count {
            if key.isNull(i) {
                if nullGroup == nil { nullGroup = count; firsts.append(i) }
                ids[i] = nullGroup!
                continue
            }
            let v = x[i]
            if v >= 0 && v < Self.directLimit {
                // Small values (counts, years, ranks) index their group directly, with no probe.
                if direct.count <= Int(v) { direct += repeatElement(-1, count: Int(v) + 1 - direct.count) }
                var g = Int(direct[Int(v)])
                if g < 0 {
                    g = count
                    direct[Int(v)] = Int32(g)
                    directCount += 1
                    firsts.append(i)
                }
                ids[i] = g
                continue
            }
            let (n, inserted) = values.insert(UInt64(bitPattern: v))
            if inserted { groupOf.append(count); firsts.append(i) }
            ids[i] = groupOf[n]
        }
        return (ids, firsts)
    }
}
