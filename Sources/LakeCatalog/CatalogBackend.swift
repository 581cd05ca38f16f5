/// Where a catalog's tables live: a local SQLite file or a PostgreSQL database. Each `read` or
/// `write` is one transaction; the body may run again when the backend retries it (a
/// serialization failure, a connection lost before the commit), so it only touches the database.
protocol CatalogBackend: Sendable {
    /// The SQLite file, or the PostgreSQL URL without a password.
    var location: String { get }
    func read<T>(_ body: (CatalogDatabase) throws -> T) throws -> T
    func write<T>(_ body: (CatalogDatabase) throws -> T) throws -> T
    func appliedMigrations() throws -> [String]
    func engine() throws -> String
}
