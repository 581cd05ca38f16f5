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
    /// (Mutating only to reach each builder by address: indexing the array copied the builder,
    /// a retain and a release of each of its arrays, for every row's key.)
    mutating func key(row: Int, columns: [Int], into out: inout [UInt8]) -> Int? {
        var null: Int?
        builders.withUnsafeMutableBufferPointer { b in
            for c in columns {
                if Self.appendKey(of: &b[c], row: row, into: &out), null == nil { null = c }
                out.append(0x1F)
            }
        }
        return null
    }

    /// True when the row's value is null.
    private static func appendKey(of builder: inout ColumnBuilder, row: Int, into out: inout [UInt8]) -> Bool {
        builder.keyBytes(row: row, into: &out)
        return builder.isNull(row)
    }

    mutating func take() -> [Column] { builders.indices.map { builders[$0].take() } }

    /// The buffered rows of the columns at `indices`; the buffer starts over empty.
    mutating func take(_ indices: [Int]) -> [Column] {
        let all = take()
        return indices.map { all[$0] }
    }
}
