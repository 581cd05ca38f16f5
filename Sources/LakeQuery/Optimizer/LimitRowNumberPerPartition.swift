/// `QUALIFY row_number() OVER (PARTITION BY p ORDER BY k) <= n` keeps the first n rows of each
/// partition: the window then only ranks those n per partition (a small heap each) instead of
/// sorting every partition whole. The filter stays, so the other rows still drop out.
struct LimitRowNumberPerPartition: OptimizerRule {
    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        let p = plan.withChildren(plan.children.map(apply))
        guard case let .filter(.window(input, calls, fields), condition) = p, calls.count == 1,
              calls[0].kind == .rowNumber, !calls[0].orderBy.isEmpty,
              let limit = Self.limit(condition, column: fields.count - 1) else { return p }
        var call = calls[0]
        call.perPartitionLimit = limit
        return .filter(.window(input, [call], fields), condition)
    }

    /// n where the condition holds only for row numbers up to n (`rn <= n`, `rn < n + 1`,
    /// `rn = 1`, or such a term ANDed with others).
    static func limit(_ condition: BoundExpr, column: Int) -> Int? {
        switch condition {
        case let .and(a, b):
            switch (limit(a, column: column), limit(b, column: column)) {
            case let (x?, y?): return min(x, y)
            case let (x?, nil), let (nil, x?): return x
            default: return nil
            }
        case let .compare(op, .column(c, _), .literal(.int(n), _)) where c == column:
            switch op {
            case "<=": return n >= 0 ? Int(n) : nil
            case "<": return n >= 1 ? Int(n - 1) : nil
            case "=": return n >= 1 ? Int(n) : nil
            default: return nil
            }
        case let .compare(op, .literal(.int(n), t), .column(c, ct)) where c == column:
            let flipped = [">=": "<=", ">": "<", "=": "="][op]
            return flipped.flatMap { limit(.compare($0, .column(c, ct), .literal(.int(n), t)), column: column) }
        default:
            return nil
        }
    }
}
