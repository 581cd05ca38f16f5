import Foundation
import LakeCatalog
import LakeCore

/// Lands a declared REST API's pages in the raw zone, resumably and exactly once.
///
/// 1. Takes the source's lock (a second run of the same source waits, saying for whom).
/// 2. Reconciles what a killed run left in `_tmp/ingest-<source>/`.
/// 3. Resumes the source's unfinished ingestion, or starts one.
/// 4. Walks every unit from its checkpoint, `concurrency` at a time; parents before their
///    children. Each commit carries the checkpoints of the pages it holds.
/// 5. Marks the ingestion complete when every unit is done.
public final class APIIngestion: @unchecked Sendable {
    let declaration: SourceDeclaration
    let selected: Set<String>
    let catalog: Catalog
    let environment: [String: String]
    let options: IngestOptions
    let progress = Progress.shared

    /// `selected` names the datasets to land (default: all); parents of selected datasets
    /// are still walked, to find their children, without landing.
    public init(declaration: SourceDeclaration, selected: [String]? = nil, catalog: Catalog,
                environment: [String: String] = ProcessInfo.processInfo.environment, options: IngestOptions) {
        self.declaration = declaration
        self.selected = Set(selected ?? declaration.defaultDatasets)
        self.catalog = catalog
        self.environment = environment
        self.options = options
    }

    public func run() async throws -> IngestReport {
        try Names.validate(declaration.source, kind: "source")
        let unknown = selected.subtracting(declaration.resources.map(\.dataset))
        if let name = unknown.sorted().first {
            throw IngestError.invalidDeclaration(
                file: declaration.source,
                problem: "no dataset '\(name)'; it declares \(declaration.resources.map(\.dataset).joined(separator: ", "))")
        }
        for resource in declaration.resources where walked.contains(resource.dataset) {
            if resource.usesRegion, declaration.regions.isEmpty {
                throw IngestError.invalidDeclaration(
                    file: declaration.source,
                    problem: "\(resource.dataset) runs once per region ({region}) but no regions are given: list them in \"regions\" or pass --regions (--markets for Spotify)")
            }
            if resource.usesQuery, declaration.queries.isEmpty {
                throw IngestError.invalidDeclaration(
                    file: declaration.source,
                    problem: "\(resource.dataset) runs once per search query ({query}) but none is given: pass --query 'genre:latin year:2026' (or list them in \"queries\")")
            }
        }
        let scope = "ingest-\(declaration.source)"
        let lock = try catalog.lock(
            scope,
            holder: "pid \(getpid()) (\(options.command)) since \(Timestamps.iso())"
        ) { holder in
            self.progress.note("waiting for the \(self.declaration.source) ingestion lock, held by \(holder)…")
        }
        defer { lock.release() }

        let reconciled = try catalog.reconcile(scope: scope)
        if !reconciled.isEmpty { progress.note("reconciled: \(reconciled.summary)") }
        for resource in declaration.resources where selected.contains(resource.dataset) {
            try catalog.ensureDataset(resource.dataset, source: declaration.source)
        }
        let params = JSONValue.object([
            ("base_url", .string(declaration.baseURL)),
            ("regions", .array(declaration.regions.map(JSONValue.string))),
            ("queries", .array(declaration.queries.map(JSONValue.string))),
            ("datasets", .array(selected.sorted().map(JSONValue.string))),
        ]).serialized()
        let (ingestion, resumed, abandoned) = try catalog.openIngestion(
            source: declaration.source, params: params, fresh: options.fresh)
        if let abandoned, !options.fresh {
            progress.note("ingestion #\(abandoned.id!) of \(declaration.source) was left unfinished with other settings (\(abandoned.params)); "
                + "it is abandoned, its committed pages stay, and this run starts anew")
        }
        let runID = try catalog.startRun(command: options.command, ingestion: ingestion.id)
        let saved = try catalog.checkpoints(ingestion: ingestion.id!)
        var states: [String: UnitState] = [:]
        for checkpoint in saved {
            let first = declaration.resource(checkpoint.dataset).flatMap { declaration.children(of: $0).first?.dataset }
            states["\(checkpoint.dataset)\u{0}\(checkpoint.scope)"] = UnitState.parse(checkpoint.state, firstChild: first)
        }
        if resumed {
            progress.note("resuming ingestion #\(ingestion.id!) of \(declaration.source) started \(ingestion.startedAt): "
                + "\(saved.filter(\.done).count) units done, \(saved.filter { !$0.done }.count) part-way")
        }

        let redactor = Redactor()
        let transport = HTTPTransport(timeoutSeconds: options.timeoutSeconds)
        let events = FetchEvents()
        let stats = IngestStats()
        let batcher = RawBatcher(catalog: catalog, source: declaration.source, scope: scope,
                                 limits: options.limits, run: runID)
        do {
            // One authenticator per distinct auth of the resources walked, so a user sign-in
            // is only asked for when a dataset that needs it runs.
            let pacer = RequestPacer(requests: options.requestsPerWindow ?? declaration.rateLimit?.requests,
                                     windowSeconds: declaration.rateLimit?.windowSeconds ?? 30)
            var fetchers: [AuthDeclaration: PageFetcher] = [:]
            for resource in declaration.resources where walked.contains(resource.dataset) {
                let auth = declaration.auth(of: resource)
                guard fetchers[auth] == nil else { continue }
                fetchers[auth] = PageFetcher(
                    transport: transport,
                    auth: try auth.make(environment: environment, transport: transport, policy: options.policy, redactor: redactor),
                    policy: options.policy, redactor: redactor, events: events, pacer: pacer)
            }
            let catalog = self.catalog
            let source = declaration.source
            let walker = UnitWalker(
                declaration: declaration, fetchers: fetchers, batcher: batcher, ingestion: ingestion.id!,
                pin: OriginPin(baseURL: declaration.baseURL), stats: stats, gates: DatasetGates(), stop: StopFlag(),
                startCursor: { unit in try catalog.cursor(source: source, dataset: unit.resource.dataset, scope: unit.scope) })
            let outcome = try await schedule(walker: walker, states: states, stats: stats, events: events)
            try await batcher.flush()
            await transport.shutdown()
            progress.done()
            let failures = outcome.failures
            if failures.isEmpty { try catalog.completeIngestion(ingestion.id!) }
            let report = await makeReport(ingestion: ingestion.id!, resumed: resumed, complete: failures.isEmpty,
                                          batcher: batcher, stats: stats, events: events, reconciled: reconciled,
                                          failures: failures, skipped: outcome.skipped)
            try catalog.finishRun(runID, outcome: failures.isEmpty ? "succeeded" : "failed", counts: report.json["totals"],
                                  error: failures.isEmpty ? nil : IngestError.unitsFailed(failed: failures, total: stats.unitsKnown).message)
            return report
        } catch {
            await batcher.abandon()
            await transport.shutdown()
            progress.done()
            try? catalog.finishRun(runID, outcome: "failed", counts: nil, error: redactor.text("\(error)"))
            throw error
        }
    }

