import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeTransform

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "raw → staged (typed, validated, deduplicated Parquet) → curated (SQL models), each published as a new version.",
        discussion: """
            Reads only raw files not promoted yet (all of them with --full-refresh). \
            Records that fail the contract go to quarantine/<dataset>/ with the reason; \
            duplicates by the contract's primary key are removed across the dataset (latest arrival wins). \
            staged/<dataset> is a link to the current version under _versions/; `lake vacuum` removes old versions. \
            Curated tables are SQL models (schemas/curated/<table>.sql beside <table>.json); they are rebuilt \
            when their inputs have new versions, only for the changed days when the model is incremental_by dt. \
            A table captured by `lake ingest cdc` is promoted into its current state: its changes applied in \
            commit order (upsert by key, deletes, truncates), with `--history` also into <table>_history.
            """)

    @OptionGroup var lake: LakeOptions
    @Argument(help: "Datasets to promote.") var datasets: [String] = []
    @Flag(help: "Every staged dataset that has raw files, then every curated model.") var all = false
    @Flag(help: "Rebuild from all raw files instead of only new ones.") var fullRefresh = false
    @Option(help: "Raw files read in parallel (default: the number of cores).") var workers: Int?
    @Flag(help: "Captured tables (lake ingest cdc) also keep <table>_history: every version of each row (SCD type 2).") var history = false
    @Option(help: "Primary keys deduplicated in memory (24 bytes each); past this many the key index spills to the lake's _tmp/ and is deduplicated one hash partition at a time.")
    var keysInMemory = PromoteOptions().keysInMemory
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table
    @Flag(help: "No progress lines on stderr.") var quiet = false

    func validate() throws {
        if datasets.isEmpty && !all { throw ValidationError("name a dataset (`lake promote plays`) or pass --all") }
        if !datasets.isEmpty && all { throw ValidationError("name datasets or pass --all, not both") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if keysInMemory < 1 { throw ValidationError("--keys-in-memory must be at least 1") }
    }

    func run() async throws {
        let catalog = try lake.openCatalog()
        Progress.shared.quiet = quiet
        var names = datasets
        if all {
            let withRaw = Set(try catalog.files(zone: .raw).map(\.dataset))
            names = try catalog.datasets().filter { $0.zone == "staged" && withRaw.contains($0.name) }.map(\.name)
            names += try Self.curatedInOrder(catalog)
        }
        var options = PromoteOptions()
        options.fullRefresh = fullRefresh
        options.history = history
        options.workers = workers ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        options.keysInMemory = keysInMemory
        options.command = "lake promote " + (all ? "--all" : datasets.joined(separator: " "))
        let run = try catalog.startRun(command: options.command)
        var reports: [PromotionReport] = []
        var failures: [String] = []
        for name in names {
            do {
                if (try? catalog.dataset(named: name).zone) == "curated" {
                    if all, let missing = try Self.waitingInputs(of: name, catalog), !missing.isEmpty {
                        Progress.shared.note("curated \(name) waits for \(missing.joined(separator: ", ")), which has no data yet; skipped")
                        continue
                    }
                    reports.append(try CuratedPromoter(catalog: catalog, options: options).promote(table: name, run: run))
                } else {
                    reports += try Promoter(catalog: catalog, options: options).promotions(dataset: name, run: run)
                }
            } catch {
                failures.append("\(name): \(error)")
                Progress.shared.note("promote \(name) failed: \(error)")
            }
        }
        try catalog.finishRun(run, outcome: failures.isEmpty ? "succeeded" : "failed",
                              counts: .array(reports.map(\.json)), error: failures.first)
        if format == .json {
            Output.json(.object([("promotions", .array(reports.map(\.json))), ("failures", .array(failures.map(JSONValue.string)))]))
        } else {
            print(Self.table(reports))
            for r in reports {
                for note in r.notes { print("  \(r.dataset): \(note)") }
                for s in r.skipped { print("  \(r.dataset): skipped \(s.path): \(s.reason)") }
                if !r.drift.isEmpty {
                    print("  \(r.dataset): schema drift kept in _extra: " + r.drift.map { "\($0.field) (\($0.type)) ×\($0.count)" }.joined(separator: ", "))
                }
            }
        }
        if let first = failures.first {
            throw LakeCommandError.failed("promotion failed for \(failures.count) dataset(s); first: \(first)")
        }
    }

    /// Curated models, each after the curated tables it reads.
    static func curatedInOrder(_ catalog: Catalog) throws -> [String] {
        let models = try catalog.datasets().filter { $0.zone == "curated" && $0.currentSchemaVersion != nil }.map(\.name)
        var reads: [String: [String]] = [:]
        for m in models {
            let contract = try catalog.contract(of: m)
            reads[m] = try CuratedPromoter.inputs(of: contract, catalog: catalog).filter { $0.zone == .curated }.map(\.dataset)
        }
        var ordered: [String] = []
        func visit(_ m: String, _ path: Set<String>) {
            guard !ordered.contains(m), !path.contains(m) else { return }
            for d in reads[m] ?? [] where models.contains(d) { visit(d, path.union([m])) }
            ordered.append(m)
        }
        for m in models.sorted() { visit(m, []) }
        return ordered.filter { (try? catalog.contract(of: $0).modelSQL) != nil }
    }

    /// The staged inputs of a curated model that the catalog knows but that have no version
    /// yet: a Spotify lake in one app mode has none of the other mode's datasets, so `--all`
    /// skips the models that read those. Inputs the catalog does not know are left for the
    /// promotion to name (a typo in the model).
    static func waitingInputs(of model: String, _ catalog: Catalog) throws -> [String]? {
        let inputs = try CuratedPromoter.inputs(of: catalog.contract(of: model), catalog: catalog)
        return inputs.filter { input in
            input.zone == .staged && (try? catalog.dataset(named: input.dataset)) != nil
                && ((try? catalog.currentVersion(of: input.dataset, zone: .staged)) ?? nil) == nil
        }.map { "staged.\($0.dataset)" }
    }

    static func table(_ reports: [PromotionReport]) -> String {
        var table = Table(["dataset", "version", "raw files", "records", "staged", "quarantined", "duplicates", "rows now", "files", "seconds"])
        for r in reports {
            table.add([r.dataset, r.version.map { "v\($0)" } ?? "-", r.nothingNew ? "nothing new" : "\(r.rawFiles)",
                       "\(r.records)", "\(r.staged)", "\(r.quarantined)", "\(r.duplicates)", "\(r.totalRows)",
                       "\(r.filesWritten) new, \(r.filesKept) kept", String(format: "%.2f", r.seconds)])
        }
        return table.render()
    }
}

