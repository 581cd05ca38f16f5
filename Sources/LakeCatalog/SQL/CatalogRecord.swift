/// A row type of one catalog table: Swift properties in camelCase, columns in snake_case.
/// Rows are written and read through Codable, by column name.
public protocol CatalogRecord: Codable, Sendable {
    static var databaseTableName: String { get }
    /// The table's primary key: what `save`, `update` and `fetchOne(key:)` match on.
    static var primaryKey: [String] { get }
    init(row: SQLRow) throws
}

/// A record keyed by an auto-incremented `id`, set by `insert`.
public protocol CatalogIDRecord: CatalogRecord {
    var id: Int64? { get set }
}

extension CatalogIDRecord {
    public static var primaryKey: [String] { ["id"] }

    public mutating func insert(_ db: CatalogDatabase) throws {
        let columns = try columnValues().filter { $0.name != "id" || $0.value != .null }
        id = try db.insertReturningID(sql: Self.insertSQL(columns.map(\.name)), arguments: columns.map(\.value))
    }
}

extension CatalogRecord {
    public init(row: SQLRow) throws {
        self = try Self(from: RowDecoder(row: row))
    }

    /// `(column, value)` for every stored property, in declaration order.
    public func columnValues() throws -> [(name: String, value: SQLValue)] {
        let encoder = ColumnEncoder()
        try encode(to: encoder)
        return encoder.columns
    }

    /// The rows of `SELECT * FROM <table> <clause>`.
    public static func fetchAll(_ db: CatalogDatabase, _ clause: String = "", _ arguments: [any SQLColumnValue] = []) throws -> [Self] {
        try db.fetchRows(sql: "SELECT * FROM \(databaseTableName) \(clause)", arguments: arguments).map(Self.init(row:))
    }

    /// The rows whose columns equal the given values (a nil value matches any row), in `orderBy`.
    public static func fetchAll(_ db: CatalogDatabase, matching equal: KeyValuePairs<String, (any SQLColumnValue)?>, orderBy: String) throws -> [Self] {
        let given = equal.compactMap { pair in pair.value.map { (pair.key, $0) } }
        let clause = given.isEmpty ? "" : "WHERE " + given.map { "\($0.0) = ?" }.joined(separator: " AND ")
        return try fetchAll(db, clause + " ORDER BY " + orderBy, given.map(\.1))
    }

    public static func fetchOne(_ db: CatalogDatabase, _ clause: String, _ arguments: [any SQLColumnValue] = []) throws -> Self? {
        try db.fetchRows(sql: "SELECT * FROM \(databaseTableName) \(clause) LIMIT 1", arguments: arguments).first.map(Self.init(row:))
    }

    /// The row whose primary key is `key` (column: value).
    public static func fetchOne(_ db: CatalogDatabase, key: [String: any SQLColumnValue]) throws -> Self? {
        let (clause, arguments) = keyClause(key)
        return try fetchOne(db, clause, arguments)
    }

    /// The row of a one-column primary key.
    public static func fetchOne(_ db: CatalogDatabase, key: any SQLColumnValue) throws -> Self? {
        try fetchOne(db, key: [primaryKey[0]: key])
    }

    /// Deletes the row whose primary key is `key`, if there is one.
    public static func deleteOne(_ db: CatalogDatabase, key: [String: any SQLColumnValue]) throws {
        let (clause, arguments) = keyClause(key)
        try db.execute(sql: "DELETE FROM \(databaseTableName) \(clause)", arguments: arguments)
    }

    public func insert(_ db: CatalogDatabase) throws {
        let columns = try columnValues()
        try db.cachedStatement(sql: Self.insertSQL(columns.map(\.name))).execute(arguments: columns.map(\.value))
    }

    /// Inserts many rows (ids, for records that have one, are left to the database and not read back).
    public static func insertAll(_ records: [Self], _ db: CatalogDatabase) throws {
        guard let first = records.first else { return }
        // Every record of a type encodes the same columns in the same order.
        let stored = { (name: String) in name != "id" || !(first is any CatalogIDRecord) }
        let names = try first.columnValues().map(\.name).filter(stored)
        let rows = try records.map { record -> [any SQLColumnValue] in try record.columnValues().filter { stored($0.name) }.map(\.value) }
        try db.cachedStatement(sql: insertSQL(names)).executeMany(rows)
    }

    /// Inserts the row, or updates the one with its primary key.
    public func save(_ db: CatalogDatabase) throws {
        let columns = try columnValues()
        let others = columns.map(\.name).filter { !Self.primaryKey.contains($0) }
        let action = others.isEmpty ? "NOTHING" : "UPDATE SET " + others.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let sql = Self.insertSQL(columns.map(\.name)) + " ON CONFLICT (\(Self.primaryKey.joined(separator: ", "))) DO \(action)"
        try db.cachedStatement(sql: sql).execute(arguments: columns.map(\.value))
    }

    /// Updates the row with this record's primary key.
    public func update(_ db: CatalogDatabase) throws {
        let columns = try columnValues()
        let set = columns.filter { !Self.primaryKey.contains($0.name) }
        let key = Self.primaryKey.map { name in columns.first { $0.name == name }?.value ?? .null }
        try db.execute(sql: "UPDATE \(Self.databaseTableName) SET " + set.map { "\($0.name) = ?" }.joined(separator: ", ")
                            + " WHERE " + Self.primaryKey.map { "\($0) = ?" }.joined(separator: " AND "),
                       arguments: set.map(\.value) + key)
    }

    static func insertSQL(_ names: [String]) -> String {
        "INSERT INTO \(databaseTableName) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
    }

    private static func keyClause(_ key: [String: any SQLColumnValue]) -> (String, [any SQLColumnValue]) {
        let names = key.keys.sorted()
        return ("WHERE " + names.map { "\($0) = ?" }.joined(separator: " AND "), names.map { key[$0]! })
    }
}
