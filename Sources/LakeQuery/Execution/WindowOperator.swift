/// Window functions: all input rows, split into partitions, each sorted by the window's
/// ORDER BY; ranks and running aggregates (peers share a value, as DuckDB's default RANGE
/// frame gives) are appended as columns.
final class WindowOperator: Operator {
    let input: Operator
    let calls: [WindowCall]
    let types: [DataType]
    private var output: BatchSlicer?

    init(_ input: Operator, calls: [WindowCall], types: [DataType]) {
        self.input = input
        self.calls = calls
        self.types = types
    }

    func next() throws -> Batch? {
        if output == nil {
            var all = try input.drain(types: types)
            if all.columns.isEmpty && !types.isEmpty { all = Batch(columns: types.map { VectorBuilder(type: $0).finish() }, count: 0) }
            var columns = all.columns
            for call in calls { columns.append(try compute(call, all)) }
            output = BatchSlicer(Batch(columns: columns, count: all.count))
        }
        return try output!.next()
    }

    private func compute(_ call: WindowCall, _ batch: Batch) throws -> Vector {
        let n = batch.count
        var builder = VectorBuilder(type: call.type, capacity: n)
        guard n > 0 else { return builder.finish() }
        let partitionKeys = try call.partitionBy.map { try Evaluator.evaluate($0, batch) }
        var partitionOf = [Int](repeating: 0, count: n)
        var partitions = 1
        if partitionKeys.count == 1, case let .dictionary(codes, d) = partitionKeys[0].storage, partitionKeys[0].validity == nil {
            // One dictionary-coded key (a grouped market): its entries are keyed, not its rows.
            let entries = Vector(type: partitionKeys[0].type, storage: .strings(d))
            let encoder = KeyEncoder([entries])
            var table = KeyTable()
            let entryKey = (0..<d.count).map { table.insert(encoder, row: $0).0 }
            var partitionOfKey = [Int](repeating: -1, count: table.count)
            partitions = 0
            for (i, code) in codes.enumerated() {
                let key = entryKey[Int(code)]
                if partitionOfKey[key] < 0 { partitionOfKey[key] = partitions; partitions += 1 }
                partitionOf[i] = partitionOfKey[key]
            }
        } else if !partitionKeys.isEmpty {
            let encoder = KeyEncoder(partitionKeys)
            var table = KeyTable()
            for i in 0..<n { partitionOf[i] = table.insert(encoder, row: i).0 }
            partitions = table.count
        }
        let orderVectors = try call.orderBy.map { try Evaluator.evaluate($0.expr, batch) }
        let comparators = zip(call.orderBy, orderVectors).map { SortOperator.comparator($1, descending: $0.descending, nullsFirst: $0.nullsFirst) }
        func orderCompare(_ a: Int, _ b: Int) -> Int {
            for c in comparators { let r = c(a, b); if r != 0 { return r } }
            return 0
        }
        func less(_ a: Int, _ b: Int) -> Bool {
            let c = orderCompare(a, b)
            return c != 0 ? c < 0 : a < b
        }
        // Rows bucketed by partition (a counting sort keeps their order), then each partition
        // sorted alone: smaller sorts than one over every row.
        var starts = [Int](repeating: 0, count: partitions + 1)
        for p in partitionOf { starts[p + 1] += 1 }
        for p in 0..<partitions { starts[p + 1] += starts[p] }
        var rows = [Int](repeating: 0, count: n)
        var next = starts
        for (i, p) in partitionOf.enumerated() { rows[next[p]] = i; next[p] += 1 }
        if call.kind == .rowNumber, let limit = call.perPartitionLimit {
            // Only the first `limit` of each partition survive the query's filter: rank those.
            var numbers = [Int64](repeating: Int64(limit) + 1, count: n)
            for p in 0..<partitions {
                for (k, r) in Self.smallest(limit, of: rows[starts[p]..<starts[p + 1]], by: less).enumerated() {
                    numbers[r] = Int64(k + 1)
                }
            }
            return Vector(type: .bigint, storage: .ints(numbers))
        }
        for p in 0..<partitions { rows[starts[p]..<starts[p + 1]].sort(by: less) }
        let args = try call.args.map { try Evaluator.evaluate($0, batch) }
        let aggregateInput = try call.aggregate?.arg.map { try Evaluator.evaluate($0, batch) }
        let aggregateMask = try call.aggregate?.filter.map { try Evaluator.evaluate($0, batch) }
        var results = [Value](repeating: .null, count: n)
        for p in 0..<partitions where starts[p] < starts[p + 1] {
            try fill(call, Array(rows[starts[p]..<starts[p + 1]]), args, aggregateInput, aggregateMask, orderCompare, &results)
        }
        for v in results { builder.append(v) }
        return builder.finish()
    }

