/// [INNER|LEFT|RIGHT|FULL] JOIN on equality keys: the right input is built into a hash table,
/// the left streams through it; the rest of the ON condition is checked on each candidate pair.
final class HashJoinOperator: Operator {
    let left: Operator
    let right: Operator
    let spec: JoinSpec
    let leftTypes: [DataType]
    let rightTypes: [DataType]
    private var built = false
    private var build = Batch(columns: [], count: 0)
    private var table = KeyTable()
    private var heads: [Int32] = []
    private var chain: [Int32] = []
    private var matched: [Bool] = []
    private var finished = false
    /// The left scan's workers probe the built table, so the consumer only receives pairs.
    private var probedInScan = false

    init(left: Operator, right: Operator, spec: JoinSpec, leftTypes: [DataType], rightTypes: [DataType]) {
        self.left = left
        self.right = right
        self.spec = spec
        self.leftTypes = leftTypes
        self.rightTypes = rightTypes
    }

    private func buildTable() throws {
        built = true
        build = try right.drain(types: rightTypes)
        if build.columns.isEmpty { build = Batch(columns: rightTypes.map { VectorBuilder(type: $0).finish() }, count: build.count) }
        matched = [Bool](repeating: false, count: build.count)
        guard spec.kind != .cross else { return }
        let keys = try spec.rightKeys.map { try Evaluator.evaluate($0, build) }
        chain = [Int32](repeating: -1, count: build.count)
        let encoder = KeyEncoder(keys)
        for r in 0..<build.count where !KeyTable.hasNull(keys, row: r) {
            let (g, inserted) = table.insert(encoder, row: r)
            if inserted { heads.append(-1) }
            chain[r] = heads[g]
            heads[g] = Int32(r)
        }
    }

    func next() throws -> Batch? {
        if !built {
            try buildTable()
            probeInScanWorkers()
        }
        while let b = try left.next() {
            let pairs = probedInScan ? b : try join(b, table: &table)
            if pairs.count > 0 { return pairs }
        }
        if (spec.kind == .right || spec.kind == .full) && !finished {
            finished = true
            let missing = (0..<build.count).filter { !matched[$0] }
            if !missing.isEmpty {
                let rightRows = build.take(missing)
                let nulls = leftTypes.map { Vector(repeating: .null, type: $0, count: missing.count) }
                return Batch(columns: nulls + rightRows.columns, count: missing.count)
            }
        }
        return nil
    }

    /// An INNER or LEFT join straight over a scan probes in the scan's workers, on every core:
    /// the probe only reads the built table (each worker looks keys up in its own copy, whose
    /// scratch buffer is its own), where on the consumer it was the one busy thread of a join
    /// over millions of rows. RIGHT and FULL joins mark build rows, so they probe here.
    private func probeInScanWorkers() {
        guard spec.kind == .inner || spec.kind == .left, let scan = left as? ScanOperator, !scan.started else { return }
        let shared = table
        // Weak: a strong capture would be a cycle (join → scan → its work → join), and a batch
        // still in flight once the join is gone has no reader.
        scan.workerStage = { [weak self] b in
            guard let self else { return b }
            var lookups = shared
            return try self.join(b, table: &lookups)
        }
        probedInScan = true
    }

