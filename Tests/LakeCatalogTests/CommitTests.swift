import Foundation
import LakeCatalog
import LakeCore
import LakeTestSupport
import Testing

@Suite struct CommitTests {
    func pendingFile(_ lake: TempLake, batch: String) throws -> PendingFile {
        let tmp = "_tmp/ingest-test/\(batch).ndjson.gz"
        try FileSystem.makeDirectories(lake.root.tmpPath + "/ingest-test")
        let writer = try GzipWriter(path: lake.root.absolute(tmp))
        try writer.write("{\"a\":1}\n{\"a\":2}\n")
        let (bytes, sha) = try writer.finish()
        let partitions = PartitionValues.dtRegion(dt: "2026-11-24", region: "SE")
        return PendingFile(tmpPath: tmp, finalPath: "raw/test/items/\(partitions.path)/\(batch).ndjson.gz",
                           dataset: "items", source: "test", zone: .raw, partitions: partitions, rows: 2,
                           records: 2, bytes: bytes, sha256: sha, batchId: batch)
    }

    @Test func aCommitMovesTheFileAndRecordsItWithItsCheckpoint() throws {
        let lake = try TempLake()
        let (ingestion, _, _) = try lake.catalog.openIngestion(source: "test", params: "{}")
        let file = try pendingFile(lake, batch: "b1")
        let checkpoint = CheckpointRecord(ingestionId: ingestion.id!, dataset: "items", scope: "SE",
                                          state: "{\"page\":1}", done: false, updatedAt: Timestamps.iso())
        try lake.catalog.commit(files: [file], checkpoints: [checkpoint])
        #expect(lake.files(under: "raw") == [file.finalPath])
        #expect(lake.files(under: "_tmp/ingest-test").isEmpty)
        let record = try #require(lake.catalog.files(of: "items").first)
        #expect(record.rows == 2 && record.bytes == file.bytes && record.sha256 == file.sha256)
        #expect(record.dt == "2026-11-24" && record.region == "SE")
        #expect(record.partitionValues == #"{"dt":"2026-11-24","region":"SE"}"#)
        #expect(try lake.catalog.checkpoints(ingestion: ingestion.id!) == [checkpoint])
    }

    @Test func reconcileRemovesUncommittedLeftoversAndFinishesCommittedOnes() throws {
        let lake = try TempLake()
        // A run killed after the catalog transaction, before the rename:
        let committed = try pendingFile(lake, batch: "committed")
        try lake.catalog.commit(files: [committed])
        try FileSystem.rename(lake.root.absolute(committed.finalPath), to: lake.root.absolute(committed.tmpPath))
        // …and one killed while still writing:
        let partial = try pendingFile(lake, batch: "partial")

        let report = try lake.catalog.reconcile(scope: "ingest-test")
        #expect(report.finished == [committed.finalPath])
        #expect(report.removed == [partial.tmpPath])
        #expect(lake.files(under: "raw") == [committed.finalPath])
        #expect(lake.files(under: "_tmp/ingest-test").isEmpty)
        #expect(try lake.catalog.reconcile(scope: "ingest-test").isEmpty)
    }

    @Test func anUnfinishedIngestionIsResumedAndACompleteOneIsNot() throws {
        let lake = try TempLake()
        let (first, resumedFirst, _) = try lake.catalog.openIngestion(source: "s", params: "{}")
        let (again, resumed, _) = try lake.catalog.openIngestion(source: "s", params: "{}")
        #expect(!resumedFirst && resumed && again.id == first.id)
        try lake.catalog.completeIngestion(first.id!)
        let (next, resumedNext, _) = try lake.catalog.openIngestion(source: "s", params: "{}")
        #expect(!resumedNext && next.id != first.id)
        let (fresh, resumedFresh, _) = try lake.catalog.openIngestion(source: "s", params: "{}", fresh: true)
        #expect(!resumedFresh && fresh.id != next.id)
        #expect(try lake.catalog.ingestions(source: "s").map(\.status) == ["complete", "abandoned", "running"])
    }

    @Test func anUnfinishedIngestionWithOtherSettingsIsAbandonedNotResumed() throws {
        let lake = try TempLake()
        let (first, _, _) = try lake.catalog.openIngestion(source: "s", params: #"{"regions":["SE"]}"#)
        let (other, resumed, abandoned) = try lake.catalog.openIngestion(source: "s", params: #"{"regions":["US"]}"#)
        #expect(!resumed && other.id != first.id && abandoned?.id == first.id)
        #expect(try lake.catalog.ingestions(source: "s").map(\.status) == ["abandoned", "running"])
    }
}
