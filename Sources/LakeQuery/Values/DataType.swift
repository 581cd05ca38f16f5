/// The SQL types lake's engine computes with, named as DuckDB names them.
public enum DataType: String, Sendable, Hashable {
    case null = "NULL"
    case boolean = "BOOLEAN"
    case bigint = "BIGINT"
    case double = "DOUBLE"
    case varchar = "VARCHAR"
    /// Days since 1970-01-01.
    case date = "DATE"
    /// Microseconds since 1970-01-01 (naive, as DuckDB's TIMESTAMP).
    case timestamp = "TIMESTAMP"
    /// Microseconds since 1970-01-01T00:00:00Z (DuckDB's TIMESTAMP WITH TIME ZONE).
    case timestamptz = "TIMESTAMP WITH TIME ZONE"
    case interval = "INTERVAL"
    /// JSON text (raw `_meta`, `body`, `value` columns).
    case json = "JSON"

    var isNumeric: Bool { self == .bigint || self == .double }
    var isTemporal: Bool { self == .date || self == .timestamp || self == .timestamptz }
    var isStringLike: Bool { self == .varchar || self == .json }
    /// Stored as Int64 in a vector.
    var isIntegral: Bool { self == .bigint || self == .date || self == .timestamp || self == .timestamptz }

    /// Parses a type name in a CAST.
    static func named(_ name: String) -> DataType? {
        switch name.uppercased() {
        case "BOOLEAN", "BOOL": .boolean
        case "BIGINT", "INT", "INTEGER", "INT8", "INT4", "INT64", "LONG", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "INT32": .bigint
        case "DOUBLE", "FLOAT", "REAL", "FLOAT8", "FLOAT4", "DECIMAL", "NUMERIC": .double
        case "VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR": .varchar
        case "DATE": .date
        case "TIMESTAMP", "DATETIME": .timestamp
        case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE": .timestamptz
        case "INTERVAL": .interval
        case "JSON": .json
        default: nil
        }
    }

    /// The common type of two sides of a comparison, a CASE or a UNION.
    static func common(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        switch (a, b) {
        case (.bigint, .double), (.double, .bigint): return .double
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        case (.date, .timestamptz), (.timestamptz, .date), (.timestamp, .timestamptz), (.timestamptz, .timestamp): return .timestamptz
        case (.varchar, .json), (.json, .varchar): return .varchar
        case (.varchar, let t), (let t, .varchar): return t == .boolean || t.isNumeric || t.isTemporal ? t : nil
        default: return nil
        }
    }
}
