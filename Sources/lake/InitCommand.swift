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
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let root = lake.root
        let existed = root.exists
        let catalog = try Catalog.create(root)
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
                ("catalog", .string(root.catalogPath)),
                ("migrations", .array(try catalog.appliedMigrations().map(JSONValue.string))),
                ("contracts", .array(registered.map { .object([("dataset", .string($0.0.name)), ("version", .int($0.1.version))]) })),
            ]))
            return
        }
        print("\(existed ? "Lake already at" : "Created lake at") \(root.path)")
        print("  catalog   \(root.catalogPath) (\(try catalog.journalMode()) mode)")
        print("  zones     raw/ staged/ curated/ quarantine/ _tmp/")
        if !registered.isEmpty {
            print("  contracts " + registered.map { "\($0.0.name) v\($0.1.version)" }.joined(separator: ", "))
        }
    }
}
