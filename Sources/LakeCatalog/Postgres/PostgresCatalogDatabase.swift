import Foundation
import LakeCore
import Logging
import NIOCore
import PostgresNIO

/// A team lake's catalog connection: one PostgreSQL connection, inside the transaction
/// `PostgresCatalogBackend` opened. Calls block their thread on the connection's event loop,
/// as the catalog's API is synchronous (never called from that loop).
final class PostgresCatalogDatabase: CatalogDatabase {
    let connection: PostgresConnection
    private let logger: Logger

    init(_ connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var dialect: SQLDialect { .postgres }

    func execute(sql: String, arguments: [any SQLColumnValue]) throws {
        _ = try run(sql, arguments)
    }

    func insertReturningID(sql: String, arguments: [any SQLColumnValue]) throws -> Int64 {
        guard let id = try run(sql + " RETURNING id", arguments).first?[0], case let .integer(value) = id else {
            throw CatalogError.database("PostgreSQL returned no id for: \(sql)")
        }
        return value
    }

    func fetchRows(sql: String, arguments: [any SQLColumnValue]) throws -> [SQLRow] {
        try run(sql, arguments)
    }

    func cachedStatement(sql: String) throws -> CatalogStatement {
        PostgresStatement(database: self, sql: sql)
    }

    func tableExists(_ name: String) throws -> Bool {
        try Int64.fetchOne(self, sql: "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
                           arguments: [name]) ?? 0 > 0
    }

    func columnNames(in table: String) throws -> [String] {
        try String.fetchAll(self, sql: """
            SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
            """, arguments: [table])
    }

    /// Runs one statement with `?` placeholders as `$1…`. Parameters go as text of no stated
    /// type, so the server reads each as the type of the column or operand it stands for
    /// (a timestamp into `timestamptz`, `1` into `boolean`), as SQLite takes them as they come.
    func run(_ sql: String, _ arguments: [any SQLColumnValue]) throws -> [SQLRow] {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: binds.appendNull()
            case let .integer(i): try binds.append(UntypedText(String(i)))
            case let .real(d): try binds.append(UntypedText(d.isFinite ? "\(d)" : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))))
            case let .text(t): try binds.append(UntypedText(t))
            case let .blob(b): try binds.append(UntypedText(String(decoding: b, as: UTF8.self)))
            case let .bool(b): try binds.append(UntypedText(b ? "1" : "0"))
            }
        }
        // A connection the server closed between two statements: postgres-nio 1.33 may never
        // answer a query sent on it, so it is not sent.
        guard !connection.isClosed else { throw ConnectionLost() }
        let result = try Self.wait(for: connection.query(PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds), logger: logger),
                                   on: connection)
        var columns: SQLRow.Columns?
        return try result.rows.map { row in
            let cells = Array(row)
            let names = columns ?? SQLRow.Columns(cells.map(\.columnName))
            columns = names
            return SQLRow(columns: names, values: try cells.map(Self.value))
        }
    }

    /// The statement's result. A statement sent just as the server closed the connection is
    /// never answered (postgres-nio drops it), so a closed connection without an answer within
    /// a second, or no answer within `timeout`, counts as a lost connection: the transaction is
    /// retried on a new one instead of waiting for ever.
    static func wait<T>(for future: EventLoopFuture<T>, on connection: PostgresConnection, timeout: TimeInterval = 300) throws -> T {
        let answered = DispatchSemaphore(value: 0)
        future.whenComplete { _ in answered.signal() }
        let deadline = Date().addingTimeInterval(timeout)
        while answered.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if connection.isClosed {
                guard answered.wait(timeout: .now() + 1) == .success else { throw ConnectionLost() }
                break
            }
            if Date() > deadline { throw ConnectionLost() }
        }
        return try future.wait()
    }

    /// `INSERT … VALUES` and its row `(…)` and what follows (`ON CONFLICT …`), or nil for
    /// another statement.
    static func valuesClause(_ sql: String) -> (String, String, String)? {
        guard sql.hasPrefix("INSERT"), let values = sql.range(of: "VALUES", options: .backwards),
              let open = sql[values.upperBound...].firstIndex(of: "(") else { return nil }
        var depth = 0
        var quote: Character?
        var i = open
        while i < sql.endIndex {
            let c = sql[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
                if depth == 0 {
                    let close = sql.index(after: i)
                    return (String(sql[..<open]), String(sql[open..<close]), String(sql[close...]))
                }
            }
            i = sql.index(after: i)
        }
        return nil
    }

    /// `?` → `$n`, outside quoted strings and names.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character?
        for c in sql {
            if let q = quote {
                if c == q { quote = nil }
                out.append(c)
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .bool: return .bool(try cell.decode(Bool.self))
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric:
            let text = "\(try cell.decode(Decimal.self))"
            if let i = Int64(text) { return .integer(i) }
            return .real(Double(text) ?? .nan)
        case .uuid: return .text(try cell.decode(UUID.self).uuidString.lowercased())
        case .timestamptz, .timestamp: return .text(Self.timestamp(try cell.decode(Date.self)))
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }

    /// As DuckDB prints a `timestamptz` in UTC: `2026-11-30 09:15:02.123456+00`.
    static func timestamp(_ date: Date) -> String {
        var text = CivilTime.timestampString(micros: Int64((date.timeIntervalSince1970 * 1e6).rounded())).dropLast()
        if text.contains(".") { while text.hasSuffix("0") { text.removeLast() } }
        return text.replacingOccurrences(of: "T", with: " ") + "+00"
    }
}

private struct PostgresStatement: CatalogStatement {
    let database: PostgresCatalogDatabase
    let sql: String

    func execute(arguments: [any SQLColumnValue]) throws {
        _ = try database.run(sql, arguments)
    }

    /// Many rows per statement: one round trip per row made a promotion's commit of thousands
    /// of raw files mostly waiting on the network.
    func executeMany(_ rows: [[any SQLColumnValue]]) throws {
        guard rows.count > 1, let (head, row, tail) = PostgresCatalogDatabase.valuesClause(sql) else {
            for r in rows { try execute(arguments: r) }
            return
        }
        let perRow = max(1, rows[0].count)
        let chunk = max(1, min(1000, 30_000 / perRow))
        var start = 0
        while start < rows.count {
            let part = rows[start..<min(rows.count, start + chunk)]
            _ = try database.run(head + Array(repeating: row, count: part.count).joined(separator: ", ") + tail, part.flatMap { $0 })
            start += part.count
        }
    }
}

/// The connection to the catalog went away under a statement.
struct ConnectionLost: Error, CustomStringConvertible {
    var description: String { "the server closed the connection" }
}

/// A parameter in text form whose type the server infers (type OID 0).
private struct UntypedText: PostgresThrowingDynamicTypeEncodable {
    let text: String
    init(_ text: String) { self.text = text }
    var psqlType: PostgresDataType { .null }
    var psqlFormat: PostgresFormat { .text }
    func encode<E: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<E>) throws {
        byteBuffer.writeString(text)
    }
}
