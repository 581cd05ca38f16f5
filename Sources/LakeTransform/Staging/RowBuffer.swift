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

    mutating func take() -> [Column] { builders.indices.map { builders[$0].take() } }
}
