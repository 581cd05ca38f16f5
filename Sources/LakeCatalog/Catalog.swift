import Foundation
import LakeAWS
import LakeCore

/// The lake's catalog: `<root>/catalog.sqlite` (SQLite in WAL mode) for a local lake, or the
/// PostgreSQL database its `lake.json` names for a team's lake. The catalog's logic is the
/// same over both (`CatalogDatabase`); only the backend differs.
///
/// Several `lake` processes may hold it at once; writes are short transactions and a busy
/// database is waited for, not failed.
public final class Catalog: Sendable {
    public let root: LakeRoot
    /// A team lake's `lake.json`; nil for a local lake.
    public let config: LakeConfig?
    /// A team lake's S3 storage, where its zones' files are; nil when they are in the lake folder.
    public let objects: ObjectStore?
    let backend: any CatalogBackend

    /// Opens the catalog of an existing lake, applying pending migrations.
    public static func open(_ root: LakeRoot) throws -> Catalog {
        guard root.exists else { throw CatalogError.noLake(root: root.path) }
        return try Catalog(root: root, config: try LakeConfig.read(root))
    }

    /// Creates the zones and the catalog if missing, and migrates it. With `config`, a team
    /// lake: its `lake.json` is written once the catalog it names answers.
    public static func create(_ root: LakeRoot, config: LakeConfig? = nil) throws -> Catalog {
        let existing = try LakeConfig.read(root)
        if let config, let existing, existing != config {
            throw CatalogError.database("\(root.configPath) already names catalog \(existing.catalog) (storage \(existing.storage)): "
                                        + "a lake keeps its catalog; use another folder, or `lake migrate` to move it")
        }
        if config != nil, existing == nil, FileManager.default.fileExists(atPath: root.catalogPath) {
            throw CatalogError.database("\(root.path) is a local lake (catalog.sqlite): move it with `lake migrate`, or init the team lake in another folder")
        }
        try root.createZones()
        let catalog = try Catalog(root: root, config: config ?? existing)
        // The bucket must answer, with these credentials, before lake.json names it.
        try catalog.objects?.check()
        if let config, existing == nil { try config.write(root) }
        return catalog
    }

    private init(root: LakeRoot, config: LakeConfig?) throws {
        self.root = root
        self.config = config
        let dataPath = config?.dataPath(root: root) ?? root.path + "/"
        objects = try config.flatMap { config in
            config.onS3 ? try S3ObjectStore(storage: config.storage, endpoint: config.endpoint, region: config.region) : nil
        }
        if let config {
            backend = try PostgresCatalogBackend(url: config.catalog, dataPath: dataPath)
        } else {
            backend = try SQLiteCatalogBackend(path: root.catalogPath)
        }
        // Written only when the lake has moved: opening a catalog to read takes no write lock.
        if try backend.read({ db in try db.tableExists("ducklake_metadata") && Self.dataPath(db) != dataPath }) {
            try backend.write { db in try Self.moveDuckLakeDataPath(db, to: dataPath) }
        }
    }

    /// The object a lake-relative path names in a team lake's S3 storage.
    public func objectPath(_ relative: String) -> String {
        (config?.dataPath(root: root) ?? "") + relative
    }

    /// Where a lake-relative file is: its object's URL on S3 storage, else its path on this disk.
    public func place(of relative: String) -> String {
        objects == nil ? root.absolute(relative) : objectPath(relative)
    }

    /// Where the catalog is: the SQLite file, or the PostgreSQL URL (no password).
    public var location: String { backend.location }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try backend.appliedMigrations()
    }

    /// What the catalog runs on, for people: "SQLite, wal mode" or "PostgreSQL 15.8".
    public func engine() throws -> String {
        try backend.engine()
    }

    /// SQLite's journal mode ("wal"); empty on PostgreSQL.
    public func journalMode() throws -> String {
        try (backend as? SQLiteCatalogBackend)?.journalMode() ?? ""
    }

    func write<T>(_ body: (CatalogDatabase) throws -> T) throws -> T {
        try backend.write(body)
    }

    func read<T>(_ body: (CatalogDatabase) throws -> T) throws -> T {
        try backend.read(body)
    }

    static func jsonArray(_ strings: [String]) -> String {
        JSONValue.array(strings.map(JSONValue.string)).serialized()
    }

    static func strings(fromJSON text: String?) -> [String] {
        guard let text, let value = try? JSONValue.parse(text), let items = value.arrayValue else { return [] }
        return items.compactMap(\.stringValue)
    }
}
