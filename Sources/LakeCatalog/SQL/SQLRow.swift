/// One row a catalog query returned, read by column name or position.
public struct SQLRow: Sendable {
    /// The query's column names, shared by all its rows.
    public final class Columns: Sendable {
        public let names: [String]
        let index: [String: Int]

        public init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            // The first of two equal names wins, as in SQLite.
            for (i, name) in names.enumerated().reversed() { index[name] = i }
            self.index = index
        }
    }

    public let columns: Columns
    public let values: [SQLValue]

    public init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public func value(_ name: String) -> SQLValue? { columns.index[name].map { values[$0] } }

    public subscript(_ index: Int) -> SQLValue { values[index] }

    /// The column's value as `T`. A column of another type is the catalog's schema disagreeing
    /// with the code, which no user input can cause: it stops with the column's name.
    public subscript<T: SQLColumnValue>(_ name: String) -> T {
        guard let i = columns.index[name] else { fatalError("catalog query has no column \(name) (it has \(columns.names))") }
        return Self.convert(values[i], name)
    }

    public subscript<T: SQLColumnValue>(_ index: Int) -> T { Self.convert(values[index], "#\(index)") }

    private static func convert<T: SQLColumnValue>(_ value: SQLValue, _ name: String) -> T {
        guard let converted = T(sqlValue: value) else { fatalError("catalog column \(name) holds \(value), not \(T.self)") }
        return converted
    }
}
