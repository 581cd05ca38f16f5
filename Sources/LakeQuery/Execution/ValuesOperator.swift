/// Constant rows: VALUES lists, and the one empty row of a SELECT without FROM.
final class ValuesOperator: Operator {
    private var rows: [[Value]]?
    private let types: [DataType]
    init(_ rows: [[Value]], types: [DataType]) { self.rows = rows; self.types = types }
    func next() throws -> Batch? {
        guard let rows else { return nil }
        self.rows = nil
        let columns = types.indices.map { c -> Vector in
            var b = VectorBuilder(type: types[c], capacity: rows.count)
            for r in rows { b.append(r[c]) }
            return b.finish()
        }
        return Batch(columns: columns, count: rows.count)
    }
}
