/// Moves filter conditions as close to the scans as they can go: through projections and
/// below aggregates (conditions on group keys), into the sides of joins (a condition that
/// equates the two sides of a cross join makes it a hash join), and into scans, which use
/// them to skip partitions and row groups.
struct PushFiltersDown: OptimizerRule {
    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case let .filter(child, condition):
            return push(condition.conjuncts, into: apply(child))
        default:
            return plan.withChildren(plan.children.map(apply))
        }
    }

    private func wrap(_ plan: LogicalPlan, _ conjuncts: [BoundExpr]) -> LogicalPlan {
        guard let first = conjuncts.first else { return plan }
        return .filter(plan, conjuncts.dropFirst().reduce(first) { .and($0, $1) })
    }

    private func push(_ conjuncts: [BoundExpr], into plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case var .scan(spec):
            spec.filters += conjuncts
            return .scan(spec)
        case let .filter(child, c):
            return push(conjuncts + c.conjuncts, into: child)
        case let .project(child, exprs, fields):
            return .project(push(conjuncts.map { $0.replacingColumns { i, _ in exprs[i] } }, into: child), exprs, fields)
        case let .aggregate(child, groups, aggs, fields):
            var down: [BoundExpr] = [], stay: [BoundExpr] = []
            for c in conjuncts {
                if c.columns.allSatisfy({ $0 < groups.count }) { down.append(c.replacingColumns { i, _ in groups[i] }) } else { stay.append(c) }
            }
            let below = down.isEmpty ? child : push(down, into: child)
            return wrap(.aggregate(below, groups: groups, aggregates: aggs, fields), stay)
        case .join(var spec, let fields):
            let nl = spec.left.fields.count
            var left: [BoundExpr] = [], right: [BoundExpr] = [], stay: [BoundExpr] = []
            for c in conjuncts {
                let cols = c.columns
                let leftOnly = cols.allSatisfy { $0 < nl }, rightOnly = cols.allSatisfy { $0 >= nl }
                if leftOnly && !cols.isEmpty && spec.kind != .right && spec.kind != .full { left.append(c); continue }
                if rightOnly && !cols.isEmpty && (spec.kind == .inner || spec.kind == .cross) { right.append(c.remap { $0 - nl }); continue }
                if spec.kind == .inner || spec.kind == .cross, case let .compare("=", a, b) = c {
                    let ac = a.columns, bc = b.columns
                    if !ac.isEmpty, !bc.isEmpty, ac.allSatisfy({ $0 < nl }), bc.allSatisfy({ $0 >= nl }) {
                        spec.leftKeys.append(a); spec.rightKeys.append(b.remap { $0 - nl }); spec.kind = .inner; continue
                    }
                    if !ac.isEmpty, !bc.isEmpty, bc.allSatisfy({ $0 < nl }), ac.allSatisfy({ $0 >= nl }) {
                        spec.leftKeys.append(b); spec.rightKeys.append(a.remap { $0 - nl }); spec.kind = .inner; continue
                    }
                }
                stay.append(c)
            }
            if !left.isEmpty { spec.left = push(left, into: spec.left) }
            if !right.isEmpty { spec.right = push(right, into: spec.right) }
            if spec.kind == .inner, !stay.isEmpty {
                spec.residual = stay.reduce(spec.residual) { acc, e in acc.map { .and($0, e) } ?? e }
                stay = []
            }
            return wrap(.join(spec, fields), stay)
        default:
            return wrap(plan, conjuncts)
        }
    }
}
