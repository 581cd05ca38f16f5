import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeGovernance

struct GovernanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "governance",
        abstract: "Check the lake against its catalog and contracts: uncataloged data, owners, retention, integrity, drift, freshness, PII, quarantine.",
        discussion: """
            Each finding names its rule, severity, dataset, path (relative to the lake root) and
            how to fix it. Exit status: 0, or 3 with --strict when any finding is a warning or
            an error. Without --verify, a cataloged file is checked by size, and read whole
            only when it was modified after it was cataloged.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, html }

    @OptionGroup var lake: LakeOptions
    @Option(help: "Output format: table, json (for scripts) or html (a self-contained page with charts).")
    var format: Format = .table
    @Flag(help: "Exit with status 3 when any finding is a warning or worse.") var strict = false
    @Flag(help: "Read every file whole: compare sha256 checksums, inflate gzip, parse Parquet footers.") var verify = false
    @Option(help: ArgumentHelp("Contracts to compare with the catalog (default: ./schemas when it exists).", valueName: "dir"))
    var schemas: String?
    @Option(help: "WAL bytes a CDC slot may hold before a warning (default 1 GiB).") var cdcSlotWarnBytes: Int64?
    @Option(help: "WAL bytes a CDC slot may hold before an error (default 10 GiB).") var cdcSlotErrorBytes: Int64?
    @Option(help: ArgumentHelp("Write the report to this file instead of stdout.", valueName: "file"))
    var output: String?

    func run() async throws {
        let catalog = try lake.openCatalog()
        var options = GovernanceOptions(verify: verify, schemasFolder: SchemasFolder.resolve(schemas))
        options.cdcSlots = await CDCSlotReadings.read(catalog)
        if let cdcSlotWarnBytes { options.cdcSlotWarnBytes = cdcSlotWarnBytes }
        if let cdcSlotErrorBytes { options.cdcSlotErrorBytes = cdcSlotErrorBytes }
        let report = try GovernanceReport.check(catalog, options: options)
        let text: String
        switch format {
        case .table: text = ReportTable.render(report)
        case .json: text = ReportJSON.render(report).pretty() + "\n"
        case .html: text = ReportHTML.render(report)
        }
        if let output {
            try FileSystem.writeAtomically(Array(text.utf8), to: output)
            FileHandle.standardError.write(Data("wrote \(output): \(report.findings.count) findings\n".utf8))
        } else {
            print(text, terminator: "")
        }
        if format != .json {
            FileHandle.standardError.write(Data(String(format: "checked in %.2f s\n", report.seconds).utf8))
        }
        if strict && report.violates { throw ExitCode(3) }
    }
}

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "List partitions older than their dataset's retention_days; delete them with --apply.",
        discussion: """
            A partition of dt=D expires when D is older than today (UTC) minus the dataset's
            retention_days. --apply deletes its cataloged files and their catalog rows as one
            audited operation (see `lake catalog audit`); uncataloged files are never touched.
            A run that was killed is finished by the next one.
            """)

    @OptionGroup var lake: LakeOptions
    @Flag(help: "Delete what the dry run lists.") var apply = false
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let job = RetentionJob(catalog: catalog, progress: .shared)
        let plan = try job.plan()
        var outcome: RetentionOutcome?
        if apply { outcome = try job.apply(plan, command: commandLine()) }
        if format == .json {
            var pairs: [(String, JSONValue)] = [
                ("applied", .bool(apply)),
                ("partitions", .array(plan.partitions.map {
                    .object([("dataset", .string($0.dataset)), ("zone", .string($0.zone)), ("path", .string($0.folder)),
                             ("dt", .string($0.dt)), ("retention_days", .int($0.retentionDays)), ("files", .int($0.files)),
                             ("bytes", .int($0.bytes))])
                })),
                ("files", .int(plan.files)), ("bytes", .int(plan.bytes)),
            ]
            if let outcome {
                pairs.append(("audit_id", outcome.audit.map { .int(Int($0)) } ?? .null))
                pairs.append(("deleted_files", .int(outcome.files)))
                pairs.append(("resumed", .array(outcome.resumed.map {
                    .object([("audit_id", .int(Int($0.audit))), ("files", .int($0.files))])
                })))
            }
            return Output.json(.object(pairs))
        }
        if plan.partitions.isEmpty {
            print("Nothing is past its retention.")
            return
        }
        var table = Table(["dataset", "zone", "partition", "files", "bytes"])
        for p in plan.partitions { table.add([p.dataset, p.zone, p.folder, "\(p.files)", p.bytes.byteSize]) }
        print(table.render())
        let total = "\(plan.partitions.count) partition\(plan.partitions.count == 1 ? "" : "s"), \(plan.files) files, \(plan.bytes.byteSize)"
        if let outcome {
            print("Deleted \(total) (audit #\(outcome.audit ?? 0); `lake catalog audit` lists it).")
        } else {
            print("Would delete \(total). Run `lake retention --apply` to delete them.")
        }
    }
}
