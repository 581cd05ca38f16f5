
/// A database lake captures changes from: how to reach it again (the URL without any
/// password) and its slot, so `lake governance` can ask how much WAL the slot holds.
public struct CDCSourceRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "lake_cdc_sources"
    public static let primaryKey = ["source", "slot"]

    public var source: String
    public var slot: String
    public var publication: String
    /// `postgres://user@host:port/db?sslmode=…`: never a password.
    public var connection: String
    public var tables: String
    public var updatedAt: String

    public init(source: String, slot: String, publication: String, connection: String, tables: String, updatedAt: String) {
        self.source = source
        self.slot = slot
        self.publication = publication
        self.connection = connection
        self.tables = tables
        self.updatedAt = updatedAt
    }
}

extension Catalog {
    public func recordCDCSource(_ record: CDCSourceRecord) throws {
        try write { db in try record.save(db) }
    }

    public func forgetCDCSource(source: String, slot: String) throws {
        try write { db in try CDCSourceRecord.deleteOne(db, key: ["source": source, "slot": slot]) }
    }

    public func cdcSources() throws -> [CDCSourceRecord] {
        try read { try CDCSourceRecord.fetchAll($0, "ORDER BY source, slot") }
    }
}
