/// Keeps only the columns some later node reads, down to the scans, so a query over a wide
/// table decodes only what it uses.
struct PruneColumns: OptimizerRule {
    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        prune(plan, Set(plan.fields.indices)).0
    }

    /// The pruned plan and where each required old output position went.
    private func prune(_ plan: LogicalPlan, _ required: Set<Int>) -> (LogicalPlan, [Int: Int]) {
        func identity(_ n: Int) -> [Int: Int] { Dictionary(uniqueKeysWithValues: (0..<n).map { ($0, $0) }) }
        switch plan {
        case var .scan(spec):
            let kept = required.sorted()
            spec.columns = kept.map { spec.columns[$0] }
            return (.scan(spec), Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) }))
        case .values:
            return (plan, identity(plan.fields.count))
        case let .filter(child, c):
            let (p, m) = prune(child, required.union(c.columns))
            return (.filter(p, c.remap { m[$0]! }), m)
        case let .project(child, exprs, fields):
            let kept = required.sorted()
            let need = kept.reduce(into: Set<Int>()) { $0.formUnion(exprs[$1].columns) }
            let (p, m) = prune(child, need)
            return (.project(p, kept.map { exprs[$0].remap { m[$0]! } }, kept.map { fields[$0] }),
                    Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) }))
        case let .aggregate(child, groups, aggs, fields):
            var need = Set<Int>()
            for g in groups { need.formUnion(g.columns) }
            for a in aggs { need.formUnion(a.arg?.columns ?? []); need.formUnion(a.filter?.columns ?? []) }
            let (p, m) = prune(child, need)
            let map = { (i: Int) in m[i]! }
            let newAggs = aggs.map { a -> AggregateCall in
                var x = a
                x.arg = a.arg?.remap(map)
                x.filter = a.filter?.remap(map)
                return x
            }
            return (.aggregate(p, groups: groups.map { $0.remap(map) }, aggregates: newAggs, fields), identity(fields.count))
        case let .window(child, calls, fields):
            let n0 = child.fields.count
            var need = Set(required.filter { $0 < n0 })
            for c in calls {
                for e in c.args + c.partitionBy + c.orderBy.map(\.expr) { need.formUnion(e.columns) }
                need.formUnion(c.aggregate?.arg?.columns ?? [])
                need.formUnion(c.aggregate?.filter?.columns ?? [])
            }
            let (p, m) = prune(child, need)
            let map = { (i: Int) in m[i]! }
            let newCalls = calls.map { c -> WindowCall in
                var x = c
                x.args = c.args.map { $0.remap(map) }
                x.partitionBy = c.partitionBy.map { $0.remap(map) }
                x.orderBy = c.orderBy.map { SortKey(expr: $0.expr.remap(map), descending: $0.descending, nullsFirst: $0.nullsFirst) }
                x.aggregate?.arg = c.aggregate?.arg?.remap(map)
                x.aggregate?.filter = c.aggregate?.filter?.remap(map)
                return x
            }
            let newN = p.fields.count
            var out = m
            for j in 0..<calls.count { out[n0 + j] = newN + j }
            return (.window(p, newCalls, p.fields + Array(fields[n0...])), out)
        case let .join(spec, fields):
            let nl = spec.left.fields.count
            var leftNeed = Set(required.filter { $0 < nl }), rightNeed = Set(required.filter { $0 >= nl }.map { $0 - nl })
            for k in spec.leftKeys { leftNeed.formUnion(k.columns) }
            for k in spec.rightKeys { rightNeed.formUnion(k.columns) }
            for c in spec.residual?.columns ?? [] { if c < nl { leftNeed.insert(c) } else { rightNeed.insert(c - nl) } }
            let (l, ml) = prune(spec.left, leftNeed)
            let (r, mr) = prune(spec.right, rightNeed)
            let newNl = l.fields.count
            var s = spec
            s.left = l
            s.right = r
            s.leftKeys = spec.leftKeys.map { $0.remap { ml[$0]! } }
            s.rightKeys = spec.rightKeys.map { $0.remap { mr[$0]! } }
            s.residual = spec.residual?.remap { $0 < nl ? ml[$0]! : newNl + mr[$0 - nl]! }
            var out: [Int: Int] = [:]
            for (o, n) in ml { out[o] = n }
            for (o, n) in mr { out[o + nl] = newNl + n }
            var newFields = [Field](repeating: Field(name: "", table: nil, type: .null), count: l.fields.count + r.fields.count)
            for (o, n) in out { newFields[n] = fields[o] }
            // Key-only columns: the join reads them, nothing after it does.
            s.unused = Set(out.filter { !required.contains($0.key) }.map(\.value)).subtracting(s.residual?.columns ?? [])
            return (.join(s, newFields), out)
        case let .sort(child, keys):
            var need = required
            for k in keys { need.formUnion(k.expr.columns) }
            let (p, m) = prune(child, need)
            return (.sort(p, keys.map { SortKey(expr: $0.expr.remap { m[$0]! }, descending: $0.descending, nullsFirst: $0.nullsFirst) }), m)
        case let .topN(child, keys, n):
            var need = required
            for k in keys { need.formUnion(k.expr.columns) }
            let (p, m) = prune(child, need)
            return (.topN(p, keys.map { SortKey(expr: $0.expr.remap { m[$0]! }, descending: $0.descending, nullsFirst: $0.nullsFirst) }, n), m)
        case let .limit(child, l, o):
            let (p, m) = prune(child, required)
            return (.limit(p, limit: l, offset: o), m)
        case let .distinct(child):
            let all = Set(child.fields.indices)
            let (p, _) = prune(child, all)
            return (.distinct(p), identity(child.fields.count))
        case let .unionAll(children, fields):
            return (.unionAll(children.map { prune($0, Set($0.fields.indices)).0 }, fields), identity(fields.count))
        }
    }
}
