import Foundation
import LakeCatalog
import LakeCore

extension TableSource {
    /// A DuckLake table as of one snapshot: its live Parquet files (identity-partition columns
    /// from the catalog's partition values, as lake's own files keep dt and region in folder
    /// names only), the rows deleted from them, and the rows inlined into the catalog.
    static func duckLake(_ state: DuckLakeTableState, name: String, objects: ObjectStore? = nil) throws -> TableSource {
        // lake reads flat columns only: nested ones are left out (an error if named), never read as NULL.
        let flat = state.columns.filter { !["list", "struct", "map", "variant"].contains($0.type.lowercased()) }
        let fileColumns = flat.filter { !$0.partition }
        let partitionColumns = flat.filter(\.partition)
        let fields = (fileColumns + partitionColumns).map { Field(name: $0.name, table: nil, type: dataType(duckLake: $0.type)) }
        let partitionFields = fields[fileColumns.count...]
        let files = try state.files.map { file in
            SourceFile(path: file.path, id: file.id, rows: file.records, partitions: try zip(partitionColumns, partitionFields).map { column, field in
                guard let text = file.partitionValues[column.name] ?? nil else { return .null }
                return try Cast.value(.string(text), to: field.type)
            }, deletedPositions: file.deletedPositions, deleteFiles: file.deleteFiles)
        }
        let order = fileColumns.map(\.name) + partitionColumns.map(\.name)
        let position = Dictionary(uniqueKeysWithValues: state.columns.enumerated().map { ($1.name, $0) })
        let rows = try state.inlinedRows.map { row in
            try order.enumerated().map { k, column in try value(row[position[column]!], as: fields[k].type) }
        }
        return TableSource(name: name, format: .parquet, files: files, fields: fields, fileColumnCount: fileColumns.count, inlinedRows: rows,
                           objects: objects)
    }

    /// DuckLake's type names, as lake's types.
    static func dataType(duckLake type: String) -> DataType {
        let t = type.lowercased()
        switch t {
        case "boolean": return .boolean
        case "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64": return .bigint
        // DuckDB writes HUGEINT and DECIMAL to Parquet as DOUBLE.
        case "float32", "float64", "int128", "uint128": return .double
        case "date": return .date
        case "timestamptz": return .timestamptz
        case "timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns": return .timestamp
        case "json": return .json
        default: return t.hasPrefix("decimal") ? .double : .varchar
        }
    }

    /// An inlined cell: SQLite keeps integers as integers and the rest as DuckDB's text.
    static func value(_ cell: DuckLakeCell, as type: DataType) throws -> Value {
        switch cell {
        case .null: return .null
        case let .int(i): return type == .boolean ? .bool(i != 0) : try Cast.value(.int(i), to: type)
        case let .double(d): return try Cast.value(.double(d), to: type)
        case let .text(t): return try Cast.value(.string(t), to: type)
        }
    }
}
