import Foundation
import GRDB
import LakeCore

/// The lake's catalog: one SQLite file in WAL mode, `<root>/catalog.sqlite`.
///
/// Several `lake` processes may hold it at once; writes are short transactions and a busy
/// database is waited for, not failed.
public final class Catalog: Sendable {
    public let root: LakeRoot
    let pool: DatabasePool

    /// Opens the catalog of an existing lake, applying pending migrations.
    public static func open(_ root: LakeRoot) throws -> Catalog {
        guard root.exists else { throw CatalogError.noLake(root: root.path) }
        return try Catalog(root: root)
    }

    /// Creates the zones and the catalog if missing, and migrates it.
    public static func create(_ root: LakeRoot) throws -> Catalog {
        try root.createZones()
        return try Catalog(root: root)
    }

    private init(root: LakeRoot) throws {
        self.root = root
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: root.catalogPath, configuration: config)
            try Migrations.migrator.migrate(pool)
            // Written only when the lake has moved: opening a catalog to read takes no write lock.
            let dataPath = root.path + "/"
            if try pool.read({ db in try db.tableExists("ducklake_metadata") && Self.dataPath(db) != dataPath }) {
                try pool.write { db in try Self.moveDuckLakeDataPath(db, to: dataPath) }
            }
        } catch let error as DatabaseError {
            throw CatalogError.database("\(root.catalogPath): \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { try Migrations.migrator.appliedMigrations($0) }
    }

    /// The journal mode SQLite reports ("wal").
    public func journalMode() throws -> String {
        try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError {
            throw CatalogError.database("\(root.catalogPath): \(error.message ?? "\(error.resultCode)")")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError {
            throw CatalogError.database("\(root.catalogPath): \(error.message ?? "\(error.resultCode)")")
        }
    }

    static func jsonArray(_ strings: [String]) -> String {
        JSONValue.array(strings.map(JSONValue.string)).serialized()
    }

    static func strings(fromJSON text: String?) -> [String] {
        guard let text, let value = try? JSONValue.parse(text), let items = value.arrayValue else { return [] }
        return items.compactMap(\.stringValue)
    }
}
