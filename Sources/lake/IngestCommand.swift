import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeIngest

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Land source data in the raw zone, as received, as gzip NDJSON.",
        subcommands: [IngestSpotifyCommand.self, IngestAPICommand.self, IngestStreamCommand.self, IngestCDCCommand.self])
}

/// Flags every API ingestion shares.
struct APIIngestOptions: ParsableArguments {
    @Option(help: "Units (a dataset in a market, a playlist…) fetched at once.") var concurrency = 8
    @Option(help: "Attempts per request on 5xx, timeouts, resets and broken bodies.") var maxAttempts = 8
    @Option(help: "Seconds one request may take.") var timeout = 30.0
    @Option(help: "Longest Retry-After (seconds) to wait for on a 429; longer stops the run, resumable.")
    var maxRetryAfter = 300.0
    @Option(help: ArgumentHelp("First backoff delay in seconds (doubles per attempt, with jitter).", visibility: .hidden))
    var backoffBase = 0.25
    @Option(help: "Lines (pages) per raw file before it is committed.") var maxFileRecords = 10_000
    @Option(help: "Uncompressed bytes per raw file before it is committed.") var maxFileBytes = 64 << 20
    @Option(help: "Seconds before buffered pages are committed anyway.") var maxFileAge = 30.0
    @Option(help: "gzip level of raw files: 1 fastest (default) … 9 smallest.") var gzipLevel: Int32 = 1
    @Option(help: ArgumentHelp("Requests per rate-limit window (default: the declaration's rate_limit).", valueName: "n"))
    var requestsPerWindow: Int?
    @Flag(help: "Start a new ingestion instead of resuming an unfinished one.") var fresh = false
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard maxFileRecords >= 1, maxFileBytes >= 1 else { throw ValidationError("file limits must be positive") }
        guard (1...9).contains(gzipLevel) else { throw ValidationError("--gzip-level must be 1 to 9") }
    }

    func options(command: String) -> IngestOptions {
        var options = IngestOptions()
        options.concurrency = concurrency
        options.policy.maxAttempts = maxAttempts
        options.policy.baseDelay = backoffBase
        options.policy.maxRetryAfter = maxRetryAfter
        options.timeoutSeconds = timeout
        options.limits.maxRecords = maxFileRecords
        options.limits.maxBytes = maxFileBytes
        options.limits.maxAge = maxFileAge
        options.limits.gzipLevel = gzipLevel
        options.fresh = fresh
        options.requestsPerWindow = requestsPerWindow
        options.command = command
        options.progress = !quiet
        Progress.shared.quiet = quiet
        return options
    }
}

func commandLine() -> String {
    CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }
        .enumerated().map { $0.offset == 0 ? "lake" : $0.element }.joined(separator: " ")
}

struct IngestSpotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotify",
        abstract: "Spotify Web API → raw/spotify/<dataset>/dt=…/region=<market>/.",
        discussion: """
            Runs the declared source shipped for the app's mode (schemas/sources/spotify-<mode>.json,
            or lake's built-in copy): the same engine as `lake ingest api`.

            --app-mode development (the default; what every new app gets since 11 Feb 2026):
              new_albums     albums of the past two weeks per market (search tag:new)
              album_tracks   every track of those albums, per market
              artists        each of their artists, once per run (ask for it)
              search_tracks  tracks matching --query per market (ask for it)
              my_playlists, playlist_items, recently_played   the user's own; need `lake auth spotify`
            --app-mode extended (apps granted Extended Quota):
              new_releases, featured_playlists, categories, playlist_tracks

            Credentials come from SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (client credentials
            flow); user datasets use the sign-in saved by `lake auth spotify`. A run that is killed
            or fails part-way is resumed by the next run: every page lands once. An endpoint Spotify
            removed for the app's mode stops its dataset after one answer, and says what to do.
            """)

    @OptionGroup var lake: LakeOptions
    @Option(help: ArgumentHelp("Markets (ISO 3166-1 alpha-2), comma-separated.", valueName: "SE,US,…"))
    var markets: String
    @Option(help: "Spotify's app mode: development (what new apps get) or extended (Extended Quota).")
    var appMode: SpotifyAppModeOption = .development
    @Option(help: ArgumentHelp("Datasets, comma-separated (default: the mode's default datasets).", valueName: "names"))
    var datasets: String?
    @Option(name: .customLong("query"), help: ArgumentHelp("A search for search_tracks, e.g. 'genre:latin year:2026' (repeatable).", valueName: "q"))
    var queries: [String] = []
    @Option(help: ArgumentHelp("A declaration to run instead of the shipped one for the mode.", valueName: "file"))
    var declaration: String?
    @Option(help: "Web API base URL (default: the declaration's, https://api.spotify.com/v1).") var apiBase: String?
    @Option(help: "Token endpoint (default: the declaration's, https://accounts.spotify.com/api/token).") var tokenUrl: String?
    @OptionGroup var ingest: APIIngestOptions

    func validate() throws {
        for market in marketList where !(market.count == 2 && market.allSatisfy { $0.isASCII && $0.isLetter }) {
            throw ValidationError("--markets takes ISO 3166-1 alpha-2 codes like SE,US; '\(market)' is not one")
        }
    }

    var marketList: [String] { markets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() } }

    func run() async throws {
        var source = try SpotifyPreset.load(mode: appMode, file: declaration).moved(apiBase: apiBase, tokenURL: tokenUrl)
        source.regions = marketList
        if !queries.isEmpty { source.queries = queries }
        let selected = datasets.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        for name in selected ?? [] where source.resource(name) == nil {
            throw ValidationError("no dataset '\(name)' in --app-mode \(appMode.rawValue); it has \(source.resources.map(\.dataset).joined(separator: ", "))")
        }
        let catalog = try lake.openCatalog()
        let report = try await APIIngestion(
            declaration: source, selected: selected, catalog: catalog, options: ingest.options(command: commandLine())
        ).run()
        IngestRendering.print(report, format: ingest.format)
        try report.throwIfFailed()
    }
}