    /// The probe batch's rows beside their build rows (and, for LEFT and FULL joins, the rows
    /// without one, padded with nulls).
    private func join(_ b: Batch, table: inout KeyTable) throws -> Batch {
        var li: [Int] = [], ri: [Int] = []
        if spec.kind == .cross {
            for l in 0..<b.count { for r in 0..<build.count { li.append(l); ri.append(r) } }
        } else {
            let keys = try spec.leftKeys.map { try Evaluator.evaluate($0, b) }
            // Locals, not stored properties, in the row loop: no exclusivity checks per row.
            let heads = self.heads, chain = self.chain
            let combiner = CodeCombiner(keys)
            let nullable = keys.contains { $0.validity != nil || Evaluator.isAllNull($0) }
            let encoder = KeyEncoder(keys)
            if let combiner {
                // Dictionary-coded probe keys (never null): each code combination is looked up
                // once, then the rows walk their chains through raw buffers.
                var cache = [Int32](repeating: -2, count: combiner.size)
                // Per code, how many build rows it matches: the pairs are counted first and
                // written into arrays of their size (an append per pair checked the arrays'
                // uniqueness and capacity each time, a tenth of a join over 10M rows).
                var matches = [Int](repeating: 0, count: combiner.size)
                for (l, c) in combiner.combined.enumerated() where cache[c] == -2 {
                    guard let g = table.find(encoder, row: l) else { cache[c] = -1; continue }
                    cache[c] = Int32(g)
                    var r = heads[g]
                    while r >= 0 { matches[c] += 1; r = chain[Int(r)] }
                }
                let total = combiner.combined.reduce(0) { $0 + matches[$1] }
                li = [Int](repeating: 0, count: total)
                ri = [Int](repeating: 0, count: total)
                combiner.combined.withUnsafeBufferPointer { combined in
                    cache.withUnsafeBufferPointer { cache in
                        heads.withUnsafeBufferPointer { heads in
                            chain.withUnsafeBufferPointer { chain in
                                li.withUnsafeMutableBufferPointer { li in
                                    ri.withUnsafeMutableBufferPointer { ri in
                                        var k = 0
                                        for (l, c) in combined.enumerated() {
                                            let g = Int(cache[c])
                                            guard g >= 0 else { continue }
                                            var r = heads[g]
                                            while r >= 0 { li[k] = l; ri[k] = Int(r); k += 1; r = chain[Int(r)] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                li.reserveCapacity(b.count)
                ri.reserveCapacity(b.count)
                for l in 0..<b.count where !nullable || !KeyTable.hasNull(keys, row: l) {
                    guard let g = table.find(encoder, row: l) else { continue }
                    var r = heads[g]
                    while r >= 0 { li.append(l); ri.append(Int(r)); r = chain[Int(r)] }
                }
            }
        }
        var pairs = combine(b, li, ri)
        if let residual = spec.residual, pairs.count > 0 {
            let keep = Evaluator.selection(try Evaluator.evaluate(residual, pairs))
            li = keep.map { li[$0] }
            ri = keep.map { ri[$0] }
            pairs = pairs.take(keep)
        }
        if spec.kind == .right || spec.kind == .full { for r in ri { matched[r] = true } }
        if spec.kind == .left || spec.kind == .full {
            var hit = [Bool](repeating: false, count: b.count)
            for l in li { hit[l] = true }
            let missing = (0..<b.count).filter { !hit[$0] }
            if !missing.isEmpty {
                let extra = padRight(b.take(missing))
                pairs = Batch(columns: pairs.columns.indices.map { Vector.concat([pairs.columns[$0], extra.columns[$0]], type: (leftTypes + rightTypes)[$0]) },
                              count: pairs.count + extra.count)
            }
        }
        return pairs
    }

    /// Probe rows and their build rows side by side. Build-side strings come out as codes into
    /// the build column (no copy), so later filters and group-by work per build row.
    private func combine(_ b: Batch, _ li: [Int], _ ri: [Int]) -> Batch {
        let codes = ri.map { Int32($0) }
        let nl = b.columns.count
        let left = b.columns.enumerated().map { k, v in spec.unused.contains(k) ? Vector(type: v.type, storage: .nulls(li.count)) : v.take(li) }
        let right = build.columns.enumerated().map { k, v -> Vector in
            if spec.unused.contains(nl + k) { return Vector(type: v.type, storage: .nulls(ri.count)) }
            let valid = v.validity.map { x in ri.map { x[$0] } }
            switch v.storage {
            case let .strings(s): return Vector(type: v.type, storage: .dictionary(codes, s), validity: valid)
            case let .dictionary(c, d): return Vector(type: v.type, storage: .dictionary(ri.map { c[$0] }, d), validity: valid)
            default: return v.take(ri)
            }
        }
        return Batch(columns: left + right, count: li.count)
    }

    private func padRight(_ b: Batch) -> Batch {
        Batch(columns: b.columns + rightTypes.map { Vector(repeating: .null, type: $0, count: b.count) }, count: b.count)
    }
}