    /// The datasets this run walks: those asked for, and the parents that lead to them.
    private var walked: Set<String> {
        var names = selected
        var grew = true
        while grew {
            grew = false
            for resource in declaration.resources where names.contains(resource.dataset) {
                if let parent = resource.parent?.resource, names.insert(parent).inserted { grew = true }
            }
        }
        return names
    }

    struct Outcome {
        var failures: [String] = []
        var skipped: [String] = []
    }

    /// Runs units with bounded concurrency, parents before their children.
    ///
    /// A unit that fails (after its retries) does not stop the others. Two answers do stop
    /// more: an endpoint the declaration says is gone stops its dataset (and its children's)
    /// for every region; a `Retry-After` beyond `--max-retry-after` stops the whole run at
    /// its last commit.
    private func schedule(walker: UnitWalker, states: [String: UnitState], stats: IngestStats,
                          events: FetchEvents) async throws -> Outcome {
        let walked = self.walked
        var queue: [Unit] = []
        for resource in declaration.resources where resource.parent == nil && walked.contains(resource.dataset) {
            let regions: [String?] = resource.usesRegion ? declaration.regions.map { Regions.normalize($0) } : [nil]
            let queries: [String?] = resource.usesQuery ? declaration.queries : [nil]
            for region in regions {
                for query in queries {
                    queue.append(Unit(resource: resource, region: region, query: query, parentValue: nil,
                                      lands: selected.contains(resource.dataset)))
                }
            }
        }
        stats.units(known: queue.count)
        var outcome = Outcome()
        var gone: Set<String> = []
        var stopping: IngestError?
        var seenOnce: [String: Set<String>] = [:]
        var running = 0
        let source = declaration.source
        func descendants(of dataset: String) -> Set<String> {
            var names: Set = [dataset]
            var grew = true
            while grew {
                grew = false
                for r in declaration.resources where r.parent.map({ names.contains($0.resource) }) == true {
                    if names.insert(r.dataset).inserted { grew = true }
                }
            }
            return names
        }
        try await withThrowingTaskGroup(of: (Unit, Result<UnitState, Error>).self) { group in
            while !queue.isEmpty || running > 0 {
                while running < options.concurrency, stopping == nil, !queue.isEmpty {
                    let unit = queue.removeFirst()
                    let state = states["\(unit.resource.dataset)\u{0}\(unit.scope)"]
                    group.addTask {
                        do { return (unit, .success(try await walker.walk(unit, from: state))) } catch {
                            return (unit, .failure(error))
                        }
                    }
                    running += 1
                }
                guard let (unit, result) = try await group.next() else { break }
                running -= 1
                stats.units(done: 1)
                if options.progress { progress.status(stats.line(source: source, events: events.snapshot)) }
                switch result {
                case let .success(state):
                    if let skipped = state.skipped { outcome.skipped.append("\(unit.resource.dataset) \(unit.scope): \(skipped)") }
                    for child in declaration.children(of: unit.resource) where walked.contains(child.dataset) && !gone.contains(child.dataset) {
                        let link = child.parent!
                        var seen = link.once ? seenOnce[child.dataset, default: []] : []
                        let values = (state.children?[child.dataset] ?? []).filter { seen.insert($0).inserted }
                        if link.once { seenOnce[child.dataset] = seen }
                        let units = values.map {
                            Unit(resource: child, region: link.once ? nil : unit.region, query: link.once ? nil : unit.query,
                                 parentValue: $0, lands: selected.contains(child.dataset))
                        }
                        stats.units(known: units.count)
                        queue.insert(contentsOf: units, at: 0)
                    }
                case let .failure(error as IngestError):
                    switch error {
                    case .endpointGone:
                        let stopped = descendants(of: unit.resource.dataset)
                        if gone.insert(unit.resource.dataset).inserted { outcome.failures.append(error.message) }
                        gone.formUnion(stopped)
                        queue.removeAll { stopped.contains($0.resource.dataset) }
                    case .rateLimitedTooLong, .quotaExceeded:
                        if stopping == nil {
                            stopping = error
                            walker.stop.stop()
                            outcome.failures.append(error.message)
                        }
                    case .stopped:
                        break
                    case .httpStatus, .gaveUp, .nextLinkLoop, .unauthorized, .paginationBroken, .signIn:
                        let line = "\(unit.resource.dataset) \(unit.scope): \(error.message)"
                        if !outcome.failures.contains(line) { outcome.failures.append(line) }
                    default:
                        throw error
                    }
                case let .failure(error):
                    throw error
                }
            }
        }
        if stopping != nil, !queue.isEmpty {
            outcome.failures.append("\(queue.count) more units not started; the next run starts them")
        }
        return outcome
    }

    private func makeReport(ingestion: Int64, resumed: Bool, complete: Bool, batcher: RawBatcher, stats: IngestStats,
                            events: FetchEvents, reconciled: ReconcileReport, failures: [String], skipped: [String]) async -> IngestReport {
        let landed = await batcher.landed
        let rows = landed.keys.sorted().map {
            IngestReport.Row(source: declaration.source, dataset: $0.dataset, region: $0.region, counts: landed[$0]!)
        }
        let counts = events.snapshot
        return IngestReport(
            source: declaration.source, ingestion: ingestion, resumed: resumed, complete: complete, rows: rows,
            pagesFetched: stats.pages, retries: counts.retries, rateLimited: counts.rateLimited,
            tokenRenewals: counts.renewals, seconds: stats.elapsed,
            reconciled: reconciled.isEmpty ? nil : reconciled.summary, failures: failures, skipped: skipped,
            unitsTotal: stats.unitsKnown)
    }
}
