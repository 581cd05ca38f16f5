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
        var table = KeyTable()
        var keyBuilders = groups.map { VectorBuilder(type: $0.type) }
        var states = aggregates.map(AggregateState.init)
        var ids: [Int] = []
        while let b = try input.next() {
            let keys = try groups.map { try Evaluator.evaluate($0, b) }
            ids.removeAll(keepingCapacity: true)
            if keys.isEmpty {
                ids = [Int](repeating: 0, count: b.count)
                if table.count == 0 { _ = table.insert([], row: 0) }
            } else if let combiner = CodeCombiner(keys) {
                // Dictionary-coded keys: one key-table lookup per distinct code combination.
                var cache = [Int32](repeating: -1, count: combiner.size)
                for i in 0..<b.count {
                    let c = combiner.combined[i]
                    var g = Int(cache[c])
                    if g < 0 {
                        let (found, inserted) = table.insert(keys, row: i)
                        if inserted { for k in keys.indices { keyBuilders[k].append(keys[k].value(i)) } }
                        cache[c] = Int32(found)
                        g = found
                    }
                    ids.append(g)
                }
            } else {
                for i in 0..<b.count {
                    let (g, inserted) = table.insert(keys, row: i)
                    if inserted { for k in keys.indices { keyBuilders[k].append(keys[k].value(i)) } }
                    ids.append(g)
                }
            }
            for k in states.indices {
                states[k].grow(to: table.count)
                let arg = try aggregates[k].arg.map { try Evaluator.evaluate($0, b) }
                let mask = try aggregates[k].filter.map { try Evaluator.evaluate($0, b) }
                try states[k].update(groups: ids, input: arg, mask: mask)
            }
        }
        // A global aggregate has one row even over no input.
        if groups.isEmpty && table.count == 0 { _ = table.insert([], row: 0) }
        let count = table.count
        for k in states.indices { states[k].grow(to: count) }
        let columns = keyBuilders.map { $0.finish() } + states.map { $0.result(groups: count) }
        return Batch(columns: columns, count: count)
    }
}
