import GRDB
import LakeCore

/// A team lake's catalog schema in PostgreSQL: the same named migrations as SQLite's, applied
/// once each and recorded in `lake_migrations`.
///
/// lake's own tables are defined once, by the SQLite migrations: each one is run on an
/// in-memory SQLite database and the tables and indexes it created are carried over in
/// PostgreSQL's types (see `PostgresCatalogCopy.postgresDDL`). The DuckLake tables are
/// DuckDB's own PostgreSQL definitions. A future migration that alters a table needs its
/// PostgreSQL statements written out here.
enum PostgresMigrations {
    /// One advisory lock for the schema, so two processes opening a new catalog take turns.
    static let lockKey: Int64 = 0x6C61_6B65_0001

    /// Whether a migration is still to apply (or the catalog is new).
    static func pending(_ db: CatalogDatabase) throws -> Bool {
        guard try db.tableExists("lake_migrations") else { return true }
        return try !missing(db).isEmpty
    }

    /// The migrations not recorded in `lake_migrations`.
    private static func missing(_ db: CatalogDatabase) throws -> Set<String> {
        let applied = Set(try String.fetchAll(db, sql: "SELECT name FROM lake_migrations"))
        return Set(Migrations.migrator.migrations.filter { !applied.contains($0) })
    }

    static func migrate(_ db: CatalogDatabase, dataPath: String) throws {
        _ = try Int64.fetchOne(db, sql: "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(?)) l", arguments: [lockKey])
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS lake_migrations (name text PRIMARY KEY, applied_order bigint NOT NULL, applied_at text NOT NULL)")
        let missing = try missing(db)
        // Deriving the statements runs the SQLite migrations in memory: only when one is missing.
        guard !missing.isEmpty else { return }
        for (order, step) in try steps().enumerated() where missing.contains(step.name) {
            for sql in step.statements { try db.execute(sql: sql) }
            if step.name == "v5-ducklake", try Int64.fetchOne(db, sql: "SELECT count(*) FROM ducklake_snapshot") == 0 {
                try DuckLakeSchema.seed(db, dataPath: dataPath, now: Timestamps.iso())
            }
            try db.execute(sql: "INSERT INTO lake_migrations VALUES (?, ?, ?)", arguments: [step.name, order, Timestamps.iso()])
        }
    }

    /// Each SQLite migration's name and its statements in PostgreSQL.
    static func steps() throws -> [(name: String, statements: [String])] {
        let scratch = try DatabaseQueue()
        let migrator = Migrations.migrator
        var seen: Set<String> = []
        return try migrator.migrations.map { name in
            try migrator.migrate(scratch, upTo: name)
            let objects = try scratch.read { db in
                try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
            }
            var statements: [String] = []
            for object in objects {
                let table: String = object["name"]
                guard seen.insert(table).inserted, table.hasPrefix("lake_") || object["type"] == "index" else { continue }
                guard !table.hasPrefix("ducklake_"), !table.hasPrefix("sqlite_") else { continue }
                let sql: String = object["sql"]
                statements.append(object["type"] == "table" ? PostgresCatalogCopy.postgresDDL(sql)
                                  : sql.replacingOccurrences(of: "CREATE INDEX ", with: "CREATE INDEX IF NOT EXISTS ")
                                       .replacingOccurrences(of: "CREATE UNIQUE INDEX ", with: "CREATE UNIQUE INDEX IF NOT EXISTS "))
            }
            if name == "v5-ducklake" { statements += PostgresDuckLakeSchema.statements }
            return (name, statements)
        }
    }
}
