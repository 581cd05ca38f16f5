import ArgumentParser
import Foundation
import LakeAWS
import LakeCore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a local lake's files to S3 (or an S3-compatible store), resumably, and check the copy.",
        discussion: """
            Copies raw/, quarantine/ and _versions/ (the files staged/ and curated/ point at) under
            s3://BUCKET/PREFIX/ with the same relative paths. Objects are written with If-None-Match: *,
            so nothing there is overwritten; large files go up in parts. Run it again after a kill or a
            network fault: objects already there with the right size are kept. At the end every object is
            checked against its file (count, size, ETag = MD5).

            Credentials come from the AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or --profile);
            none is written anywhere. The catalog stays in <lake>/catalog.sqlite: moving it to PostgreSQL
            (--to-catalog) is not built yet, so lake's commands keep working on the local lake, and the
            copy serves outside readers (pyarrow, DuckDB httpfs) and safekeeping.
            """)

    @OptionGroup var lake: LakeOptions
    @Option(name: .customLong("to-storage"), help: ArgumentHelp("Where the files go.", valueName: "s3://BUCKET/PREFIX"))
    var storage: String
    @Option(name: .customLong("to-catalog"), help: ArgumentHelp("Not built yet: the catalog stays local.", valueName: "postgres://…"))
    var catalogURL: String?
    @Option(help: "S3 endpoint, for moto, MinIO or a VPC endpoint (default: AWS_ENDPOINT_URL).") var endpointUrl: String?
    @Option(help: "AWS region (default: AWS_REGION, or the profile's).") var region: String?
    @Option(help: "AWS profile in ~/.aws/credentials and ~/.aws/config.") var profile: String?
    @Flag(help: "Path-style addressing (host/bucket/key); the default with --endpoint-url.") var pathStyle = false
    @Option(help: "Uploads in flight at once.") var concurrency = 4
    @Option(help: "Files larger than this go up in parts (multipart upload), in MB.") var multipartAboveMb = 64
    @Option(help: "Size of one part of a multipart upload, in MB (S3's minimum is 5).") var partMb = 16
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table
    @Flag(help: "No progress lines on stderr.") var quiet = false

    func validate() throws {
        guard storage.hasPrefix("s3://"), storage.dropFirst(5).split(separator: "/").first != nil else {
            throw ValidationError("--to-storage takes s3://BUCKET/PREFIX, not '\(storage)'")
        }
        if catalogURL != nil {
            throw ValidationError("--to-catalog is not built yet: lake's catalog stays in catalog.sqlite; "
                                  + "`lake migrate --to-storage s3://…` copies the files")
        }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 64") }
        guard partMb >= 5, multipartAboveMb >= partMb else {
            throw ValidationError("--part-mb must be at least 5 (S3's minimum part) and at most --multipart-above-mb")
        }
    }

    func run() async throws {
        Progress.shared.quiet = quiet
        let root = lake.root
        guard FileManager.default.fileExists(atPath: root.path + "/catalog.sqlite") else {
            throw ValidationError("\(root.path) is not a lake (no catalog.sqlite): pass --lake DIR")
        }
        let parts = storage.dropFirst(5).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(parts[0])
        let prefix = parts.count > 1 ? String(parts[1]) : ""
        let config = try AWSConfig.resolve(profile: profile, region: region, endpoint: endpointUrl)
        let client = try S3Client(bucket: bucket, config: config, pathStyle: pathStyle ? true : nil)
        client.multipartThreshold = multipartAboveMb << 20
        client.partSize = partMb << 20
        defer { Task { await client.shutdown() } }
        var copy = S3LakeCopy(client: client, prefix: prefix, root: root.path)
        copy.concurrency = concurrency
        let report = try await copy.run { done, total in
            Progress.shared.status("migrate: \(done)/\(total) files uploaded")
        }
        Progress.shared.done()
        let target = "s3://\(bucket)/\(copy.prefix)"
        if format == .json {
            return Output.json(.object([
                ("to_storage", .string(target)), ("files", .int(report.files)), ("bytes", .int(report.bytes)),
                ("uploaded", .int(report.uploaded)), ("uploaded_bytes", .int(report.uploadedBytes)),
                ("kept", .int(report.kept)), ("verified", .int(report.verified)),
                ("seconds", .double((report.seconds * 100).rounded() / 100)),
            ]))
        }
        print("copied \(root.path) to \(target): \(report.files) files (\(report.bytes.byteSize)); uploaded \(report.uploaded) "
              + "(\(report.uploadedBytes.byteSize)), kept \(report.kept) already there; all \(report.verified) checked "
              + String(format: "in %.1f s", report.seconds))
        print("the catalog stays in \(root.path)/catalog.sqlite (--to-catalog is not built yet)")
    }
}
