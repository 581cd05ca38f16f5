import Foundation
import LakeCatalog
import LakeCore
import LakeTestSupport
import Testing

/// Each publication is one DuckLake snapshot; any snapshot reads its files from version
/// folders that exist, whatever the zone link points at.
@Suite struct DuckLakeTests {
    static let columns = [DuckLakeColumn(name: "id", type: "varchar", partition: false),
                          DuckLakeColumn(name: "n", type: "int64", partition: false),
                          DuckLakeColumn(name: "dt", type: "date", partition: true),
                          DuckLakeColumn(name: "region", type: "varchar", partition: true)]

    func file(_ name: String, region: String, rows: Int) -> FileRecord {
        FileRecord(path: "staged/items/dt=2026-11-20/region=\(region)/\(name).parquet", dataset: "items", source: nil, zone: "staged",
                   partitionValues: #"{"dt":"2026-11-20","region":"\#(region)"}"#, dt: "2026-11-20", region: region, rows: rows,
                   records: rows, bytes: 100, sha256: "", batchId: name, tmpPath: nil, runId: nil, createdAt: "")
    }

    func publish(_ lake: TempLake, version: Int, added: [FileRecord], removed: [String] = [],
                 columns: [DuckLakeColumn] = columns, stats: [String: [DuckLakeColumnStats]] = [:]) throws {
        let folder = String(format: "_versions/staged/items/v%06d", version)
        try FileSystem.makeDirectories(lake.root.absolute(folder))
        var p = VersionPublication(
            version: VersionRecord(dataset: "items", zone: "staged", version: version, folder: folder, state: "current", files: 0,
                                   rows: 0, runId: nil, createdAt: Timestamps.iso()),
            addedFiles: added, removedPaths: removed, lineage: [], promoted: [], drift: [], quarantine: [], fullRefresh: false)
        p.columns = columns
        p.columnStats = stats
        try lake.catalog.publish(p)
    }

    @Test func aPublicationIsOneSnapshotAndEarlierSnapshotsKeepTheirFiles() throws {
        let lake = try TempLake()
        let base = try #require(try lake.catalog.duckLakeCurrentSnapshot())
        let a = file("a", region: "SE", rows: 10), b = file("b", region: "US", rows: 5)
        try publish(lake, version: 1, added: [a, b],
                    stats: [a.path: [DuckLakeColumnStats(name: "n", valueCount: 10, nullCount: 0, min: "1", max: "10", bytes: nil)]])
        let first = try #require(try lake.catalog.duckLakeCurrentSnapshot())
        #expect(first == base + 1)

        let c = file("c", region: "SE", rows: 7)
        try publish(lake, version: 2, added: [c], removed: [a.path])
        let now = try #require(try lake.catalog.duckLakeTable(schema: "staged", name: "items"))
        #expect(now.snapshot == first + 1)
        #expect(now.columns.map(\.name) == ["id", "n", "dt", "region"] && now.columns.map(\.partition) == [false, false, true, true])
        // Kept files move to the new version folder; the ended one stays in the folder it was last in.
        #expect(now.files.map { $0.path.components(separatedBy: "_versions/").last! }.sorted() == [
            "staged/items/v000002/dt=2026-11-20/region=SE/c.parquet", "staged/items/v000002/dt=2026-11-20/region=US/b.parquet"])
        #expect(now.files.first { $0.path.hasSuffix("c.parquet") }?.partitionValues == ["dt": "2026-11-20", "region": "SE"])
        #expect(now.rows == 12)

        let then = try #require(try lake.catalog.duckLakeTable(schema: "staged", name: "items", at: first))
        #expect(then.rows == 15)
        #expect(then.files.map { $0.path.components(separatedBy: "_versions/").last! }.sorted() == [
            "staged/items/v000001/dt=2026-11-20/region=SE/a.parquet", "staged/items/v000002/dt=2026-11-20/region=US/b.parquet"])
        #expect(try lake.catalog.duckLakeTable(schema: "staged", name: "items", at: base) == nil)
        #expect(try lake.catalog.duckLakeSnapshots(touching: now.table).map(\.message) == ["lake promote: staged.items v2", "lake promote: staged.items v1"])
    }

    @Test func aNewContractColumnIsANewSchemaVersionAndOldSnapshotsKeepTheOldColumns() throws {
        let lake = try TempLake()
        try publish(lake, version: 1, added: [file("a", region: "SE", rows: 3)])
        let first = try #require(try lake.catalog.duckLakeCurrentSnapshot())
        var wider = Self.columns
        wider.insert(DuckLakeColumn(name: "note", type: "varchar", partition: false), at: 2)
        try publish(lake, version: 2, added: [file("b", region: "SE", rows: 2)], columns: wider)
        #expect(try lake.catalog.duckLakeTable(schema: "staged", name: "items")?.columns.map(\.name) == ["id", "n", "note", "dt", "region"])
        #expect(try lake.catalog.duckLakeTable(schema: "staged", name: "items", at: first)?.columns.map(\.name) == ["id", "n", "dt", "region"])
        let snapshots = try lake.catalog.duckLakeSnapshots()
        #expect(snapshots[0].schemaVersion == snapshots[1].schemaVersion + 1)
        #expect(snapshots[0].changes.contains("altered_table:"))
    }

    @Test func expiringSnapshotsKeepsTheLatestAndForgetsFilesNoSnapshotReads() throws {
        let lake = try TempLake()
        let a = file("a", region: "SE", rows: 10)
        try publish(lake, version: 1, added: [a])
        try publish(lake, version: 2, added: [file("b", region: "SE", rows: 1)], removed: [a.path])
        let latest = try #require(try lake.catalog.duckLakeCurrentSnapshot())
        let dry = try lake.catalog.expireDuckLakeSnapshots(before: Timestamps.iso(Date().addingTimeInterval(60)), dryRun: true)
        #expect(!dry.snapshots.contains(latest) && dry.dataFiles == 1)
        #expect(try lake.catalog.duckLakeSnapshots().count == dry.snapshots.count + 1)
        _ = try lake.catalog.expireDuckLakeSnapshots(before: Timestamps.iso(Date().addingTimeInterval(60)), dryRun: false)
        #expect(try lake.catalog.duckLakeSnapshots().map(\.id) == [latest])
        #expect(throws: CatalogError.self) { try lake.catalog.duckLakeTable(schema: "staged", name: "items", at: latest - 1) }
        #expect(try lake.catalog.duckLakeTable(schema: "staged", name: "items")?.rows == 1)
    }
}
