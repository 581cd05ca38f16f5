/// Passes each distinct row once, the first time it is seen.
final class DistinctOperator: Operator {
    let input: Operator
    private var seen = KeyTable()
    init(_ input: Operator) { self.input = input }
    func next() throws -> Batch? {
        while let b = try input.next() {
            var keep: [Int] = []
            let encoder = KeyEncoder(b.columns)
            for i in 0..<b.count where seen.insert(encoder, row: i).1 { keep.append(i) }
            if keep.count == b.count { return b }
            if !keep.isEmpty { return b.take(keep) }
        }
        return nil
    }
}
