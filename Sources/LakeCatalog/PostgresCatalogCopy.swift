import Foundation
import LakeCore
import Logging
import NIOCore
import PostgresNIO

/// Copies a local catalog, history and all, into a PostgreSQL database: lake's own `lake_*`
/// tables, and the DuckLake 1.0 tables exactly as DuckDB's `ducklake` extension creates them
/// there (`boolean`, `uuid` and `timestamptz` where SQLite has integers and text), so that
/// DuckDB attaches `ducklake:postgres:…` and time-travels over every snapshot lake took.
///
/// Each table is copied in one transaction, and a table that already holds as many rows is
/// kept: a killed copy carries on. A table holding other rows is an error, never overwritten.
public struct PostgresCatalogCopy {
    public struct Report: Sendable {
        public var tables = 0
        public var rows = 0
        public var copied = 0
        public var kept = 0
    }

    let catalog: Catalog
    let connection: PostgresConnection
    let server: String
    let logger = Logger(label: "lake.catalog.copy")

    public init(catalog: Catalog, connection: PostgresConnection, server: String) {
        self.catalog = catalog
        self.connection = connection
        self.server = server
    }

    /// Copies every table; `dataPath` (an `s3://…/` prefix) becomes DuckLake's data path.
    public func run(dataPath: String?) async throws -> Report {
        var report = Report()
        for statement in PostgresDuckLakeSchema.statements { try await run(statement, action: "create the DuckLake tables") }
        // One read transaction: every table as of one moment, even while the lake is written to.
        let snapshot = try catalog.read { db -> [(name: String, ddl: String, columns: [String], rows: [[String?]])] in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND (name LIKE 'ducklake\\_%' ESCAPE '\\' OR name LIKE 'lake\\_%' ESCAPE '\\') ORDER BY name
                """)
            return try names.sorted { Self.rank($0) < Self.rank($1) }.map { table in
                let ddl = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table]) ?? ""
                let columns = try db.columnNames(in: table)
                let rows = try SQLRow.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map { row in columns.map { Self.text(row.value($0) ?? .null) } }
                return (table, ddl, columns, rows)
            }
        }
        // lake's tables, and DuckDB's inlined-data tables, from their SQLite definitions (the
        // DuckLake tables above exist already, and stay as DuckDB makes them). Parents come
        // before children (lake's foreign keys).
        for table in snapshot { try await run(Self.postgresDDL(table.ddl), action: "create \(table.name)") }
        for table in snapshot {
            let copied = try await copy(table.name, columns: table.columns, rows: table.rows, dataPath: dataPath)
            report.tables += 1
            report.rows += table.rows.count
            if copied { report.copied += 1 } else { report.kept += 1 }
        }
        return report
    }

    /// Tables that others reference go first.
    static func rank(_ table: String) -> Int {
        ["lake_datasets", "lake_ingestions", "lake_audit"].contains(table) ? 0 : 1
    }

    /// Whether the rows went in (false: the table held them already, or there are none).
    private func copy(_ table: String, columns names: [String], rows: [[String?]], dataPath: String?) async throws -> Bool {
        let (types, identity) = try await columns(of: table)
        let existing = try await count(table)
        if existing == rows.count { return false }
        if existing != 0 {
            throw CatalogError.database("\(server): \(table) already holds \(existing) rows, the local catalog \(rows.count): "
                                       + "this database holds another lake's catalog; copy into an empty database")
        }
        var values = rows
        if table == "ducklake_metadata", let dataPath, let k = names.firstIndex(of: "key"), let v = names.firstIndex(of: "value") {
            for i in values.indices where values[i][k] == "data_path" { values[i][v] = dataPath }
        }
        let casts = names.map { types[$0] ?? "text" }
        let columns = names.map { "\"\($0)\"" }.joined(separator: ", ")
        try await run("BEGIN", action: "copy \(table)")
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(values.count, start + 500)]
            let tuples = chunk.map { row in "(" + zip(row, casts).map { Self.literal($0, $1) }.joined(separator: ", ") + ")" }
            try await run("INSERT INTO \"\(table)\" (\(columns)) VALUES " + tuples.joined(separator: ",\n"), action: "copy \(table)")
            start += chunk.count
        }
        if let identity {
            try await run("SELECT setval(pg_get_serial_sequence('\"\(table)\"', '\(identity)'), "
                          + "coalesce((SELECT max(\"\(identity)\") FROM \"\(table)\"), 0) + 1, false)", action: "copy \(table)")
        }
        try await run("COMMIT", action: "copy \(table)")
        return true
    }

    /// A value as a SQL literal of the column's PostgreSQL type: SQLite's 0/1 become booleans,
    /// its text becomes uuid and timestamptz by PostgreSQL's own input rules.
    static func literal(_ value: String?, _ type: String) -> String {
        guard let value else { return "NULL" }
        let quoted = "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        switch type {
        case "boolean": return ["1", "true", "t"].contains(value.lowercased()) ? "true" : "false"
        case "bigint", "integer", "double precision", "uuid", "timestamp with time zone": return "\(quoted)::\(type)"
        default: return quoted
        }
    }

    static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case let .integer(i): return String(i)
        case let .real(d): return String(d)
        case let .text(s): return s
        case let .blob(data): return String(decoding: data, as: UTF8.self)
        case let .bool(b): return b ? "1" : "0"
        }
    }

    /// lake's SQLite DDL in PostgreSQL's words: INTEGER is bigint, DOUBLE double precision,
    /// TEXT text in byte order, and an autoincrement key an identity column.
    static func postgresDDL(_ sqlite: String) -> String {
        var ddl = sqlite.replacingOccurrences(of: "CREATE TABLE ", with: "CREATE TABLE IF NOT EXISTS ")
        ddl = ddl.replacingOccurrences(of: "INTEGER PRIMARY KEY AUTOINCREMENT", with: "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
        ddl = ddl.replacingOccurrences(of: " INTEGER", with: " bigint").replacingOccurrences(of: " DOUBLE", with: " double precision")
        // Text compares by bytes, as in SQLite, whatever the database's locale: the order of
        // raw paths is the order of arrival that decides which duplicate wins.
        ddl = ddl.replacingOccurrences(of: " TEXT", with: " text COLLATE \"C\"").replacingOccurrences(of: " BOOLEAN", with: " boolean")
        return ddl
    }

    /// The table's column types in PostgreSQL, and its identity column if it has one.
    private func columns(of table: String) async throws -> (types: [String: String], identity: String?) {
        var types: [String: String] = [:]
        var identity: String?
        let rows = try await query("SELECT column_name, data_type, is_identity FROM information_schema.columns "
                                   + "WHERE table_schema = 'public' AND table_name = '\(table)'", action: "read the columns of \(table)")
        for row in rows {
            let (name, type, isIdentity) = try row.decode((String, String, String).self)
            types[name] = type
            if isIdentity == "YES" { identity = name }
        }
        return (types, identity)
    }

    private func count(_ table: String) async throws -> Int {
        for row in try await query("SELECT count(*) FROM \"\(table)\"", action: "count \(table)") { return try row.decode(Int.self) }
        return 0
    }

    private func query(_ sql: String, action: String) async throws -> [PostgresRow] {
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw CatalogError.database("\(server): \(action) failed: \(PostgresMessage.of(error))")
        }
    }

    private func run(_ sql: String, action: String) async throws {
        do {
            try await connection.simpleQuery(sql).get()
        } catch {
            _ = try? await connection.simpleQuery("ROLLBACK").get()
            throw CatalogError.database("\(server): \(action) failed: \(PostgresMessage.of(error))")
        }
    }
}
