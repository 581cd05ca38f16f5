/// A physical operator: pulls batches from its inputs and yields its own, until nil.
protocol Operator: AnyObject {
    func next() throws -> Batch?
}

/// Batches rows are cut into where an operator materializes (sort, window, join build).
let batchRows = 65_536

extension Operator {
    /// Every remaining batch, concatenated (for operators that need all their input).
    func drain(types: [DataType]) throws -> Batch {
        var parts: [Batch] = []
        while let b = try next() { if b.count > 0 { parts.append(b) } }
        if parts.count == 1 { return parts[0] }
        let columns = types.indices.map { c in Vector.concat(parts.map { $0.columns[c] }, type: types[c]) }
        return Batch(columns: columns.isEmpty ? [] : columns, count: parts.reduce(0) { $0 + $1.count })
    }
}

/// Cuts a big batch into batches of `batchRows`.
final class BatchSlicer: Operator {
    private let batch: Batch
    private var at = 0
    init(_ batch: Batch) { self.batch = batch }
    func next() throws -> Batch? {
        guard at < batch.count else { return nil }
        if at == 0 && batch.count <= batchRows { at = batch.count; return batch }
        let end = min(at + batchRows, batch.count)
        defer { at = end }
        return batch.take(Array(at..<end))
    }
}
