import Foundation
import LakeCatalog
import LakeCore
import LakeIngest
import LakeSimulators
import LakeTestSupport
import Testing

/// `lake ingest spotify` is the declared-source engine running the presets in
/// `schemas/sources/`, over real sockets on 127.0.0.1, against the simulator in each app mode.
@Suite(.serialized) struct SpotifyIngestTests {
    static let markets = ["SE", "US", "BR"]
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func preset(_ mode: SpotifyAppMode, port: Int, markets: [String] = markets) throws -> SourceDeclaration {
        var d = try SourceDeclaration.load(path: "\(repository)/schemas/sources/spotify-\(mode.rawValue).json")
            .moved(apiBase: "http://127.0.0.1:\(port)/v1", tokenURL: "http://127.0.0.1:\(port)/api/token")
        d.regions = markets.map { $0.lowercased() }
        return d
    }

    static func environment(tokens: String? = nil) -> [String: String] {
        var env = ["SPOTIFY_CLIENT_ID": SpotifySimulator.clientID, "SPOTIFY_CLIENT_SECRET": SpotifySimulator.clientSecret]
        if let tokens { env["LAKE_TOKEN_DIR"] = tokens }
        return env
    }

    static var everyFault: SimulatorFaults {
        var faults = SimulatorFaults()
        (faults.rateLimit, faults.serverError, faults.truncated, faults.notJSON) = (0.06, 0.06, 0.06, 0.06)
        (faults.slow, faults.slowSeconds, faults.tokenExpiry, faults.tokenLifetime) = (0.06, 0.02, 0.06, 2)
        return faults
    }

    /// Signs the simulator's user in as `lake auth spotify` does, the "browser" following the redirect.
    static func signIn(port: Int, tokens: String) async throws -> UserSignIn.Outcome {
        let d = try preset(.development, port: port)
        guard case let .user(user)? = d.auths["user"] else { throw IngestError.stopped }
        let signIn = try UserSignIn(declaration: user, environment: environment(tokens: tokens))
        return try await signIn.run { url in
            Task {
                let transport = HTTPTransport(timeoutSeconds: 5)
                _ = try? await transport.send(APIRequest(url: url))
                await transport.shutdown()
            }
        }
    }

    func ingest(_ lake: TempLake, _ declaration: SourceDeclaration, datasets: [String]? = nil, tokens: String? = nil,
                options: IngestOptions = .forTests) async throws -> IngestReport {
        try await APIIngestion(declaration: declaration, selected: datasets, catalog: lake.catalog,
                               environment: Self.environment(tokens: tokens), options: options).run()
    }

