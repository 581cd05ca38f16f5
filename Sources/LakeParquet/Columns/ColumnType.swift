/// The column types lake stages and queries, each with one Parquet physical and logical type.
public enum ColumnType: String, Sendable, Codable, CaseIterable {
    case boolean, int32, int64, double, string
    /// Days since 1970-01-01 (Parquet DATE on INT32).
    case date
    /// Microseconds since 1970-01-01T00:00:00Z (Parquet TIMESTAMP(MICROS, UTC) on INT64).
    case timestamp

    var physical: PhysicalType {
        switch self {
        case .boolean: .boolean
        case .int32, .date: .int32
        case .int64, .timestamp: .int64
        case .double: .double
        case .string: .byteArray
        }
    }

    var logical: LogicalType? {
        switch self {
        case .string: .string
        case .date: .date
        case .timestamp: .timestamp(utc: true, unit: .micros)
        default: nil
        }
    }

    var converted: ConvertedType? {
        switch self {
        case .string: .utf8
        case .date: .date
        case .timestamp: .timestampMicros
        default: nil
        }
    }

    /// The type's name in a DuckLake catalog.
    public var duckLakeName: String {
        switch self {
        case .boolean: "boolean"
        case .int32: "int32"
        case .int64: "int64"
        case .double: "float64"
        case .string: "varchar"
        case .date: "date"
        case .timestamp: "timestamptz"
        }
    }

    /// The SQL name DuckDB gives the type.
    public var sqlName: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INTEGER"
        case .int64: "BIGINT"
        case .double: "DOUBLE"
        case .string: "VARCHAR"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP WITH TIME ZONE"
        }
    }
}

/// A column's name, type and whether it may hold nulls.
public struct ColumnSchema: Sendable, Equatable, Codable {
    public var name: String
    public var type: ColumnType
    public var nullable: Bool

    public init(_ name: String, _ type: ColumnType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}
