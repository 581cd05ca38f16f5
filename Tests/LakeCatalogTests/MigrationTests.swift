import Foundation
import GRDB
import LakeCatalog
import LakeCore
import LakeTestSupport
import Testing

@Suite struct MigrationTests {
    @Test func anEmptyFileBecomesACatalogInWALMode() throws {
        let root = LakeRoot(path: temporaryFolder())
        FileManager.default.createFile(atPath: root.catalogPath, contents: Data())
        let catalog = try Catalog.create(root)
        #expect(try catalog.appliedMigrations() == ["v1-datasets-files-checkpoints-runs", "v2-stream-offsets", "v3-versions-lineage-drift", "v4-audit", "v5-ducklake", "v6-stream-gaps-landed-messages", "v7-pending-uploads"])
        #expect(try catalog.journalMode() == "wal")
        let tables = try DatabaseQueue(path: root.catalogPath).read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'lake_%' ORDER BY name")
        }
        #expect(tables == ["lake_audit", "lake_audit_files", "lake_cdc_sources", "lake_checkpoints", "lake_cursors", "lake_datasets", "lake_files", "lake_ingestions",
                           "lake_landed_messages", "lake_lineage", "lake_pending_uploads", "lake_promoted", "lake_runs", "lake_schema_drift",
                           "lake_schema_versions", "lake_stream_gaps", "lake_stream_offsets", "lake_versions"])
        for zone in ["raw", "staged", "curated", "quarantine", "_tmp"] {
            #expect(FileSystem.isDirectory(root.path + "/" + zone))
        }
    }

    @Test func openingTwiceMigratesOnce() throws {
        let lake = try TempLake()
        _ = try Catalog.open(lake.root)
        #expect(try Catalog.open(lake.root).appliedMigrations().count == 7)
    }

    @Test func aMissingLakeSaysHowToCreateOne() {
        let error = #expect(throws: CatalogError.self) { try Catalog.open(LakeRoot(path: temporaryFolder() + "/nope")) }
        #expect(error?.message.contains("lake init") == true)
    }
}
