import Foundation
@testable import LakeAWS
import LakeParquet
import Testing

/// moto in server mode (from the test venv scripts/setup makes) on a free loopback port, for
/// as long as the value lives.
final class MotoS3 {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".venv/bin/moto_server").path
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let port = LoopbackPort.free()
    private let process = Process()

    init() throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 where !Self.accepts(port) { usleep(50_000) }
    }

    /// Whether something listens on the port yet.
    static func accepts(_ port: Int) -> Bool {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// SIGKILL: a child spawned from a dispatch worker thread inherits its blocked SIGTERM.
    deinit { kill(process.processIdentifier, SIGKILL) }

    func client(bucket: String) throws -> S3Client {
        try S3Client(bucket: bucket, config: AWSConfig(credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"),
                                                       region: "us-east-1", endpointOverride: "http://127.0.0.1:\(port)"))
    }
}

@Suite(.serialized, .enabled(if: MotoS3.installed, "moto is not installed: run scripts/setup"))
struct S3ClientTests {
    @Test func objectsAreWrittenOnceReadByRangeListedByPageAndDeletedInBatchesAndAMissingBucketSaysSo() async throws {
        let moto = try MotoS3()
        let s3 = try moto.client(bucket: "lake-tests")
        try await s3.createBucket()
        let bytes = Array("PAR1 the middle PAR1".utf8)
        try await s3.put("t/dt=2024-03-01/a.parquet", bytes)
        await #expect(throws: S3Error.exists(bucket: "lake-tests", key: "t/dt=2024-03-01/a.parquet")) {
            try await s3.put("t/dt=2024-03-01/a.parquet", Array("other".utf8))
        }
        #expect(try await s3.get("t/dt=2024-03-01/a.parquet") == bytes)
        #expect(try await s3.get("t/dt=2024-03-01/a.parquet", range: 16..<20) == Array("PAR1".utf8))
        #expect(try await s3.head("t/dt=2024-03-01/a.parquet")?.size == bytes.count)
        #expect(try await s3.head("t/missing") == nil)

        for i in 0..<5 { try await s3.put("t/part-\(i).bin", [UInt8(i)]) }
        let listed = try await s3.list(prefix: "t", pageSize: 2)
        #expect(listed.count == 6 && Set(listed.map(\.key)).count == 6)

        try await s3.delete(listed.map(\.key) + ["t/never-there"])
        #expect(try await s3.list(prefix: "t").isEmpty)
        await s3.shutdown()

        let elsewhere = try moto.client(bucket: "no-such-bucket")
        await #expect(throws: S3Error.noBucket("no-such-bucket")) { try await elsewhere.list(prefix: "x") }
        await elsewhere.shutdown()
    }
}

/// What a query reads of a team lake's Parquet files in S3: the footer with one GET, then only
/// the column chunks asked for.
@Suite(.serialized, .enabled(if: MotoS3.installed, "moto is not installed: run scripts/setup"))
struct S3ObjectStoreTests {
    @Test func nearbyRangesAreOneRequestAndFarOnesTwo() {
        #expect(S3ObjectStore.merge([100..<200, 0..<10, 300..<400]) == [0..<400])
        #expect(S3ObjectStore.merge([0..<10, (1 << 30)..<((1 << 30) + 5)]) == [0..<10, (1 << 30)..<((1 << 30) + 5)])
    }

    @Test func keysThroughDotDotAreTheObjectsTheyNameAsDuckDBResolvesThem() {
        #expect(S3ObjectStore.normalized("lake/staged/../_versions/staged/plays/v1/a.parquet") == "lake/_versions/staged/plays/v1/a.parquet")
        #expect(S3ObjectStore.normalized("lake/./dt=2026-11-30/a.parquet") == "lake/dt=2026-11-30/a.parquet")
    }

    @Test func aParquetObjectIsReadByItsFooterAndTheChunksOfTheColumnsAsked() async throws {
        let moto = try MotoS3()
        let s3 = try moto.client(bucket: "lake-objects")
        try await s3.createBucket()
        let rows = 5_000
        var tracks = StringArray()
        for i in 0..<rows { tracks.append("track-\(i % 97)") }
        let columns = [
            Column(schema: ColumnSchema("n", .int64, nullable: false), data: .int64((0..<rows).map(Int64.init))),
            Column(schema: ColumnSchema("track_id", .string, nullable: false), data: .string(tracks)),
            Column(schema: ColumnSchema("ms", .double, nullable: false), data: .double((0..<rows).map { Double($0) / 2 })),
        ]
        let path = NSTemporaryDirectory() + "lake-objects-\(getpid()).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = WriterOptions()
        options.rowGroupRows = 2_000
        let writer = try ParquetWriter(path: path, schema: columns.map(\.schema), options: options)
        try writer.write(columns)
        _ = try writer.finish()
        try await s3.put("lake/_versions/t/a.parquet", Array(try Data(contentsOf: URL(fileURLWithPath: path))))

        // A tail smaller than the file: the footer, then the chunk asked for.
        let store = S3ObjectStore(client: s3)
        let (remote, local) = try await Self.offTheCooperativePool {
            (try ParquetFile(object: "s3://lake-objects/lake/t/../_versions/t/a.parquet", in: store, tailGuess: 2_048), try ParquetFile(path: path))
        }
        #expect(store.requests == 1 && remote.rowGroupCount == 3 && remote.schema == local.schema)
        let second = try await Self.offTheCooperativePool { try remote.loading(rowGroup: 1, columns: [1]).read(rowGroup: 1, columns: [1]) }
        #expect(second == (try local.read(rowGroup: 1, columns: [1])))
        #expect(store.requests == 2, "one row group's one column is one GET")

        // A file smaller than the first guess arrives whole with its footer.
        let small = S3ObjectStore(client: s3)
        let whole = try await Self.offTheCooperativePool {
            try ParquetFile(object: "s3://lake-objects/lake/_versions/t/a.parquet", in: small).loading(rowGroup: 2, columns: [0, 2])
                .read(rowGroup: 2, columns: [0, 2])
        }
        #expect(whole == (try local.read(rowGroup: 2, columns: [0, 2])))
        #expect(small.requests == 1)
    }

    /// The store blocks its caller, as the query's worker threads may be.
    static func offTheCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
