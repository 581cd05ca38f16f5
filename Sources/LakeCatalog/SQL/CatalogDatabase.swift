/// The SQL dialect of a catalog backend, where the two differ.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// A true flag: DuckLake's flags are integers in SQLite, `boolean` in PostgreSQL.
    public var `true`: String { self == .sqlite ? "1" : "true" }

    /// A new random UUID, for DuckLake's `*_uuid` columns.
    public var newUUID: String { self == .sqlite ? "lower(hex(randomblob(16)))" : "gen_random_uuid()" }

    /// Whether any row's condition holds.
    public func any(_ condition: String) -> String { self == .sqlite ? "max(\(condition))" : "bool_or(\(condition))" }

    /// The 1-based position of `needle` in `text` (0 when absent).
    public func position(of needle: String, in text: String) -> String {
        self == .sqlite ? "instr(\(text), \(needle))" : "strpos(\(text), \(needle))"
    }
}

/// A catalog connection inside one transaction: the only way the catalog's logic reaches its
/// database, so the same code runs on SQLite (a local lake) and PostgreSQL (a team's lake).
///
/// Statements use `?` placeholders; a backend with other placeholders rewrites them.
public protocol CatalogDatabase: AnyObject {
    var dialect: SQLDialect { get }
    func execute(sql: String, arguments: [any SQLColumnValue]) throws
    /// Inserts one row and returns its auto-incremented `id`.
    func insertReturningID(sql: String, arguments: [any SQLColumnValue]) throws -> Int64
    func fetchRows(sql: String, arguments: [any SQLColumnValue]) throws -> [SQLRow]
    /// A statement compiled once per connection, for the many rows of one commit.
    func cachedStatement(sql: String) throws -> CatalogStatement
    func tableExists(_ name: String) throws -> Bool
    func columnNames(in table: String) throws -> [String]
}

/// A prepared statement, run once per row.
public protocol CatalogStatement {
    func execute(arguments: [any SQLColumnValue]) throws
    /// Runs an `INSERT … VALUES (…)` for every row; a backend may send many rows per statement.
    /// Rows of an upsert must not share a key.
    func executeMany(_ rows: [[any SQLColumnValue]]) throws
}

extension CatalogStatement {
    public func executeMany(_ rows: [[any SQLColumnValue]]) throws {
        for row in rows { try execute(arguments: row) }
    }
}

extension CatalogDatabase {
    public func execute(sql: String) throws { try execute(sql: sql, arguments: []) }
}

extension SQLRow {
    public static func fetchAll(_ db: CatalogDatabase, sql: String, arguments: [any SQLColumnValue] = []) throws -> [SQLRow] {
        try db.fetchRows(sql: sql, arguments: arguments)
    }

    public static func fetchOne(_ db: CatalogDatabase, sql: String, arguments: [any SQLColumnValue] = []) throws -> SQLRow? {
        try db.fetchRows(sql: sql, arguments: arguments).first
    }
}

extension SQLColumnValue {
    /// The first column of every row; rows where it is NULL are left out.
    public static func fetchAll(_ db: CatalogDatabase, sql: String, arguments: [any SQLColumnValue] = []) throws -> [Self] {
        try db.fetchRows(sql: sql, arguments: arguments).compactMap { row in
            row.values[0] == .null ? nil : (row[0] as Self)
        }
    }

    /// The first column of the first row; nil without rows or for NULL.
    public static func fetchOne(_ db: CatalogDatabase, sql: String, arguments: [any SQLColumnValue] = []) throws -> Self? {
        guard let row = try db.fetchRows(sql: sql, arguments: arguments).first, row.values[0] != .null else { return nil }
        return row[0] as Self
    }
}
