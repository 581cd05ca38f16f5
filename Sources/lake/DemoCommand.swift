import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeGovernance
import LakeQuery
import LakeEventLog
import LakeIngest
import LakeSimulators
import LakeTransform

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole flow on built-in simulators: a Spotify-compatible API (Development Mode, as new apps get it) on 127.0.0.1 and a stream of listening events → raw → staged → curated → query.",
        discussion: "Uses only the lake it is pointed at (--lake, $LAKE_HOME, or ./lake); creates it if needed.")

    static let markets = ["SE", "US", "GB", "DE", "BR", "JP", "IN", "MX"]

    @OptionGroup var lake: LakeOptions
    @Option(help: ArgumentHelp("Folder of dataset contracts (default: ./schemas).", valueName: "dir")) var schemas: String?
    @Option(help: "Simulator faults: none, all, or e.g. 429=0.1,5xx=0.05,truncate,slow,token-expiry.")
    var faults = "none"
    @Option(help: "Simulator catalogue size (1 = a few thousand tracks).") var scale = 1.0
    @Option(help: "Simulator seed.") var seed: UInt64 = 42
    @Option(help: "Listening events to produce and ingest as a stream.") var events = 50_000
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        guard let faultConfig = SimulatorFaults.parse(faults) else {
            throw ValidationError("--faults: '\(faults)' is not none, all, or a list like 429=0.1,5xx,truncate")
        }
        let root = lake.root
        let progress = Progress.shared
        progress.note("lake demo: lake at \(root.path)")
        let catalog = try Catalog.create(root)
        let registered = try BuiltinSchemas.sync(catalog, folder: SchemasFolder.resolve(schemas))
        progress.note("  registered \(registered.count) contracts from \(registered.from)")
        let simulator = SpotifySimulator(seed: seed, scale: scale, faults: faultConfig, mode: .development)
        let port = try await simulator.start()
        progress.note("  Spotify simulator (Development Mode, as new apps get it) on http://127.0.0.1:\(port) (faults: \(faults))")
        defer { Task { await simulator.stop() } }

        var options = IngestOptions()
        options.command = "lake demo"
        options.policy.baseDelay = 0.05
        // The simulator's window is generous; the real API's is not (the preset paces for it).
        options.requestsPerWindow = 100_000
        var declaration = try SpotifyPreset.load(mode: .development)
            .moved(apiBase: "http://127.0.0.1:\(port)/v1", tokenURL: "http://127.0.0.1:\(port)/api/token")
        declaration.regions = Self.markets
        var environment = ProcessInfo.processInfo.environment
        environment["SPOTIFY_CLIENT_ID"] = SpotifySimulator.clientID
        environment["SPOTIFY_CLIENT_SECRET"] = SpotifySimulator.clientSecret
        progress.note("  ingesting \(declaration.defaultDatasets.joined(separator: ", ")) for \(Self.markets.joined(separator: ","))")
        let report = try await APIIngestion(
            declaration: declaration, catalog: catalog, environment: environment, options: options).run()
        await simulator.stop()

        // The second way data arrives: a stream of listening events through the embedded log.
        progress.note("  producing \(events) listening events to the embedded log topic 'listens'")
        let log = EventLog(root: root)
        if (try? log.config("listens")) == nil { try log.create("listens", config: TopicConfig(partitions: 4)) }
        let producer = try Producer(log: log, topic: "listens", keyField: "user_id")
        try ListeningEvents(seed: seed, scale: scale).generate(count: events) { chunk in
            _ = try chunk.withUnsafeBytes { try producer.sendLines($0, timestamp: Int64(Date().timeIntervalSince1970 * 1000)) }
        }
        _ = try producer.close()
        progress.note("  ingesting the stream into raw/listens/plays/")
        let committed = try catalog.streamOffsets(source: "embedded", stream: "listens", group: "lake")
        let stream = try EmbeddedLogSource(
            log: log, topic: "listens", group: "lake",
            committed: Dictionary(uniqueKeysWithValues: committed.compactMap { r in Int64(r.nextOffset).map { (r.partition, $0) } }),
            start: .committed, only: nil, lockFolder: root.tmpPath + "/consumers")
        var streamOptions = StreamOptions(dataset: "plays", source: "listens")
        streamOptions.timeField = "played_at"
        streamOptions.regionField = "region"
        streamOptions.untilIdle = true
        streamOptions.command = "lake demo"
        let streamed = try await StreamIngestion(source: stream, catalog: catalog, options: streamOptions).run()

        // ELT's T: raw → staged Parquet, for every dataset with a staged contract.
        var promotions: [PromotionReport] = []
        let withRaw = Set(try catalog.files(zone: .raw).map(\.dataset))
        var promoteOptions = PromoteOptions()
        promoteOptions.workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        promoteOptions.command = "lake demo"
        for dataset in try catalog.datasets() where dataset.zone == "staged" && withRaw.contains(dataset.name) {
            progress.note("  promoting \(dataset.name) to staged/\(dataset.name)/")
            promotions.append(try Promoter(catalog: catalog, options: promoteOptions).promote(dataset: dataset.name))
        }
        var curated: [PromotionReport] = []
        for table in try PromoteCommand.curatedInOrder(catalog) where try PromoteCommand.waitingInputs(of: table, catalog)?.isEmpty != false {
            progress.note("  materializing curated/\(table)/")
            curated.append(try CuratedPromoter(catalog: catalog, options: promoteOptions).promote(table: table))
        }
        var answer: QueryResult?
        var albums: QueryResult?
        if !curated.isEmpty {
            let engine = QueryEngine(catalog: catalog)
            answer = try BuiltinQuestions.book.match("top tracks by region").map { try engine.run($0.sql) }
            albums = try BuiltinQuestions.book.match("new albums by region").map { try engine.run($0.sql) }
        }

        if format == .json {
            var pairs: [(String, JSONValue)] = [("api", report.json), ("stream", streamed.json), ("promote", .array(promotions.map(\.json))),
                                                ("curate", .array(curated.map(\.json)))]
            for (name, result) in [("top_tracks_by_region", answer), ("new_albums_by_region", albums)] {
                guard let result else { continue }
                pairs.append((name, .array(result.rows.map { row in
                    .object(zip(result.columns, row).map { ($0.name, ResultRenderer.json($1)) })
                })))
            }
            Output.json(.object(pairs))
            return try report.throwIfFailed()
        }
        print("Landed in \(root.path)/raw/spotify/ (one line per API page, gzip NDJSON):\n")
        IngestRendering.print(report, format: .table)
        print("\nLanded in \(root.path)/raw/listens/plays/ (one line per listening event):\n")
        var table = Table(["region", "files", "events", "bytes"])
        for row in streamed.rows {
            table.add([row.region, "\(row.counts.files)", "\(row.counts.records)", row.counts.bytes.byteSize])
        }
        print(table.render())
        print("\(streamed.events - streamed.quarantined) events landed, \(streamed.quarantined) malformed ones quarantined "
              + "in \(root.path)/quarantine/plays/ with the reason.")
        if !promotions.isEmpty {
            print("\nPromoted to \(root.path)/staged/ (typed Parquet, validated against schemas/, deduplicated):\n")
            print(PromoteCommand.table(promotions))
            let quarantined = promotions.reduce(0) { $0 + $1.quarantined }
            print("\(promotions.reduce(0) { $0 + $1.totalRows }) rows staged; \(quarantined) records failed their contract and are in "
                  + "quarantine/<dataset>/ with the reason; \(promotions.reduce(0) { $0 + $1.duplicates }) duplicates removed.")
        }
        if !curated.isEmpty {
            print("\nCurated from staged by the SQL models in schemas/curated/ (Parquet, PII masked):\n")
            print(PromoteCommand.table(curated))
        }
        if let answer {
            print("\nlake query \"top tracks by region\" (the latest 7 days in the lake):\n")
            print(ResultRenderer.render(answer, format: .table), terminator: "")
        }
        if let albums {
            print("\nlake query \"new albums by region\" (albums Spotify's search found per market, and the artists with the most):\n")
            print(ResultRenderer.render(albums, format: .table), terminator: "")
        }
        if answer == nil {
            print("\n(no curated models registered — run the demo from the repository root, where schemas/ is, to see `lake query \"top tracks by region\"`)")
        }
        let governance = try GovernanceReport.check(catalog, options: GovernanceOptions())
        print(governance.findings.isEmpty ? "\nGovernance: no findings (`lake governance` checks the lake against its catalog and contracts)"
              : "\nGovernance: \(governance.findings.count) findings (\(governance.count(.error)) errors, \(governance.count(.warning)) warnings): "
                + governance.byRule.map { "\($0.rule) ×\($0.count)" }.joined(separator: ", "))
        print("""

            Next:
              lake catalog list --lake \(root.path)
              lake governance --lake \(root.path) --format html --output governance.html
              lake topics describe listens --lake \(root.path)
              duckdb -c "SELECT region, count(*) FROM read_json('\(root.path)/raw/spotify/album_tracks/**/*.ndjson.gz', hive_partitioning=true) GROUP BY ALL"
              duckdb -c "SELECT region, count(*) FROM read_json('\(root.path)/raw/listens/plays/**/*.ndjson.gz', hive_partitioning=true) GROUP BY ALL"
              duckdb -c "SELECT region, count(*) FROM read_parquet('\(root.path)/staged/plays/**/*.parquet', hive_partitioning=true) GROUP BY ALL"
              duckdb -c "ATTACH 'ducklake:sqlite:\(root.path)/catalog.sqlite' AS lake (READ_ONLY); SELECT region, count(*) FROM lake.staged.plays GROUP BY ALL"
              lake catalog snapshots --lake \(root.path)
            """)
        try report.throwIfFailed()
    }
}
