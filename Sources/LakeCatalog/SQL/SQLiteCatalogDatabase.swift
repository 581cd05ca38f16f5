import Foundation
import GRDB

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
}