    /// The `k` first rows of `rows` under `less`, in order, without sorting the rest.
    static func smallest(_ k: Int, of rows: ArraySlice<Int>, by less: (Int, Int) -> Bool) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for r in rows {
            if best.count < k {
                let at = best.firstIndex { less(r, $0) } ?? best.count
                best.insert(r, at: at)
                continue
            }
            guard k > 0, less(r, best[k - 1]) else { continue }
            var lo = 0, hi = k - 1
            while lo < hi { let mid = (lo + hi) / 2; if less(r, best[mid]) { hi = mid } else { lo = mid + 1 } }
            best.insert(r, at: lo)
            best.removeLast()
        }
        return best
    }

    /// The first and last positions of row `k`'s ROWS frame in a partition of `n` rows.
    private func bounds(_ frame: RowsFrame, _ k: Int, _ n: Int) -> (Int, Int) {
        let lo = frame.start.map { max(0, k + $0) } ?? 0
        let hi = frame.end.map { min(n - 1, k + $0) } ?? n - 1
        return (lo, hi)
    }

    private func fill(_ call: WindowCall, _ part: [Int], _ args: [Vector], _ input: Vector?, _ mask: Vector?,
                      _ orderCompare: (Int, Int) -> Int, _ results: inout [Value]) throws {
        switch call.kind {
        case .rowNumber:
            for (k, r) in part.enumerated() { results[r] = .int(Int64(k + 1)) }
        case .rank, .denseRank:
            var rank = 0, dense = 0
            for (k, r) in part.enumerated() {
                if k == 0 || orderCompare(part[k - 1], r) != 0 { rank = k + 1; dense += 1 }
                results[r] = .int(Int64(call.kind == .rank ? rank : dense))
            }
        case .ntile:
            guard case let .int(buckets) = args[0].value(part[0]), buckets > 0 else {
                throw QueryError.runtime("ntile() needs a number of buckets above 0")
            }
            let size = part.count, b = Int(buckets)
            for (k, r) in part.enumerated() {
                let small = size / b, large = size % b
                let cut = large * (small + 1)
                results[r] = .int(Int64(k < cut ? k / (small + 1) + 1 : large + (k - cut) / max(small, 1) + 1))
            }
        case .lag, .lead:
            var offset = 1
            if args.count > 1, case let .int(o) = args[1].value(part[0]) { offset = Int(o) }
            for (k, r) in part.enumerated() {
                let j = call.kind == .lag ? k - offset : k + offset
                if j >= 0 && j < part.count { results[r] = args[0].value(part[j]) } else if args.count > 2 { results[r] = args[2].value(r) }
            }
        case .firstValue where call.rows != nil, .lastValue where call.rows != nil:
            for (k, r) in part.enumerated() {
                let (lo, hi) = bounds(call.rows!, k, part.count)
                results[r] = lo > hi ? .null : args[0].value(part[call.kind == .firstValue ? lo : hi])
            }
        case .firstValue, .lastValue:
            for (k, r) in part.enumerated() {
                if call.kind == .firstValue { results[r] = args[0].value(part[0]); continue }
                var last = k
                if call.wholePartition { last = part.count - 1 } else { while last + 1 < part.count && orderCompare(part[last + 1], r) == 0 { last += 1 } }
                results[r] = args[0].value(part[last])
            }
        case .aggregate where call.rows != nil:
            // A ROWS frame: each row folds its own slice of the partition.
            let agg = call.aggregate!
            for (k, r) in part.enumerated() {
                let (lo, hi) = bounds(call.rows!, k, part.count)
                var state = AggregateState(agg)
                state.grow(to: 1)
                if lo <= hi {
                    let slice = Array(part[lo...hi])
                    try state.update(groups: [Int](repeating: 0, count: slice.count), input: input?.take(slice), mask: mask?.take(slice))
                }
                results[r] = state.result(groups: 1).value(0)
            }
        case .aggregate:
            let agg = call.aggregate!
            if call.wholePartition {
                var state = AggregateState(agg)
                state.grow(to: 1)
                try state.update(groups: [Int](repeating: 0, count: part.count), input: input?.take(part), mask: mask?.take(part))
                let v = state.result(groups: 1).value(0)
                for r in part { results[r] = v }
                return
            }
            // Running aggregate over peer groups.
            var state = AggregateState(agg)
            state.grow(to: 1)
            var k = 0
            while k < part.count {
                var end = k + 1
                while end < part.count && orderCompare(part[end], part[k]) == 0 { end += 1 }
                let peers = Array(part[k..<end])
                try state.update(groups: [Int](repeating: 0, count: peers.count), input: input?.take(peers), mask: mask?.take(peers))
                let v = state.result(groups: 1).value(0)
                for r in peers { results[r] = v }
                k = end
            }
        }
    }
}
