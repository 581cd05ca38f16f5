/// One rewrite of the logical plan; the optimizer applies them in order.
protocol OptimizerRule {
    func apply(_ plan: LogicalPlan) -> LogicalPlan
}

enum Optimizer {
    static let rules: [any OptimizerRule] = [PushFiltersDown(), PruneColumns(), SortLimitToTopN(), LimitRowNumberPerPartition()]

    static func optimize(_ plan: LogicalPlan) -> LogicalPlan {
        rules.reduce(plan) { $1.apply($0) }
    }
}

extension LogicalPlan {
    /// The same node over new children.
    func withChildren(_ children: [LogicalPlan]) -> LogicalPlan {
        switch self {
        case .scan, .values: return self
        case let .filter(_, c): return .filter(children[0], c)
        case let .project(_, e, f): return .project(children[0], e, f)
        case let .aggregate(_, g, a, f): return .aggregate(children[0], groups: g, aggregates: a, f)
        case let .window(_, c, f): return .window(children[0], c, f)
        case let .join(spec, f):
            var s = spec
            s.left = children[0]
            s.right = children[1]
            return .join(s, f)
        case let .sort(_, k): return .sort(children[0], k)
        case let .topN(_, k, n): return .topN(children[0], k, n)
        case let .limit(_, l, o): return .limit(children[0], limit: l, offset: o)
        case .distinct: return .distinct(children[0])
        case let .unionAll(_, f): return .unionAll(children, f)
        }
    }

    var children: [LogicalPlan] {
        switch self {
        case .scan, .values: return []
        case let .filter(p, _), let .project(p, _, _), let .aggregate(p, _, _, _), let .window(p, _, _), let .sort(p, _),
             let .topN(p, _, _), let .limit(p, _, _), let .distinct(p):
            return [p]
        case let .join(s, _): return [s.left, s.right]
        case let .unionAll(ps, _): return ps
        }
    }
}
