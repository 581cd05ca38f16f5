import ArgumentParser
import Foundation
import LakeAWS
import LakeCatalog
import LakeCore
import LakeIngest
import Logging
import PostgresNIO

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a local lake's files to S3 and its catalog to PostgreSQL, resumably, and check the copy.",
        discussion: """
            Copies raw/, quarantine/ and _versions/ (the files staged/ and curated/ point at) under \
            s3://BUCKET/PREFIX/ with the same relative paths. Objects are written with If-None-Match: *, \
            so nothing there is overwritten; large files go up in parts. Run it again after a kill or a \
            network fault: objects already there with the right size are kept. At the end every object is \
            checked against its file (count, size, ETag = MD5).

            --to-catalog copies the catalog, history and all, into an empty PostgreSQL database: lake's \
            lake_* tables and the DuckLake tables as DuckDB's ducklake extension makes them there, with the \
            data path set to --to-storage. DuckDB then attaches ducklake:postgres:… and reads every \
            table lake wrote, with time travel. Each table is copied in one transaction; run it again after \
            a kill and the tables already there are kept.

            Credentials come from the AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or --profile) \
            and PGPASSWORD / ~/.pgpass; none is written anywhere.

            --to-lake DIR (with both) writes DIR/lake.json naming the moved lake's catalog and storage. \
            Every lake command then works on the moved lake from there, on any machine: queries fetch Parquet \
            footers and only the column chunks they need with ranged GETs, and ingestion, promotion, optimize, \
            governance, retention and vacuum write to S3 through the catalog.
            """)

    @OptionGroup var lake: LakeOptions
    @Option(name: .customLong("to-storage"), help: ArgumentHelp("Where the files go.", valueName: "s3://BUCKET/PREFIX"))
    var storage: String?
    @Option(name: .customLong("to-catalog"), help: ArgumentHelp("Where the catalog goes: an empty PostgreSQL database (the password from PGPASSWORD or ~/.pgpass).", valueName: "postgres://USER@HOST:PORT/DB"))
    var catalogURL: String?
    @Option(name: .customLong("to-lake"), help: ArgumentHelp("A folder to hold the moved lake's lake.json (with both --to-storage and --to-catalog): lake query and lake catalog then read the team lake from it.", valueName: "dir"))
    var toLake: String?
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
        guard storage != nil || catalogURL != nil else { throw ValidationError("give --to-storage s3://BUCKET/PREFIX, --to-catalog postgres://…, or both") }
        if toLake != nil, storage == nil || catalogURL == nil {
            throw ValidationError("--to-lake names the moved lake: give it with both --to-storage and --to-catalog")
        }
        if let storage, S3Location(storage) == nil {
            throw ValidationError("--to-storage takes s3://BUCKET/PREFIX, not '\(storage)'")
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
        var json: [(String, JSONValue)] = []
        var dataPath: String?
        if let storage, let location = S3Location(storage) {
            let bucket = location.bucket, prefix = location.prefix
            let config = try AWSConfig.resolve(profile: profile, region: region, endpoint: endpointUrl)
            let client = try S3Client(bucket: bucket, config: config, pathStyle: pathStyle ? true : nil)
            client.multipartThreshold = multipartAboveMb << 20
            client.partSize = partMb << 20
            var copy = S3LakeCopy(client: client, prefix: prefix, root: root.path)
            copy.concurrency = concurrency
            let report: S3LakeCopy.Report
            do {
                report = try await copy.run { done, total in Progress.shared.status("migrate: \(done)/\(total) files uploaded") }
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            Progress.shared.done()
            dataPath = "s3://\(bucket)/\(copy.prefix)"
            json += [("to_storage", .string(dataPath!)), ("files", .int(report.files)), ("bytes", .int(report.bytes)),
                     ("uploaded", .int(report.uploaded)), ("uploaded_bytes", .int(report.uploadedBytes)),
                     ("kept", .int(report.kept)), ("verified", .int(report.verified)),
                     ("seconds", .double((report.seconds * 100).rounded() / 100))]
            if format == .table {
                print("copied \(root.path) to \(dataPath!): \(report.files) files (\(report.bytes.byteSize)); uploaded \(report.uploaded) "
                      + "(\(report.uploadedBytes.byteSize)), kept \(report.kept) already there; all \(report.verified) checked "
                      + String(format: "in %.1f s", report.seconds))
            }
        }
        if let catalogURL {
            if let config = try LakeConfig.read(root), config.onS3 {
                throw ValidationError("\(root.path) keeps its files on \(config.storage) already: this command moves a lake whose "
                                      + "files are on this disk (every other lake command works on a team lake)")
            }
            let settings = try PostgresSettings.parse(catalogURL, passwordEnv: nil)
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: try settings.configuration(), id: 1,
                                                                  logger: Logger(label: "lake.migrate"))
            } catch {
                throw CatalogError.database("cannot connect to \(settings.sourceID) as \(settings.user) (\(PostgresMessage.of(error))) — "
                                            + "check the host, port and database, and the password in PGPASSWORD or ~/.pgpass")
            }
            let report: PostgresCatalogCopy.Report
            do {
                report = try await PostgresCatalogCopy(catalog: try lake.openCatalog(), connection: connection, server: settings.sourceID)
                    .run(dataPath: dataPath)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
            json += [("to_catalog", .string(settings.connectionURL)), ("tables", .int(report.tables)), ("rows", .int(report.rows)),
                     ("tables_copied", .int(report.copied)), ("tables_kept", .int(report.kept))]
            if format == .table {
                print("copied the catalog to \(settings.connectionURL): \(report.tables) tables, \(report.rows) rows "
                      + "(\(report.copied) tables copied, \(report.kept) already there)"
                      + (dataPath.map { "; DuckLake's data path is \($0)" } ?? ""))
            }
        } else if format == .table {
            print("the catalog stays in \(root.path)/catalog.sqlite")
        }
        if let toLake, let catalogURL, let dataPath {
            let target = LakeRoot.resolve(explicit: toLake)
            let config = LakeConfig(catalog: try PostgresSettings.parse(catalogURL, passwordEnv: nil).connectionURL,
                                    storage: String(dataPath.dropLast()), endpoint: endpointUrl, region: region)
            if let existing = try LakeConfig.read(target), existing != config {
                throw ValidationError("\(target.configPath) already names catalog \(existing.catalog) (storage \(existing.storage)): pick another --to-lake folder")
            }
            // Opening it applies lake's migrations over the copied tables, as a team lake made by init has them.
            try FileManager.default.createDirectory(atPath: target.path, withIntermediateDirectories: true)
            try config.write(target)
            _ = try Catalog.open(target)
            json.append(("to_lake", .string(target.path)))
            if format == .table { print("the moved lake is \(target.path): lake query --lake \(target.path) reads it") }
        }
        if format == .json { Output.json(.object(json)) }
    }
}