struct IngestAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Any paginated REST API, declared in a JSON file → raw/<source>/<dataset>/.",
        discussion: "The README's \"Declaring a REST API\" documents the file.")

    @OptionGroup var lake: LakeOptions
    @Argument(help: "The source declaration (JSON).") var file: String
    @Option(help: ArgumentHelp("Only these datasets, comma-separated.", valueName: "names")) var datasets: String?
    @Option(help: ArgumentHelp("Replace the file's regions, comma-separated.", valueName: "codes")) var regions: String?
    @OptionGroup var ingest: APIIngestOptions

    func run() async throws {
        var declaration = try SourceDeclaration.load(path: file)
        if let regions { declaration.regions = regions.split(separator: ",").map(String.init) }
        let catalog = try lake.openCatalog()
        let report = try await APIIngestion(
            declaration: declaration, selected: datasets.map { $0.split(separator: ",").map(String.init) },
            catalog: catalog, options: ingest.options(command: commandLine())
        ).run()
        IngestRendering.print(report, format: ingest.format)
        try report.throwIfFailed()
    }
}

extension IngestReport {
    /// Exit 1 when units failed: what landed is committed and the next run resumes the rest.
    func throwIfFailed() throws {
        if !failures.isEmpty { throw IngestError.unitsFailed(failed: failures, total: unitsTotal) }
    }
}

enum IngestRendering {
    static func print(_ report: IngestReport, format: OutputFormat) {
        if format == .json { return Output.json(report.json) }
        var table = Table(["dataset", "region", "files", "pages", "records", "bytes", "folder"])
        for row in report.rows {
            table.add([row.dataset, row.region, "\(row.counts.files)", "\(row.counts.rows)", "\(row.counts.records)",
                       row.counts.bytes.byteSize, row.folder])
        }
        let t = report.totals
        table.add(["total", "", "\(t.files)", "\(t.rows)", "\(t.records)", t.bytes.byteSize, ""])
        Swift.print(table.render())
        var summary = "\(report.resumed ? "Resumed" : "Ran") ingestion #\(report.ingestion) of \(report.source) in "
            + String(format: "%.1f s", report.seconds) + ": \(report.pagesFetched) pages fetched"
        if report.retries + report.rateLimited + report.tokenRenewals > 0 {
            summary += " (\(report.retries) retried, \(report.rateLimited) rate-limited, \(report.tokenRenewals) token renewals)"
        }
        summary += report.complete ? "; complete." : "; incomplete — run the same command again to resume."
        Swift.print(summary)
        if let reconciled = report.reconciled { Swift.print("Reconciled: \(reconciled).") }
        for failure in report.failures { Swift.print("failed: \(failure)") }
        if !report.skipped.isEmpty {
            Swift.print("skipped \(report.skipped.count) units: " + report.skipped.prefix(3).joined(separator: "; ")
                        + (report.skipped.count > 3 ? "; …" : ""))
        }
    }
}
