import Foundation
import LakeCore
import LakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileSyncerTests {
    /// Files handed over are synced and closed by the time `finish()` returns, whatever their number.
    @Test func everyFileHandedOverIsClosedWhenFinishReturns() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let syncer = FileSyncer()
        var written: [(path: String, sha: String)] = []
        for k in 0..<20 {
            let sink = try FileSink(path: folder + "/f\(k)")
            try sink.write(Array("file \(k)\n".utf8))
            written.append((sink.path, try sink.finish(syncer: syncer).sha256))
        }
        try syncer.finish()
        for (k, file) in written.enumerated() {
            #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "file \(k)\n")
            #expect(file.sha == Checksum.sha256(Array("file \(k)\n".utf8)))
        }
    }

    /// A file that cannot be synced makes `finish()` fail with its path, so nothing is committed.
    @Test func aFailedSyncIsReportedWithThePath() throws {
        let syncer = FileSyncer()
        syncer.sync(fd: -1, path: "/lake/staged/plays/part-0.parquet")
        #expect(throws: StorageError.self) { try syncer.finish() }
        do { try syncer.finish() } catch { #expect("\(error)".contains("/lake/staged/plays/part-0.parquet")) }
    }
}
