import Foundation
import GRDB
import GRDBSQLite

/// A local lake's catalog connection: GRDB's SQLite database, inside the transaction GRDB
/// opened for one `Catalog.read` or `Catalog.write`.
final class SQLiteCatalogDatabase: CatalogDatabase {
    private let db: Database

    init(_ db: Database) { self.db = db }

    var dialect: SQLDialect { .sqlite }

    func execute(sql: String, arguments: [any SQLColumnValue]) throws {
        try db.execute(sql: sql, arguments: Self.arguments(arguments))
    }

    func insertReturningID(sql: String, arguments: [any SQLColumnValue]) throws -> Int64 {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.lastInsertedRowID
    }

    func fetchRows(sql: String, arguments: [any SQLColumnValue]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        var rows: [SQLRow] = []
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() {
            rows.append(SQLRow(columns: columns, values: row.databaseValues.map(Self.value)))
        }
        return rows
    }

    func cachedStatement(sql: String) throws -> CatalogStatement {
        SQLiteStatement(statement: try db.cachedStatement(sql: sql))
    }

    func tableExists(_ name: String) throws -> Bool { try db.tableExists(name) }

    func columnNames(in table: String) throws -> [String] { try db.columns(in: table).map(\.name) }

    static func arguments(_ values: [any SQLColumnValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value.sqlValue {
            case .null: .null
            case let .integer(i): i.databaseValue
            case let .real(d): d.databaseValue
            case let .text(t): t.databaseValue
            case let .blob(b): Data(b).databaseValue
            case let .bool(b): (b ? 1 : 0).databaseValue
            }
        })
    }

    static func value(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: .null
        case let .int64(i): .integer(i)
        case let .double(d): .real(d)
        case let .string(s): .text(s)
        case let .blob(b): .blob([UInt8](b))
        }
    }
}

private struct SQLiteStatement: CatalogStatement {
    let statement: Statement

    func execute(arguments: [any SQLColumnValue]) throws {
        try statement.execute(arguments: SQLiteCatalogDatabase.arguments(arguments))
    }

    /// Each row bound with SQLite's own calls: building GRDB's arguments per row was most of a
    /// 10M-event promotion's commit (27,289 lineage rows), which runs on one core.
    func executeMany(_ rows: [[any SQLColumnValue]]) throws {
        let s = statement.sqliteStatement
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        for row in rows {
            sqlite3_reset(s)
            for (i, value) in row.enumerated() {
                let at = Int32(i + 1)
                let rc: Int32
                switch value.sqlValue {
                case .null: rc = sqlite3_bind_null(s, at)
                case let .integer(v): rc = sqlite3_bind_int64(s, at, v)
                case let .real(v): rc = sqlite3_bind_double(s, at, v)
                case let .bool(v): rc = sqlite3_bind_int64(s, at, v ? 1 : 0)
                case let .text(v): rc = sqlite3_bind_text(s, at, v, -1, Self.transient)
                case let .blob(v): rc = v.withUnsafeBytes { sqlite3_bind_blob(s, at, $0.baseAddress, Int32($0.count), Self.transient) }
                }
                guard rc == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))), sql: statement.sql) }
            }
            let rc = sqlite3_step(s)
            guard rc == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))), sql: statement.sql) }
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
