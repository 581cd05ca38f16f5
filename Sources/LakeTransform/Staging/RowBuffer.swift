import LakeParquet

/// Rows of one partition waiting to be written: one builder per column.
struct RowBuffer {
    var builders: [ColumnBuilder]
    var count: Int { builders[0].count }

    init(_ columns: [ColumnSchema]) { builders = columns.map(ColumnBuilder.init) }

    var byteEstimate: Int { builders.reduce(0) { $0 + $1.byteEstimate } }

    mutating func truncate(to n: Int) {
        for i in builders.indices { builders[i].truncate(to: n) }
    }

    /// Appends row `row`'s primary key bytes; returns the first key column that is null.
    func key(row: Int, columns: [Int], into out: inout [UInt8]) -> Int? {
        var null: Int?
        for c in columns {
            if builders[c].isNull(row), null == nil { null = c }
            builders[c].keyBytes(row: row, into: &out)
            out.append(0x1F)
        }
        return null
    }

    mutating func take() -> [Column] { builders.indices.map { builders[$0].take() } }

    /// The buffered rows of the columns at `indices`; the buffer starts over empty.
    mutating func take(_ indices: [Int]) -> [Column] {
        let all = take()
        return indices.map { all[$0] }
    }
}
