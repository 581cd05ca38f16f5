import Foundation
import LakeAWS
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