    func totals(_ simulator: SpotifySimulator) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: Self.markets.map { ($0, simulator.catalogue.totals($0)) })
    }

    @Test func developmentModeLandsEveryItemOnceThroughEveryFault() async throws {
        let simulator = SpotifySimulator(seed: 7, scale: 0.5, faults: Self.everyFault, mode: .development)
        let port = try await simulator.start()
        let lake = try TempLake()
        let tokens = lake.root.path + "/../tokens-\(UUID().uuidString)"
        _ = try await Self.signIn(port: port, tokens: tokens)
        let report = try await ingest(lake, try Self.preset(.development, port: port),
                                      datasets: ["new_albums", "album_tracks", "artists", "my_playlists", "playlist_items", "recently_played"],
                                      tokens: tokens)
        let stats = simulator.stats
        let issued = simulator.issuedTokens
        let user = simulator.catalogue.userTotals
        await simulator.stop()

        #expect(report.complete && report.failures.isEmpty, "\(report.failures)")
        for fault in ["429", "5xx", "truncated", "not-json", "401", "slow"] {
            #expect((stats[fault] ?? 0) > 0, "the simulator served no \(fault)")
        }
        let pages = try lake.rawPages()
        let keys = pages.map { "\($0.dataset)|\($0.scope)|\($0.page)" }
        #expect(Set(keys).count == keys.count, "no page twice")
        func landed(_ dataset: String, at records: String?, region: String? = nil) -> [[String: Any]] {
            pages.filter { $0.dataset == dataset && (region == nil || $0.meta["region"] as? String == region) }
                .flatMap { $0.records(at: records) }
        }
        var artists = Set<String>()
        for (market, totals) in totals(simulator) {
            #expect(landed("new_albums", at: "albums.items", region: market).count == totals["new_albums"]?.intValue, "\(market)")
            #expect(landed("album_tracks", at: "items", region: market).count == totals["album_tracks"]?.intValue, "\(market)")
            let albums = landed("new_albums", at: "albums.items", region: market)
            #expect(Set(albums.map { $0["id"] as! String }).count == albums.count)
            artists.formUnion(albums.flatMap { ($0["artists"] as! [[String: Any]]).map { $0["id"] as! String } })
            // Development Mode objects carry no popularity or available_markets.
            #expect(albums.allSatisfy { $0["popularity"] == nil && $0["available_markets"] == nil })
        }
        // Each artist once per ingestion, whichever markets found it.
        let fetched = landed("artists", at: nil).map { $0["id"] as! String }
        #expect(fetched.count == artists.count && Set(fetched) == artists, "\(fetched.count) fetched, \(Set(fetched).count) distinct, \(artists.count) expected")
        #expect(landed("my_playlists", at: "items").count == user["my_playlists"]?.intValue)
        #expect(landed("playlist_items", at: "items").count == user["playlist_items"]?.intValue)
        #expect(landed("recently_played", at: "items").count == user["recently_played"]?.intValue)
        #expect(report.skipped.count == 3, "a friend's playlist (403) and two editorial ones (404): \(report.skipped)")
        #expect(landed("playlist_items", at: "items").allSatisfy { $0["item"] != nil && $0["track"] == nil })
        // No token, secret or refresh token in any file under the lake root.
        let written = try lake.everythingWritten()
        #expect(!written.contains(SpotifySimulator.clientSecret))
        for token in issued { #expect(!written.contains(token)) }
    }

    @Test func extendedModeLandsTheBrowseDatasetsOnceThroughEveryFault() async throws {
        let simulator = SpotifySimulator(seed: 9, scale: 0.5, faults: Self.everyFault, mode: .extended)
        let port = try await simulator.start()
        let lake = try TempLake()
        let report = try await ingest(lake, try Self.preset(.extended, port: port))
        let issued = simulator.issuedTokens
        await simulator.stop()
        #expect(report.complete && report.failures.isEmpty, "\(report.failures)")
        let pages = try lake.rawPages()
        let records = ["new_releases": "albums.items", "featured_playlists": "playlists.items",
                       "categories": "categories.items", "playlist_tracks": "items"]
        for (market, totals) in totals(simulator) {
            for (dataset, path) in records {
                let got = pages.filter { $0.dataset == dataset && $0.meta["region"] as? String == market }.flatMap { $0.records(at: path) }
                #expect(got.count == totals[dataset]?.intValue, "\(dataset) \(market)")
            }
        }
        let written = try lake.everythingWritten()
        for token in issued { #expect(!written.contains(token)) }
    }

    @Test func extendedModeAgainstADevelopmentModeAppCallsEachRemovedEndpointOnce() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.2, mode: .development)
        let port = try await simulator.start()
        let lake = try TempLake()
        var options = IngestOptions.forTests
        options.concurrency = 8
        let report = try await ingest(lake, try Self.preset(.extended, port: port, markets: ["SE", "US", "GB", "DE", "BR", "JP"]),
                                      options: options)
        let stats = simulator.stats
        await simulator.stop()
        #expect(!report.complete)
        for endpoint in ["new_releases", "featured_playlists", "categories"] {
            #expect(stats["endpoint:\(endpoint)"] == 1, "\(endpoint) was called \(stats["endpoint:\(endpoint)"] ?? 0) times")
        }
        #expect(report.failures.count == 3)
        #expect(report.failures.contains { $0.contains("removed GET /browse/new-releases") && $0.contains("11 Feb 2026") && $0.contains("--app-mode development") })
        #expect(report.failures.contains { $0.contains("Featured Playlists") && $0.contains("27 Nov 2024") })
        #expect(try lake.catalog.runs().last?.outcome == "failed")
    }

    @Test func searchIsNeverAskedForMoreThanTenItemsOrPastOffsetAThousand() async throws {
        // At this scale a market has more than 1000 new albums: search serves only the first 1000.
        let simulator = SpotifySimulator(seed: 11, scale: 10, mode: .development)
        let port = try await simulator.start()
        let lake = try TempLake()
        let report = try await ingest(lake, try Self.preset(.development, port: port, markets: ["SE"]), datasets: ["new_albums"])
        let stats = simulator.stats
        let totals = simulator.catalogue.totals("SE")
        await simulator.stop()
        #expect(report.complete && report.failures.isEmpty, "\(report.failures)")
        #expect(totals["new_albums_total"]!.intValue! > 1000)
        #expect(stats["search.max_limit"] == 10)
        #expect(stats["search.max_end"] == 1000)
        #expect(stats["status:400"] == nil)
        let albums = try lake.rawPages().flatMap { $0.records(at: "albums.items") }
        #expect(albums.count == 1000)
    }

    @Test func aRetryAfterBeyondTheLimitCommitsWhatLandedAndSaysWhenToResume() async throws {
        var faults = SimulatorFaults()
        faults.longRetryAfterRate = 0.15
        faults.longRetryAfter = 3600
        let simulator = SpotifySimulator(seed: 3, scale: 0.3, faults: faults, mode: .development)
        let port = try await simulator.start()
        let lake = try TempLake()
        var options = IngestOptions.forTests
        options.policy.maxRetryAfter = 300
        let report = try await ingest(lake, try Self.preset(.development, port: port), options: options)
        await simulator.stop()
        #expect(!report.complete)
        let message = try #require(report.failures.first { $0.contains("Retry-After") })
        #expect(message.contains("3600 s") && message.contains("--max-retry-after 300 s") && message.contains("run the same command again after"))
        // What landed before the long wait is committed, and the checkpoints say where to go on.
        #expect(try lake.catalog.files(zone: .raw).count == report.totals.files)
        #expect(try lake.catalog.runs().last?.outcome == "failed")
    }

    @Test func requestsArePacedUnderTheRollingWindow() async throws {
        var faults = SimulatorFaults()
        faults.windowRequests = 40
        let simulator = SpotifySimulator(seed: 3, scale: 0.1, faults: faults, mode: .development)
        let port = try await simulator.start()
        let lake = try TempLake()
        var options = IngestOptions.forTests
        options.requestsPerWindow = 60  // 30 s / 60: one request every half second
        var declaration = try Self.preset(.development, port: port, markets: ["SE"])
        declaration.resources = declaration.resources.filter { $0.dataset == "new_albums" }
        let started = Date()
        let report = try await ingest(lake, declaration, datasets: ["new_albums"], options: options)
        let stats = simulator.stats
        await simulator.stop()
        #expect(report.complete)
        #expect(stats["429-window"] == nil, "paced requests never trip the window")
        #expect(Date().timeIntervalSince(started) >= 0.5 * Double(report.pagesFetched - 1) - 0.2)
    }

    @Test func wrongCredentialsFailAtOnceNamingTheTokenEndpoint() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.1)
        let port = try await simulator.start()
        let lake = try TempLake()
        let error = await #expect(throws: IngestError.self) {
            _ = try await APIIngestion(
                declaration: try Self.preset(.development, port: port, markets: ["SE"]), catalog: lake.catalog,
                environment: ["SPOTIFY_CLIENT_ID": "who", "SPOTIFY_CLIENT_SECRET": "not-the-secret"], options: .forTests
            ).run()
        }
        await simulator.stop()
        #expect(error?.message.contains("/api/token") == true)
        #expect(error?.message.contains("invalid_client") == true)
        #expect(error?.message.contains("not-the-secret") == false)
        #expect(try lake.catalog.runs().first?.outcome == "failed")
    }

    @Test func aCompleteIngestionIsNotResumedButANewOneStarts() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.1)
        let port = try await simulator.start()
        let lake = try TempLake()
        let first = try await ingest(lake, try Self.preset(.development, port: port))
        let second = try await ingest(lake, try Self.preset(.development, port: port))
        await simulator.stop()
        #expect(!first.resumed && !second.resumed && second.ingestion == first.ingestion + 1)
        #expect(second.totals.records == first.totals.records)
        #expect(try lake.catalog.runs().map(\.outcome) == ["succeeded", "succeeded"])
    }
}

