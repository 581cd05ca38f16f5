import GRDB

/// A local lake's catalog: one SQLite file in WAL mode, migrated by GRDB.
final class SQLiteCatalogBackend: CatalogBackend {
    let location: String
    private let pool: DatabasePool

    init(path: String) throws {
        location = path
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw CatalogError.database("\(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    func read<T>(_ body: (CatalogDatabase) throws -> T) throws -> T {
        do { return try pool.read { try body(SQLiteCatalogDatabase($0)) } } catch let error as DatabaseError {
            throw CatalogError.database("\(location): \(error.message ?? "\(error.resultCode)")")
        }
    }

    func write<T>(_ body: (CatalogDatabase) throws -> T) throws -> T {
        do { return try pool.write { try body(SQLiteCatalogDatabase($0)) } } catch let error as DatabaseError {
            throw CatalogError.database("\(location): \(error.message ?? "\(error.resultCode)")")
        }
    }

    func appliedMigrations() throws -> [String] {
        try pool.read { try Migrations.migrator.appliedMigrations($0) }
    }

    func engine() throws -> String { "SQLite, \(try journalMode()) mode" }

    func journalMode() throws -> String {
        try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }
}
