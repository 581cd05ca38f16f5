import LakeCatalog
import LakeCore
import LakeParquet

/// Writes a table's current state as Parquet files of at most `rowsPerFile` rows: rows kept
/// from staged files (column values) and rows a change made (cells).
final class StateWriter {
    let schema: [ColumnSchema]
    let folder: String
    let batchId: String
    let rowsPerFile: Int
    let options: WriterOptions
    private var builders: [ColumnBuilder]
    private var written: [(String, ParquetWriter.Written)] = []

    init(schema: [ColumnSchema], folder: String, batchId: String, rowsPerFile: Int, options: WriterOptions) {
        self.schema = schema
        self.folder = folder
        self.batchId = batchId
        self.rowsPerFile = rowsPerFile
        self.options = options
        builders = schema.map(ColumnBuilder.init)
    }

    /// A staged row as it is; `columns` are the file's columns in the schema's order (nil
    /// for a column the file does not have).
    func append(row: Int, of columns: [Column?]) throws {
        for (i, column) in columns.enumerated() {
            guard let column, !column.isNull(row) else { builders[i].appendNull(); continue }
            if column.schema.type == schema[i].type {
                switch column.data {
                case let .boolean(v): builders[i].append(bool: v[row])
                case let .int32(v): builders[i].append(int32: v[row])
                case let .int64(v): builders[i].append(int64: v[row])
                case let .double(v): builders[i].append(double: v[row])
                case let .string(v): builders[i].append(bytes: v.bytes[v.range(row)])
                }
            } else {
                append(Self.converted(column, row: row, to: schema[i].type), to: i)
            }
        }
        try rowDone()
    }

    /// A row a change made: the contract's cells, then `_lsn`, `_op`, `_commit_time`.
    func append(_ row: CurrentState.Row) throws {
        try append(cells: row.cells + [.int(Int64(bitPattern: row.commitLSN)), .bytes([row.op.rawValue]),
                                       row.commitMicros == 0 ? .null : .int(row.commitMicros)])
    }

    /// A row of cells, one per column.
    func append(cells: [Cell]) throws {
        for (i, cell) in cells.enumerated() { append(cell, to: i) }
        try rowDone()
    }

    private func append(_ cell: Cell, to i: Int) {
        switch cell {
        case .null, .carry: builders[i].appendNull()
        case let .int(v):
            switch schema[i].type {
            case .int32, .date: builders[i].append(int32: Int32(truncatingIfNeeded: v))
            case .double: builders[i].append(double: Double(v))
            case .string: builders[i].append(bytes: Array(String(v).utf8))
            case .boolean: builders[i].append(bool: v != 0)
            default: builders[i].append(int64: v)
            }
        case let .double(v):
            if schema[i].type == .double { builders[i].append(double: v) } else { append(.bytes(Array(String(v).utf8)), to: i) }
        case let .bool(v):
            if schema[i].type == .boolean { builders[i].append(bool: v) } else { append(.bytes(Array((v ? "true" : "false").utf8)), to: i) }
        case let .bytes(b):
            if schema[i].type == .string { builders[i].append(bytes: b) } else { builders[i].appendNull() }
        }
    }

    /// The cell a staged value is (for unchanged TOAST values carried forward).
    static func cell(_ column: Column, row: Int) -> Cell {
        if column.isNull(row) { return .null }
        switch column.data {
        case let .boolean(v): return .bool(v[row])
        case let .int32(v): return .int(Int64(v[row]))
        case let .int64(v): return .int(v[row])
        case let .double(v): return .double(v[row])
        case let .string(v): return .bytes(Array(v.bytes[v.range(row)]))
        }
    }

    /// A value whose column changed type (`ALTER COLUMN … TYPE` sends no row changes): its
    /// text, read as the new type; null when it does not read.
    static func converted(_ column: Column, row: Int, to type: ColumnType) -> Cell {
        let text: String
        switch column.value(row) {
        case nil: return .null
        case let .string(s)?: text = s
        case let .int(v)?: text = String(v)
        case let .double(v)?: text = String(v)
        case let .boolean(v)?: text = v ? "true" : "false"
        case let other?: text = other.description
        }
        switch type {
        case .string: return .bytes(Array(text.utf8))
        case .int64, .int32: return Int64(text).map(Cell.int) ?? .null
        case .double: return Double(text).map(Cell.double) ?? .null
        case .boolean: return ["true", "t"].contains(text) ? .bool(true) : ["false", "f"].contains(text) ? .bool(false) : .null
        case .date: return CivilTime.parseDate(ArraySlice(text.utf8)).map { .int(Int64($0)) } ?? .null
        case .timestamp: return CivilTime.parseTimestamp(ArraySlice(text.utf8)).map(Cell.int) ?? .null
        }
    }

    private func rowDone() throws {
        if builders[0].count >= rowsPerFile { try flush() }
    }

    private func flush() throws {
        guard builders[0].count > 0 else { return }
        let relative = "part-\(batchId)-\(written.count).parquet"
        let writer = try ParquetWriter(path: folder + "/" + relative, schema: schema, options: options)
        try writer.write(builders.indices.map { builders[$0].take() })
        written.append((relative, try writer.finish()))
    }

    /// The files written, as the catalog records them: `staged/<dataset>/part-….parquet`,
    /// not partitioned.
    func finish(dataset: String, source: String?, run: Int64?, createdAt: String) throws -> [FileRecord] {
        try flush()
        return written.map { relative, w in
            FileRecord(path: "staged/\(dataset)/" + relative, dataset: dataset, source: source, zone: "staged", partitionValues: "{}",
                       dt: nil, region: nil, rows: w.rows, records: w.rows, bytes: w.bytes, sha256: w.sha256, batchId: batchId,
                       tmpPath: nil, runId: run, createdAt: createdAt)
        }
    }
}
