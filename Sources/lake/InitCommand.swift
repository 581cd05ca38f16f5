import ArgumentParser
import LakeCatalog
import LakeCore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the zones and the catalog, and register the contracts in schemas/ (or, away from a schemas/ folder, the ones lake ships).")

    @OptionGroup var lake: LakeOptions
    @Option(help: ArgumentHelp("Folder of dataset contracts (default: ./schemas).", valueName: "dir"))
    var schemas: String?
    @Option(help: ArgumentHelp("A team lake's catalog: a PostgreSQL database, postgres://USER@HOST:PORT/DB (the password from PGPASSWORD or ~/.pgpass). Written to lake.json.",
                               valueName: "url"))
    var catalog: String?
    @Option(help: ArgumentHelp("Where a team lake's files are: '.' (the lake folder, the default) or s3://BUCKET/PREFIX (credentials from the AWS chain). Written to lake.json.", valueName: "where"))
    var storage: String?
    @Option(help: "S3 endpoint, for moto, MinIO or a VPC endpoint (default: AWS_ENDPOINT_URL, else AWS's). Written to lake.json.") var endpointUrl: String?
    @Option(help: "The bucket's AWS region (default: AWS_REGION, or the profile's). Written to lake.json.") var region: String?
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
        if storage != nil, catalog == nil { throw ValidationError("--storage goes with --catalog postgres://… (a local lake keeps its files in its folder)") }
        if let storage, storage != ".", S3Location(storage) == nil {
            throw ValidationError("--storage takes '.' (the lake folder) or s3://BUCKET/PREFIX, not '\(storage)'")
        }
        if endpointUrl != nil || region != nil, storage?.hasPrefix("s3://") != true {
            throw ValidationError("--endpoint-url and --region go with --storage s3://BUCKET/PREFIX")
        }
    }

    func run() async throws {
        let root = lake.root
        let existed = root.exists
        let catalog = try Catalog.create(root, config: self.catalog.map { LakeConfig(catalog: $0, storage: storage ?? ".", endpoint: endpointUrl, region: region) })
        var registered: [(DatasetContract, RegistrationOutcome)] = []
        if let folder = SchemasFolder.resolve(schemas) {
            registered = try catalog.sync(folder: folder) { Progress.shared.note($0) }
        } else if !existed {
            let shipped = try BuiltinSchemas.sync(catalog, folder: nil)
            Progress.shared.note("registered \(shipped.count) contracts: \(shipped.from)")
        }
        if format == .json {
            Output.json(.object([
                ("root", .string(root.path)), ("created", .bool(!existed)),
                ("catalog", .string(catalog.location)),
                ("migrations", .array(try catalog.appliedMigrations().map(JSONValue.string))),
                ("contracts", .array(registered.map { .object([("dataset", .string($0.0.name)), ("version", .int($0.1.version))]) })),
            ]))
            return
        }
        print("\(existed ? "Lake already at" : "Created lake at") \(root.path)")
        print("  catalog   \(catalog.location) (\(try catalog.engine()))")
        if let config = catalog.config, config.onS3 {
            print("  storage   \(config.storage)\(config.endpoint.map { " at \($0)" } ?? "") (raw lands there; _tmp/ here)")
        } else {
            print("  zones     raw/ staged/ curated/ quarantine/ _tmp/")
        }
        if !registered.isEmpty {
            print("  contracts " + registered.map { "\($0.0.name) v\($0.1.version)" }.joined(separator: ", "))
        }
    }
}
