/// Computes the output columns from the input's.
final class ProjectOperator: Operator {
    let input: Operator
    let exprs: [BoundExpr]
    init(_ input: Operator, _ exprs: [BoundExpr]) { self.input = input; self.exprs = exprs }
    func next() throws -> Batch? {
        guard let b = try input.next() else { return nil }
        return Batch(columns: try exprs.map { try Evaluator.evaluate($0, b) }, count: b.count)
    }
}
