/// Builds the operator tree for an optimized logical plan.
enum PhysicalPlanner {
    static func build(_ plan: LogicalPlan) -> Operator {
        switch plan {
        case let .scan(spec): return ScanOperator(spec)
        case let .values(rows, fields): return ValuesOperator(rows, types: fields.map(\.type))
        case let .filter(p, c): return FilterOperator(build(p), c)
        case let .project(p, e, _): return ProjectOperator(build(p), e)
        case let .aggregate(p, g, a, _): return HashAggregateOperator(build(p), groups: g, aggregates: a)
        case let .window(p, calls, _): return WindowOperator(build(p), calls: calls, types: p.fields.map(\.type))
        case let .join(spec, _):
            return HashJoinOperator(left: build(spec.left), right: build(spec.right), spec: spec,
                                    leftTypes: spec.left.fields.map(\.type), rightTypes: spec.right.fields.map(\.type))
        case let .sort(p, keys): return SortOperator(build(p), keys: keys, types: p.fields.map(\.type))
        case let .topN(p, keys, n): return TopNOperator(build(p), keys: keys, limit: n, types: p.fields.map(\.type))
        case let .limit(p, l, o): return LimitOperator(build(p), limit: l, offset: o)
        case let .distinct(p): return DistinctOperator(build(p))
        case let .unionAll(ps, _): return UnionAllOperator(ps.map(build))
        }
    }
}