struct VacuumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vacuum",
        abstract: "Remove versions of staged and curated datasets retired longer ago than the retention window, and expire the DuckLake snapshots taken before it.")

    @OptionGroup var lake: LakeOptions
    @Option(help: "Keep retired versions this many hours (default: 168, a week).") var retainHours: Double = 168
    @Flag(help: "List what would be removed; remove nothing.") var dryRun = false
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let result = try Vacuum(catalog: catalog).run(retainHours: retainHours, dryRun: dryRun)
        let removed = result.versions, expired = result.snapshots
        if format == .json {
            return Output.json(.object([("dry_run", .bool(dryRun)), ("versions", .array(removed.map {
                .object([("dataset", .string($0.dataset)), ("zone", .string($0.zone)), ("version", .int($0.version)),
                         ("folder", .string($0.folder)), ("retired_at", .string($0.retiredAt))])
            })), ("expired_snapshots", .array(expired.snapshots.map { .int(Int($0)) })),
                ("forgotten_data_files", .int(expired.dataFiles)), ("deleted_files", .array(expired.orphans.map(JSONValue.string)))]))
        }
        let verb = dryRun ? "would expire" : "expired"
        let snapshots = expired.snapshots.isEmpty ? "" :
            "DuckLake: \(verb) \(expired.snapshots.count) snapshot\(expired.snapshots.count == 1 ? "" : "s") (\(expired.snapshots.first!)–\(expired.snapshots.last!)) and \(expired.dataFiles) ended file entr\(expired.dataFiles == 1 ? "y" : "ies")"
            + (expired.orphans.isEmpty ? "" : "; \(expired.orphans.count) file\(expired.orphans.count == 1 ? "" : "s") other writers left")
        if removed.isEmpty {
            print("No retired versions older than \(retainHours) hours.")
            if !snapshots.isEmpty { print(snapshots) }
            return
        }
        var table = Table(["dataset", "zone", "version", "retired at", "folder"])
        for r in removed { table.add([r.dataset, r.zone, "v\(r.version)", r.retiredAt, r.folder]) }
        print((dryRun ? "Would remove:\n" : "Removed:\n") + table.render())
        if !snapshots.isEmpty { print(snapshots) }
    }
}

/// A command that did part of its work and failed on the rest.
enum LakeCommandError: LakeError {
    case failed(String)
    var stage: String { "Promote" }
    var message: String {
        switch self { case let .failed(m): m }
    }
}
