import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeIngest

struct IngestCDCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdc",
        abstract: "A PostgreSQL database's changes → raw/<source>/<table>/, Debezium's envelope, exactly once.",
        discussion: """
            Creates the publication and the pgoutput slot when they are missing, takes a snapshot of each
            table once (op r), then lands every committed change (c, u, d, t) and moves the slot only after
            the raw files and the commit LSN are in the catalog. Needs wal_level=logical on the server and
            a user with the REPLICATION attribute (or superuser). The password comes from --password-env VAR,
            PGPASSWORD or ~/.pgpass, never the URL. Without --until-idle it follows the database until
            SIGINT or SIGTERM.
            """)

    @OptionGroup var lake: LakeOptions
    @Argument(help: "postgres://USER@HOST:PORT/DB[?sslmode=require|verify-full&sslrootcert=FILE]") var url: String
    @Option(help: "Tables to capture, comma-separated (schema.table; public when no schema).") var tables: String
    @Option(help: "Logical replication slot.") var slot = "lake"
    @Option(help: "Publication.") var publication = "lake"
    @Option(help: "raw/<source>/… (default: the database name).") var source: String?
    @Option(help: "Environment variable holding the password.") var passwordEnv: String?
    @Option(help: "Column holding the region (ISO 3166-1 alpha-2).") var regionColumn: String?
    @Option(help: "Put before each dataset name, for a table whose name another dataset has (`pg_` lands orders as pg_orders).")
    var datasetPrefix = ""
    @Flag(help: "Stop once every committed change is landed.") var untilIdle = false
    @Option(help: "Changes asked for per peek (whole transactions always).") var batch = 200_000
    @Option(help: "Seconds between peeks when there is nothing new.") var pollSeconds = 1.0
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
        guard batch >= 1, pollSeconds > 0 else { throw ValidationError("--batch and --poll-seconds must be positive") }
        guard !tables.split(separator: ",").isEmpty else { throw ValidationError("--tables names at least one table") }
    }

    func run() async throws {
        let catalog = try lake.openCatalog()
        let settings = try PostgresSettings.parse(url, passwordEnv: passwordEnv)
        var options = CDCOptions()
        options.tables = tables.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        options.slot = slot
        options.publication = publication
        options.source = source
        options.regionColumn = regionColumn
        options.datasetPrefix = datasetPrefix
        options.untilIdle = untilIdle
        options.batch = batch
        options.pollSeconds = pollSeconds
        options.progress = !quiet && format != .json
        options.command = commandLine()
        let stop = StopFlag()
        let signals = StopOnSignals(stop)
        defer { signals.cancel() }
        let report = try await CDCIngestion(settings: settings, catalog: catalog, options: options).run(stop: stop)
        if format == .json { return Output.json(report.json) }
        for note in report.notes { print(note) }
        var table = Table(["table", "snapshot rows", "changes"])
        for dataset in Set(report.snapshotRows.keys).union(report.changes.keys).sorted() {
            table.add([dataset, String(report.snapshotRows[dataset] ?? 0), String(report.changes[dataset] ?? 0)])
        }
        print(table.render())
        print("\(report.transactions) transactions landed (\(report.skipped) already landed), slot \(slot) at \(report.confirmedLSN ?? "its start")")
    }
}
