import GRDB

/// Swift properties in camelCase, catalog columns in snake_case.
public protocol SnakeCaseColumns: Codable, FetchableRecord, MutablePersistableRecord, Sendable {}

extension SnakeCaseColumns {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

/// A record keyed by its own columns.
public typealias SnakeCaseRecord = SnakeCaseColumns & PersistableRecord

/// A record with an auto-incremented `id`, set by `didInsert` (hence mutable).
public typealias SnakeCaseIDRecord = SnakeCaseColumns
