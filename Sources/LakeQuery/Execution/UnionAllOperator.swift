/// The rows of each input in turn.
final class UnionAllOperator: Operator {
    let inputs: [Operator]
    private var at = 0
    init(_ inputs: [Operator]) { self.inputs = inputs }
    func next() throws -> Batch? {
        while at < inputs.count {
            if let b = try inputs[at].next() { return b }
            at += 1
        }
        return nil
    }
}
