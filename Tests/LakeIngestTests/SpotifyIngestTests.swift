import Foundation
import LakeCatalog
import LakeCore
import LakeIngest
import LakeSimulators
import LakeTestSupport
import Testing

/// Over real sockets on 127.0.0.1, against the Spotify simulator with every fault on.
@Suite(.serialized) struct SpotifyIngestTests {
    static let markets = ["SE", "US", "BR"]
    static let records = ["new_releases": "albums.items", "featured_playlists": "playlists.items",
                          "categories": "categories.items", "playlist_tracks": "items"]

    func ingest(_ lake: TempLake, simulator: SpotifySimulator, port: Int, options: IngestOptions = .forTests)
        async throws -> IngestReport {
        let declaration = SpotifySource.declaration(
            markets: Self.markets.map { $0.lowercased() }, apiBase: "http://127.0.0.1:\(port)/v1",
            tokenURL: "http://127.0.0.1:\(port)/api/token")
        return try await APIIngestion(
            declaration: declaration, catalog: lake.catalog,
            environment: ["SPOTIFY_CLIENT_ID": SpotifySimulator.clientID,
                          "SPOTIFY_CLIENT_SECRET": SpotifySimulator.clientSecret],
            options: options
        ).run()
    }

    @Test func everyItemLandsExactlyOnceThroughEveryFault() async throws {
        var faults = SimulatorFaults()
        (faults.rateLimit, faults.serverError, faults.truncated, faults.notJSON) = (0.08, 0.08, 0.08, 0.08)
        (faults.slow, faults.slowSeconds, faults.tokenExpiry, faults.tokenLifetime) = (0.08, 0.02, 0.08, 2)
        let simulator = SpotifySimulator(seed: 7, scale: 1, faults: faults)
        let port = try await simulator.start()
        let lake = try TempLake()
        let report = try await ingest(lake, simulator: simulator, port: port)
        let stats = simulator.stats
        await simulator.stop()

        #expect(report.complete && report.failures.isEmpty, "\(report.failures)")
        #expect(report.retries > 0 && report.rateLimited > 0 && report.tokenRenewals > 0)
        for fault in ["429", "5xx", "truncated", "not-json", "401", "slow"] {
            #expect((stats[fault] ?? 0) > 0, "the simulator served no \(fault)")
        }

        let pages = try lake.rawPages()
        // No page twice: (dataset, scope, page number) is unique.
        let keys = pages.map { "\($0.dataset)|\($0.scope)|\($0.page)" }
        #expect(Set(keys).count == keys.count)
        for market in Self.markets {
            let totals = simulator.catalogue.totals(market)
            for dataset in ["new_releases", "featured_playlists", "categories", "playlist_tracks"] {
                let landed = pages.filter { $0.dataset == dataset && $0.meta["region"] as? String == market }
                    .flatMap { $0.records(at: Self.records[dataset]) }
                #expect(landed.count == totals[dataset]?.intValue, "\(dataset) \(market)")
            }
            // Per playlist, every track position exactly once.
            for case let (playlist, .int(count)) in totals["playlists"].flatMap({ if case let .object(p) = $0 { p } else { nil } }) ?? [] {
                let landed = pages.filter { $0.dataset == "playlist_tracks" && $0.scope == "\(market)/\(playlist)" }
                #expect(landed.flatMap { $0.records(at: "items") }.count == count)
            }
        }
        // Partitions are Hive folders with the market as region.
        #expect(pages.allSatisfy { $0.path.contains("/region=\($0.meta["region"] as! String)/") && $0.path.contains("/dt=") })
        // The catalog knows every file with its true size, checksum and row count.
        let files = try lake.catalog.files(zone: .raw)
        #expect(Set(files.map(\.path)) == Set(lake.files(under: "raw")))
        for file in files {
            #expect(FileSystem.size(lake.root.absolute(file.path)) == file.bytes)
            #expect(try Checksum.sha256(file: lake.root.absolute(file.path)) == file.sha256)
            #expect(try GzipReader.lines(path: lake.root.absolute(file.path)).count == file.rows)
        }
        #expect(lake.files(under: "_tmp/ingest-spotify").isEmpty)
    }

    @Test func noSecretIsWrittenAnywhereUnderTheLakeRoot() async throws {
        let simulator = SpotifySimulator(seed: 3, scale: 0.2, faults: .all)
        let port = try await simulator.start()
        let lake = try TempLake()
        _ = try await ingest(lake, simulator: simulator, port: port)
        let tokens = simulator.issuedTokens
        await simulator.stop()
        let written = try lake.everythingWritten()
        #expect(!tokens.isEmpty)
        #expect(!written.contains(SpotifySimulator.clientSecret))
        #expect(!written.contains(Data("\(SpotifySimulator.clientID):\(SpotifySimulator.clientSecret)".utf8).base64EncodedString()))
        for token in tokens { #expect(!written.contains(token)) }
    }

    @Test func aCompleteIngestionIsNotResumedButANewOneStarts() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.1)
        let port = try await simulator.start()
        let lake = try TempLake()
        let first = try await ingest(lake, simulator: simulator, port: port)
        let second = try await ingest(lake, simulator: simulator, port: port)
        await simulator.stop()
        #expect(!first.resumed && !second.resumed && second.ingestion == first.ingestion + 1)
        #expect(second.totals.records == first.totals.records)
        #expect(try lake.catalog.runs().map(\.outcome) == ["succeeded", "succeeded"])
    }

    @Test func wrongCredentialsFailAtOnceNamingTheTokenEndpoint() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.1)
        let port = try await simulator.start()
        let lake = try TempLake()
        let declaration = SpotifySource.declaration(
            markets: ["SE"], apiBase: "http://127.0.0.1:\(port)/v1", tokenURL: "http://127.0.0.1:\(port)/api/token")
        let error = await #expect(throws: IngestError.self) {
            _ = try await APIIngestion(
                declaration: declaration, catalog: lake.catalog,
                environment: ["SPOTIFY_CLIENT_ID": "who", "SPOTIFY_CLIENT_SECRET": "not-the-secret"],
                options: .forTests
            ).run()
        }
        await simulator.stop()
        #expect(error?.message.contains("/api/token") == true)
        #expect(error?.message.contains("invalid_client") == true)
        #expect(error?.message.contains("not-the-secret") == false)
        #expect(try lake.catalog.runs().first?.outcome == "failed")
    }
}
