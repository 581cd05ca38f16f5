import Foundation
import LakeCore
import LakeTestSupport
import Testing

@Suite struct GzipTests {
    func writeSample(lines: Int, to path: String, level: Int32 = 6) throws -> (bytes: Int, sha256: String) {
        let writer = try GzipWriter(path: path, level: level)
        for i in 0..<lines { try writer.write("{\"i\":\(i),\"s\":\"ünïcødé \(i)\"}\n") }
        return try writer.finish()
    }

    @Test func systemGzipAcceptsAndReadsBackWhatWeWrite() throws {
        let path = temporaryFolder() + "/sample.ndjson.gz"
        try writeSample(lines: 50_000, to: path)
        #expect(try shell(["gzip", "-t", path]).status == 0)
        let (status, text) = try shell(["gzip", "-dc", path])
        #expect(status == 0)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 50_000)
        #expect(lines[49_999] == "{\"i\":49999,\"s\":\"ünïcødé 49999\"}")
    }

    @Test func checksumAndSizeMatchTheFileOnDisk() throws {
        let path = temporaryFolder() + "/sample.ndjson.gz"
        let (bytes, sha) = try writeSample(lines: 1000, to: path)
        #expect(FileSystem.size(path) == bytes)
        #expect(try Checksum.sha256(file: path) == sha)
        let (_, sum) = try shell(["sha256sum", path])
        #expect(sum.hasPrefix(sha))
    }

    @Test func readsWhatSystemGzipWritesIncludingConcatenatedMembers() throws {
        let folder = temporaryFolder()
        try "one\ntwo\n".write(toFile: folder + "/a", atomically: true, encoding: .utf8)
        try "three\n".write(toFile: folder + "/b", atomically: true, encoding: .utf8)
        try shell(["sh", "-c", "cd \(folder) && gzip -c a > ab.gz && gzip -c b >> ab.gz"])
        #expect(try GzipReader.lines(path: folder + "/ab.gz") == ["one", "two", "three"])
    }

    @Test func truncatedAndCorruptFilesAreErrorsNotData() throws {
        let path = temporaryFolder() + "/sample.ndjson.gz"
        try writeSample(lines: 5000, to: path)
        let bytes = try FileSystem.readFile(path)
        #expect(throws: StorageError.self) { try GzipReader.decompress(Array(bytes.prefix(bytes.count / 2))) }
        var corrupt = bytes
        corrupt[bytes.count / 2] ^= 0xFF
        corrupt[bytes.count / 2 + 1] ^= 0xFF
        #expect(throws: StorageError.self) { try GzipReader.decompress(corrupt) }
        #expect(throws: StorageError.self) { try GzipReader.decompress([]) }
    }
}
