/// Skips `offset` rows, then passes `limit` rows and stops pulling.
final class LimitOperator: Operator {
    let input: Operator
    private var toSkip: Int
    private var left: Int
    init(_ input: Operator, limit: Int?, offset: Int) {
        self.input = input
        toSkip = offset
        left = limit ?? .max
    }
    func next() throws -> Batch? {
        while left > 0, let b = try input.next() {
            var start = 0
            if toSkip > 0 {
                let skip = min(toSkip, b.count)
                toSkip -= skip
                start = skip
            }
            let end = start + min(b.count - start, left)
            guard end > start else { continue }
            left -= end - start
            return start == 0 && end == b.count ? b : b.take(Array(start..<end))
        }
        return nil
    }
}