/// The user sign-in: PKCE as RFC 7636 defines it, the state checked, the token kept privately,
/// refreshed, and a revoked one refused clearly.
@Suite(.serialized) struct SpotifySignInTests {
    @Test func theChallengeIsDerivedAsRFC7636AppendixBShows() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let fresh = PKCE()
        #expect((43...128).contains(fresh.verifier.count))
        #expect(fresh.verifier.allSatisfy { $0.isLetter || $0.isNumber || "-._~".contains($0) })
    }

    @Test func aRedirectWithAnotherStateIsRefusedAndNothingIsSaved() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.1)
        let port = try await simulator.start()
        let tokens = FileManager.default.temporaryDirectory.path + "/lake-tokens-\(UUID().uuidString)"
        let d = try SpotifyIngestTests.preset(.development, port: port)
        guard case let .user(user)? = d.auths["user"] else { Issue.record("no user auth"); return }
        var signIn = try UserSignIn(declaration: user, environment: SpotifyIngestTests.environment(tokens: tokens))
        signIn.timeout = 10
        let error = await #expect(throws: IngestError.self) {
            _ = try await signIn.run { url in
                // A forged callback: right path, wrong state.
                let redirect = URLComponents(string: url)!.queryItems!.first { $0.name == "redirect_uri" }!.value!
                Task {
                    let transport = HTTPTransport(timeoutSeconds: 5)
                    _ = try? await transport.send(APIRequest(url: redirect + "?code=stolen&state=not-ours"))
                    await transport.shutdown()
                }
            }
        }
        await simulator.stop()
        #expect(error?.message.contains("state") == true)
        #expect(!FileManager.default.fileExists(atPath: tokens + "/spotify.json"))
    }

    @Test func theTokenFileIsPrivateARefreshWorksAndARevokedTokenSaysWhatToDo() async throws {
        let simulator = SpotifySimulator(seed: 5, scale: 0.1)
        let port = try await simulator.start()
        let lake = try TempLake()
        let tokens = lake.root.path + "/../tokens-\(UUID().uuidString)"
        let outcome = try await SpotifyIngestTests.signIn(port: port, tokens: tokens)
        var info = stat()
        #expect(stat(outcome.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let saved = try #require(try TokenStore(environment: ["LAKE_TOKEN_DIR": tokens]).load("spotify"))
        #expect(outcome.redirectURI.hasPrefix("http://127.0.0.1:") && outcome.redirectURI.hasSuffix("/callback"))

        let declaration = try SpotifyIngestTests.preset(.development, port: port)
        let first = try await APIIngestion(declaration: declaration, selected: ["recently_played"], catalog: lake.catalog,
                                           environment: SpotifyIngestTests.environment(tokens: tokens), options: .forTests).run()
        #expect(first.complete && first.totals.records == 50)
        // The refresh rotated the refresh token, and the new one was saved.
        let rotated = try #require(try TokenStore(environment: ["LAKE_TOKEN_DIR": tokens]).load("spotify"))
        #expect(rotated.refreshToken != saved.refreshToken)

        // Incremental: the next run asks only for plays after the newest one landed.
        simulator.catalogue.play(3)
        let second = try await APIIngestion(declaration: declaration, selected: ["recently_played"], catalog: lake.catalog,
                                            environment: SpotifyIngestTests.environment(tokens: tokens), options: .forTests).run()
        #expect(second.totals.records == 3)

        // The user revokes the app: the next run says what happened and what to do.
        let transport = HTTPTransport(timeoutSeconds: 5)
        _ = try await transport.send(APIRequest(method: "POST", url: "http://127.0.0.1:\(port)/_simulator/revoke"))
        await transport.shutdown()
        let revoked = try await APIIngestion(declaration: declaration, selected: ["recently_played"], catalog: lake.catalog,
                                             environment: SpotifyIngestTests.environment(tokens: tokens), options: .forTests).run()
        let issued = simulator.issuedTokens
        await simulator.stop()
        #expect(!revoked.complete)
        let message = try #require(revoked.failures.first)
        #expect(message.contains("revoked") && message.contains("lake auth spotify"), "\(message)")
        for token in issued { #expect(!message.contains(token)) }
        let written = try lake.everythingWritten()
        for token in issued { #expect(!written.contains(token)) }
    }
}
