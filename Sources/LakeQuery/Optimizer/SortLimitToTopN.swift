/// ORDER BY … LIMIT n becomes a top-n that keeps n rows instead of sorting all of them.
struct SortLimitToTopN: OptimizerRule {
    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        let children = plan.children.map(apply)
        let p = plan.withChildren(children)
        if case let .limit(.sort(input, keys), limit?, offset) = p {
            return .limit(.topN(input, keys, limit + offset), limit: limit, offset: offset)
        }
        return p
    }
}
