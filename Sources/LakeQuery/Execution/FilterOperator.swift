/// Keeps the rows where a condition is true.
final class FilterOperator: Operator {
    let input: Operator
    let condition: BoundExpr
    init(_ input: Operator, _ condition: BoundExpr) { self.input = input; self.condition = condition }
    func next() throws -> Batch? {
        while let b = try input.next() {
            let keep = Evaluator.selection(try Evaluator.evaluate(condition, b))
            if keep.count == b.count { return b }
            if !keep.isEmpty { return b.take(keep) }
        }
        return nil
    }
}
