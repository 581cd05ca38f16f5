import ArgumentParser
import LakeCatalog
import LakeCore
import LakeGovernance

struct CatalogAdopt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Bring files already in the lake but not in the catalog under a dataset.",
        discussion: """
            PATH is a file or folder inside the lake (absolute, relative to here, or relative to
            the lake root); on a team lake's S3 storage, an object or prefix (s3://BUCKET/PREFIX/raw/…,
            or relative to the storage). Each uncataloged file below it is read for its rows, partitions
            (key=value folders) and sha256, and all are cataloged in one audited step.
            Files are never moved or rewritten.
            """)
    @OptionGroup var lake: LakeOptions
    @Argument(help: "A file or folder inside the lake.") var path: String
    @Option(help: "The dataset the files belong to (created without a contract if the catalog lacks it).") var dataset: String
    @Option(help: "Owner to record when the dataset has none.") var owner: String?
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let outcome = try Adoption(catalog: catalog).adopt(path: path, dataset: dataset, owner: owner, command: commandLine())
        if format == .json {
            return Output.json(.object([
                ("dataset", .string(dataset)), ("audit_id", .int(Int(outcome.audit))),
                ("files", .array(outcome.files.map {
                    .object([("path", .string($0.path)), ("zone", .string($0.zone)), ("dt", $0.dt.map(JSONValue.string) ?? .null),
                             ("region", $0.region.map(JSONValue.string) ?? .null), ("rows", .int($0.rows)),
                             ("records", .int($0.records)), ("bytes", .int($0.bytes)), ("sha256", .string($0.sha256))])
                })),
                ("rows", .int(outcome.rows)), ("bytes", .int(outcome.bytes)),
            ]))
        }
        var table = Table(["path", "rows", "bytes"])
        for f in outcome.files { table.add([f.path, "\(f.rows)", f.bytes.byteSize]) }
        print(table.render())
        print("Adopted \(outcome.files.count) file\(outcome.files.count == 1 ? "" : "s") (\(outcome.rows) rows) into \(dataset) (audit #\(outcome.audit)).")
    }
}

struct CatalogAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Audited operations on the lake's data (retention deletions, adoptions), newest first.")
    @OptionGroup var lake: LakeOptions
    @Option(help: "How many operations.") var limit = 20
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let audits = try catalog.audits(limit: limit)
        if format == .json {
            return Output.json(.array(try audits.map { a in
                .object([
                    ("id", .int(Int(a.id ?? 0))), ("action", .string(a.action)), ("state", .string(a.state)),
                    ("command", .string(a.command)), ("reason", .string(a.reason)),
                    ("datasets", .array(a.datasetNames.map(JSONValue.string))), ("files", .int(a.files)), ("bytes", .int(a.bytes)),
                    ("started_at", .string(a.startedAt)), ("finished_at", a.finishedAt.map(JSONValue.string) ?? .null),
                    ("paths", .array(try catalog.auditFiles(of: a.id!).map { .string($0.path) })),
                ])
            }))
        }
        var table = Table(["id", "action", "state", "when", "datasets", "files", "bytes", "why", "command"])
        for a in audits {
            table.add(["\(a.id ?? 0)", a.action, a.state, a.startedAt, a.datasetNames.joined(separator: ","), "\(a.files)",
                       a.bytes.byteSize, a.reason, a.command])
        }
        print(table.render())
    }
}
