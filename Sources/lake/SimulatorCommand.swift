import ArgumentParser
import Foundation
import LakeCore
import LakeSimulators

struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Run a built-in simulator on 127.0.0.1 (for tests, benchmarks and trying things).",
        subcommands: [SpotifySimulatorCommand.self, PagedAPISimulatorCommand.self, EventsSimulatorCommand.self])
}

struct SpotifySimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotify",
        abstract: "A Spotify Web API look-alike; prints one JSON line with its URLs and credentials, then serves until killed.")

    @Option(help: "Port (0: any free port).") var port = 0
    @Option(help: "Seed of the generated catalogue.") var seed: UInt64 = 42
    @Option(help: "Catalogue size (1 = a few thousand tracks).") var scale = 1.0
    @Option(help: "Faults: none, all, or e.g. 429=0.1,5xx=0.05,truncate,not-json,slow,token-expiry,long-429=0.05,retry-after=3600,window=100.")
    var faults = "none"
    @Option(help: "Answer as Spotify answers apps in this mode: development (new apps) or extended.")
    var appMode: SpotifyAppModeOption = .development

    func run() async throws {
        guard let config = SimulatorFaults.parse(faults) else {
            throw ValidationError("--faults: '\(faults)' is not none, all, or a list like 429=0.1,5xx,truncate")
        }
        let simulator = SpotifySimulator(seed: seed, scale: scale, faults: config, mode: SpotifyAppMode(rawValue: appMode.rawValue)!)
        let bound = try await simulator.start(port: port)
        let base = "http://127.0.0.1:\(bound)"
        print(JSONValue.object([
            ("url", .string(base)), ("api_base", .string(base + "/v1")), ("token_url", .string(base + "/api/token")),
            ("authorize_url", .string(base + "/authorize")), ("app_mode", .string(appMode.rawValue)),
            ("client_id", .string(SpotifySimulator.clientID)), ("client_secret", .string(SpotifySimulator.clientSecret)),
        ]).serialized())
        fflush(stdout)
        while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }
}

struct PagedAPISimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paged-api",
        abstract: "A small REST API that pages one collection in every style `lake ingest api` declares (next links, Link headers, offsets, page numbers, cursors, Stripe's starting_after, pages with a byte-order mark); prints one JSON line with its URL, then serves until killed.")

    @Option(help: "Port (0: any free port).") var port = 0
    @Option(help: "Records in the collection.") var count = 100
    @Option(help: "Faults: none, all, or e.g. 429=0.1,5xx=0.05,truncate.") var faults = "none"
    @Option(help: "Seed of the faults' dice.") var seed: UInt64 = 1

    func run() async throws {
        guard let config = SimulatorFaults.parse(faults) else {
            throw ValidationError("--faults: '\(faults)' is not none, all, or a list like 429=0.1,5xx,truncate")
        }
        let simulator = PagedAPISimulator(count: count, faults: config, seed: seed)
        let bound = try await simulator.start(port: port)
        print(JSONValue.object([("url", .string("http://127.0.0.1:\(bound)")), ("count", .int(count))]).serialized())
        fflush(stdout)
        while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }
}
