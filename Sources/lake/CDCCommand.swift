import LakeCatalog
import ArgumentParser
import Foundation
import LakeIngest

struct CDCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdc",
        abstract: "A PostgreSQL capture's slot: its status, or drop it.",
        subcommands: [CDCStatusCommand.self, CDCDropCommand.self])
}

struct CDCSlotOptions: ParsableArguments {
    @Argument(help: "postgres://USER@HOST:PORT/DB") var url: String
    @Option(help: "Logical replication slot.") var slot = "lake"
    @Option(help: "Publication.") var publication = "lake"
    @Option(help: "Environment variable holding the password.") var passwordEnv: String?

    func ingestion(_ lake: LakeOptions) throws -> CDCIngestion {
        var options = CDCOptions()
        options.slot = slot
        options.publication = publication
        return CDCIngestion(settings: try PostgresSettings.parse(url, passwordEnv: passwordEnv), catalog: try lake.openCatalog(),
                            options: options)
    }
}

struct CDCStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The slot, its confirmed LSN, the WAL it holds on the server, and what lake landed last.")
    @OptionGroup var lake: LakeOptions
    @OptionGroup var slot: CDCSlotOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let status = try await slot.ingestion(lake).status()
        if format == .json { return Output.json(status.json) }
        var table = Table(["slot", "exists", "active", "confirmed LSN", "current LSN", "retained WAL", "lag", "last landed"])
        table.add([status.slot, status.exists ? "yes" : "no", status.active ? "yes" : "no", status.confirmedLSN ?? "-",
                   status.currentLSN, ByteCountFormatter.string(fromByteCount: status.retainedBytes, countStyle: .binary),
                   ByteCountFormatter.string(fromByteCount: status.lagBytes, countStyle: .binary), status.landedLSN ?? "-"])
        print(table.render())
    }
}

struct CDCDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop", abstract: "Drops the slot and the publication, so the server keeps no WAL for lake.")
    @OptionGroup var lake: LakeOptions
    @OptionGroup var slot: CDCSlotOptions

    func run() async throws {
        for note in try await slot.ingestion(lake).drop() { print(note) }
    }
}
