/// ORDER BY: all rows, sorted by the keys (NULLS LAST unless asked), stable.
final class SortOperator: Operator {
    let input: Operator
    let keys: [SortKey]
    let types: [DataType]
    private var output: BatchSlicer?

    init(_ input: Operator, keys: [SortKey], types: [DataType]) {
        self.input = input
        self.keys = keys
        self.types = types
    }

    func next() throws -> Batch? {
        if output == nil {
            let all = try input.drain(types: types)
            output = BatchSlicer(all.count == 0 ? all : all.take(try Self.order(all, keys)))
        }
        return try output!.next()
    }

    /// The row order of `batch` under `keys`.
    static func order(_ batch: Batch, _ keys: [SortKey], limit: Int? = nil) throws -> [Int] {
        let vectors = try keys.map { try Evaluator.evaluate($0.expr, batch) }
        let comparators = zip(keys, vectors).map { key, v in comparator(v, descending: key.descending, nullsFirst: key.nullsFirst) }
        var indices = Array(0..<batch.count)
        let less: (Int, Int) -> Bool = { a, b in
            for c in comparators {
                let r = c(a, b)
                if r != 0 { return r < 0 }
            }
            return a < b
        }
        if let limit, limit < indices.count / 4 {
            // Partial selection: sort a candidate heap of `limit` rows.
            var best: [Int] = []
            best.reserveCapacity(limit + 1)
            for i in indices {
                if best.count < limit { best.append(i); if best.count == limit { best.sort(by: less) }; continue }
                guard less(i, best[limit - 1]) else { continue }
                var lo = 0, hi = limit - 1
                while lo < hi { let mid = (lo + hi) / 2; if less(i, best[mid]) { hi = mid } else { lo = mid + 1 } }
                best.insert(i, at: lo)
                best.removeLast()
            }
            if best.count < limit { best.sort(by: less) }
            return best
        }
        indices.sort(by: less)
        if let limit { return Array(indices.prefix(limit)) }
        return indices
    }

    static func comparator(_ v: Vector, descending: Bool, nullsFirst: Bool) -> (Int, Int) -> Int {
        let sign = descending ? -1 : 1
        let nullOrder = nullsFirst ? -1 : 1
        func wrap(_ base: @escaping (Int, Int) -> Int) -> (Int, Int) -> Int {
            guard v.validity != nil else { return { a, b in sign * base(a, b) } }
            return { a, b in
                let an = v.isNull(a), bn = v.isNull(b)
                if an || bn { return an == bn ? 0 : (an ? nullOrder : -nullOrder) }
                return sign * base(a, b)
            }
        }
        switch v.storage {
        case let .ints(x): return wrap { a, b in x[a] < x[b] ? -1 : (x[a] > x[b] ? 1 : 0) }
        case let .doubles(x): return wrap { a, b in Compare.doubles(x[a], x[b]) }
        case let .bools(x): return wrap { a, b in x[a] == x[b] ? 0 : (!x[a] ? -1 : 1) }
        case let .strings(s):
            return wrap { a, b in
                s.bytes.withUnsafeBufferPointer { p in
                    let sa = Int(s.offsets[a]), sb = Int(s.offsets[b])
                    return Evaluator.compareBytes(p.baseAddress.map { $0 + sa }, Int(s.offsets[a + 1]) - sa,
                                                  p.baseAddress.map { $0 + sb }, Int(s.offsets[b + 1]) - sb)
                }
            }
        case .nulls: return { _, _ in 0 }
        case .intervals: return wrap { a, b in Compare.values(v.value(a), v.value(b)) }
        case let .dictionary(codes, d):
            // Rank the entries once; rows compare by rank.
            var rank = [Int32](repeating: 0, count: d.count)
            d.bytes.withUnsafeBufferPointer { p in
                d.offsets.withUnsafeBufferPointer { o in
                    func compare(_ x: Int, _ y: Int) -> Int {
                        Evaluator.compareBytes(p.baseAddress.map { $0 + Int(o[x]) }, Int(o[x + 1] - o[x]),
                                               p.baseAddress.map { $0 + Int(o[y]) }, Int(o[y + 1] - o[y]))
                    }
                    let order = (0..<d.count).sorted { compare($0, $1) < 0 }
                    var r: Int32 = 0
                    for (k, e) in order.enumerated() {
                        if k > 0 && compare(order[k - 1], e) != 0 { r += 1 }
                        rank[e] = r
                    }
                }
            }
            return wrap { a, b in
                let x = rank[Int(codes[a])], y = rank[Int(codes[b])]
                return x < y ? -1 : (x > y ? 1 : 0)
            }
        }
    }
}

/// ORDER BY … LIMIT n without sorting everything: keeps the best n rows seen so far.
final class TopNOperator: Operator {
    let input: Operator
    let keys: [SortKey]
    let limit: Int
    let types: [DataType]
    private var output: BatchSlicer?

    init(_ input: Operator, keys: [SortKey], limit: Int, types: [DataType]) {
        self.input = input
        self.keys = keys
        self.limit = limit
        self.types = types
    }

    func next() throws -> Batch? {
        if output == nil {
            var kept: Batch?
            while let b = try input.next() {
                let merged = kept.map { k in Batch(columns: types.indices.map { Vector.concat([k.columns[$0], b.columns[$0]], type: types[$0]) }, count: k.count + b.count) } ?? b
                kept = merged.take(try SortOperator.order(merged, keys, limit: limit))
            }
            output = BatchSlicer(kept ?? Batch(columns: types.map { VectorBuilder(type: $0).finish() }, count: 0))
        }
        return try output!.next()
    }
}
