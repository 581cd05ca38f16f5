import ArgumentParser
import LakeCore
import LakeParquet

struct ParquetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Look inside a Parquet file with lake's own reader.",
        subcommands: [ParquetCat.self, ParquetMeta.self])
}

struct ParquetCat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat", abstract: "Print a Parquet file's rows (NDJSON by default, values typed).")
    @Argument(help: "A Parquet file.") var file: String
    @Option(help: "Only these columns, comma-separated.") var columns: String?
    @Option(help: "ndjson (one object per line) or json (one array).") var format: RowFormat = .ndjson
    @Option(help: "Stop after this many rows.") var limit: Int?

    enum RowFormat: String, ExpressibleByArgument { case ndjson, json }

    func run() async throws {
        let parquet = try ParquetFile(path: file)
        let names = columns?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let indices = try names.map { try $0.map(parquet.columnIndex) } ?? Array(parquet.schema.indices)
        var rows: [JSONValue] = []
        var printed = 0
        outer: for group in 0..<parquet.rowGroupCount {
            let batch = try parquet.read(rowGroup: group, columns: indices)
            let count = batch.first?.count ?? 0
            for r in 0..<count {
                if let limit, printed >= limit { break outer }
                let row = JSONValue.object(batch.map { ($0.name, $0.json(r)) })
                if format == .ndjson { print(row.serialized()) } else { rows.append(row) }
                printed += 1
            }
        }
        if format == .json { print(JSONValue.array(rows).serialized()) }
    }
}

struct ParquetMeta: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta", abstract: "A Parquet file's schema, row groups and column statistics.")
    @Argument(help: "A Parquet file.") var file: String
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let parquet = try ParquetFile(path: file)
        let columns: [JSONValue] = parquet.schema.map {
            .object([("name", .string($0.name)), ("type", .string($0.type.sqlName)), ("nullable", .bool($0.nullable))])
        }
        let groups: [JSONValue] = (0..<parquet.rowGroupCount).map { g in
            .object([("rows", .int(parquet.rowCount(rowGroup: g))),
                     ("columns", .array(parquet.schema.indices.map { c in
                         let s = parquet.statistics(rowGroup: g, column: c)
                         return .object([("name", .string(parquet.schema[c].name)),
                                         ("min", s?.min.map { .string($0.description) } ?? .null),
                                         ("max", s?.max.map { .string($0.description) } ?? .null),
                                         ("null_count", s.map { .int($0.nullCount) } ?? .null)])
                     }))])
        }
        let meta = JSONValue.object([
            ("file", .string(file)), ("rows", .int(parquet.rowCount)), ("created_by", parquet.createdBy.json),
            ("columns", .array(columns)), ("skipped_nested_columns", .array(parquet.skippedColumns.map(JSONValue.string))),
            ("row_groups", .array(groups)),
        ])
        if format == .json { return Output.json(meta) }
        var table = Table(["column", "type", "nullable"])
        for c in parquet.schema { table.add([c.name, c.type.sqlName, c.nullable ? "yes" : "no"]) }
        print("\(file): \(parquet.rowCount) rows in \(parquet.rowGroupCount) row group(s), written by \(parquet.createdBy ?? "?")")
        print(table.render())
    }
}
