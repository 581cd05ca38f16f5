import Foundation
@testable import LakeCatalog
import LakeCore
import LakeTestSupport
import Testing

/// The pieces that let one catalog code path run on SQLite and PostgreSQL.
@Suite struct CatalogSQLTests {
    @Test(arguments: [
        ("SELECT 1", "SELECT 1"),
        ("WHERE a = ? AND b = ?", "WHERE a = $1 AND b = $2"),
        ("WHERE a = '?' AND b = ?", "WHERE a = '?' AND b = $1"),
        (#"SELECT "odd?name" FROM t WHERE x IN (?, ?)"#, #"SELECT "odd?name" FROM t WHERE x IN ($1, $2)"#),
        ("SET v = 'it''s ?' WHERE k = ?", "SET v = 'it''s ?' WHERE k = $1"),
    ])
    func placeholdersAreNumberedForPostgresOutsideQuotes(sql: String, numbered: String) {
        #expect(PostgresCatalogDatabase.numbered(sql) == numbered)
    }

    @Test func anInsertIsSplitIntoItsRowForManyRowsAtOnce() throws {
        let split = try #require(PostgresCatalogDatabase.valuesClause("INSERT INTO t (a, b) VALUES (?, lower('(x)')) ON CONFLICT (a) DO NOTHING"))
        #expect(split.0 == "INSERT INTO t (a, b) VALUES ")
        #expect(split.1 == "(?, lower('(x)'))")
        #expect(split.2 == " ON CONFLICT (a) DO NOTHING")
        #expect(PostgresCatalogDatabase.valuesClause("UPDATE t SET a = ?") == nil)
    }

    @Test func manyRecordsAreInsertedAtOnceAndReadBack() throws {
        let lake = try TempLake()
        let catalog = try Catalog.open(lake.root)
        let cursors = (0..<3).map { CursorRecord(source: "s", dataset: "d", scope: "R\($0)", value: "\($0)", updatedAt: "t") }
        try catalog.write { db in try CursorRecord.insertAll(cursors, db) }
        #expect(try catalog.read { db in try CursorRecord.fetchAll(db, "ORDER BY scope") } == cursors)
    }

    @Test(arguments: [("partitionValues", "partition_values"), ("sha256", "sha256"), ("firstRawFile", "first_raw_file"), ("id", "id")])
    func propertiesAreStoredInSnakeCaseColumns(property: String, column: String) {
        #expect(snakeCase(property) == column)
    }

    @Test func timestampsReadFromPostgresArePrintedAsDuckDBPrintsThem() {
        #expect(PostgresCatalogDatabase.timestamp(Date(timeIntervalSince1970: 1_764_494_102.5)) == "2025-11-30 09:15:02.5+00")
        #expect(PostgresCatalogDatabase.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00+00")
    }

    @Test func aRecordIsInsertedSavedUpdatedAndReadBackByItsKey() throws {
        let lake = try TempLake()
        let catalog = try Catalog.open(lake.root)
        let cursor = CursorRecord(source: "s", dataset: "d", scope: "SE", value: "1", updatedAt: "t1")
        try catalog.write { db in try cursor.insert(db) }
        var moved = cursor
        moved.value = "2"
        try catalog.write { db in try moved.save(db) }
        #expect(try catalog.cursor(source: "s", dataset: "d", scope: "SE") == "2")
        var run = RunRecord(id: nil, command: "test", pid: 1, ingestionId: nil, startedAt: "t", endedAt: nil, outcome: "running", counts: nil, error: nil)
        try catalog.write { db in try run.insert(db) }
        #expect(run.id != nil)
        run.outcome = "ok"
        try catalog.write { db in try run.update(db) }
        let read = try catalog.read { db in try RunRecord.fetchOne(db, key: run.id!) }
        #expect(read == run)
        #expect(try catalog.read { db in try CursorRecord.fetchOne(db, key: ["source": "s", "dataset": "d", "scope": "NO"]) } == nil)
    }

    @Test func aNilPropertyIsANullColumnSoAnUpdateClearsIt() throws {
        let lake = try TempLake()
        let catalog = try Catalog.open(lake.root)
        var run = RunRecord(id: nil, command: "test", pid: 1, ingestionId: 7, startedAt: "t", endedAt: "e", outcome: "ok", counts: "{}", error: "boom")
        #expect(try run.columnValues().map(\.name) == ["id", "command", "pid", "ingestion_id", "started_at", "ended_at", "outcome", "counts", "error"])
        try catalog.write { db in try run.insert(db) }
        run.error = nil
        run.ingestionId = nil
        try catalog.write { db in try run.update(db) }
        #expect(try catalog.read { db in try RunRecord.fetchOne(db, key: run.id!) } == run)
    }

    @Test func aValueOfAnotherTypeIsNotTakenForTheWantedOne() {
        #expect(Int64(sqlValue: .text("12")) == nil)
        #expect(Bool(sqlValue: .integer(1)) == true)
        #expect(Int(sqlValue: .bool(true)) == 1)
        #expect(String?(sqlValue: .null) == .some(nil))
        #expect(Double(sqlValue: .integer(3)) == 3)
    }
}
