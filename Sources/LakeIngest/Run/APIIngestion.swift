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
        self.selected = Set(selected ?? declaration.resources.map(\.dataset))
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
        let scope = "ingest-\(declaration.source)"
        let lock = try FileLock.acquire(
            catalog.root.tmpPath + "/\(scope).lock",
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
            ("datasets", .array(selected.sorted().map(JSONValue.string))),
        ]).serialized()
        let (ingestion, resumed) = try catalog.openIngestion(
            source: declaration.source, params: params, fresh: options.fresh)
        let runID = try catalog.startRun(command: options.command, ingestion: ingestion.id)
        let saved = try catalog.checkpoints(ingestion: ingestion.id!)
        var states: [String: UnitState] = [:]
        for checkpoint in saved {
            states["\(checkpoint.dataset)\u{0}\(checkpoint.scope)"] = UnitState.parse(checkpoint.state)
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
            let auth = try declaration.auth.make(environment: environment, transport: transport,
                                                 policy: options.policy, redactor: redactor)
            let fetcher = PageFetcher(transport: transport, auth: auth, policy: options.policy,
                                      redactor: redactor, events: events)
            let catalog = self.catalog
            let source = declaration.source
            let walker = UnitWalker(
                declaration: declaration, fetcher: fetcher, batcher: batcher, ingestion: ingestion.id!,
                pin: OriginPin(baseURL: declaration.baseURL), stats: stats,
                startCursor: { unit in try catalog.cursor(source: source, dataset: unit.resource.dataset, scope: unit.scope) })
            let failures = try await schedule(walker: walker, states: states, stats: stats, events: events)
            try await batcher.flush()
            await transport.shutdown()
            progress.done()
            if failures.isEmpty { try catalog.completeIngestion(ingestion.id!) }
            let report = await makeReport(ingestion: ingestion.id!, resumed: resumed, complete: failures.isEmpty,
                                          batcher: batcher, stats: stats, events: events, reconciled: reconciled,
                                          failures: failures)
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

    /// Runs units with bounded concurrency; returns the failed units' messages.
    private func schedule(walker: UnitWalker, states: [String: UnitState], stats: IngestStats,
                          events: FetchEvents) async throws -> [String] {
        let walked = Set(declaration.resources.filter { r in
            selected.contains(r.dataset) || declaration.children(of: r).contains { selected.contains($0.dataset) }
        }.map(\.dataset))
        var queue: [Unit] = []
        for resource in declaration.resources where resource.parent == nil && walked.contains(resource.dataset) {
            let regions: [String?] = resource.usesRegion ? declaration.regions.map { Regions.normalize($0) } : [nil]
            for region in regions {
                queue.append(Unit(resource: resource, region: region, parentValue: nil,
                                  lands: selected.contains(resource.dataset)))
            }
        }
        stats.units(known: queue.count)
        var failures: [String] = []
        var running = 0
        let source = declaration.source
        try await withThrowingTaskGroup(of: (Unit, Result<UnitState, Error>).self) { group in
            while !queue.isEmpty || running > 0 {
                while running < options.concurrency, !queue.isEmpty {
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
                    let children = declaration.children(of: unit.resource).filter { walked.contains($0.dataset) }
                    for child in children {
                        var seen = Set<String>()
                        let values = (state.children ?? []).filter { seen.insert($0).inserted }
                        let units = values.map {
                            Unit(resource: child, region: unit.region, parentValue: $0, lands: selected.contains(child.dataset))
                        }
                        stats.units(known: units.count)
                        queue.insert(contentsOf: units, at: 0)
                    }
                case let .failure(error as IngestError):
                    switch error {
                    case .httpStatus, .gaveUp, .rateLimitedTooLong, .nextLinkLoop, .unauthorized:
                        failures.append("\(unit.resource.dataset) \(unit.scope): \(error.message)")
                    default:
                        throw error
                    }
                case let .failure(error):
                    throw error
                }
            }
        }
        return failures
    }

    private func makeReport(ingestion: Int64, resumed: Bool, complete: Bool, batcher: RawBatcher, stats: IngestStats,
                            events: FetchEvents, reconciled: ReconcileReport, failures: [String]) async -> IngestReport {
        let landed = await batcher.landed
        let rows = landed.keys.sorted().map {
            IngestReport.Row(source: declaration.source, dataset: $0.dataset, region: $0.region, counts: landed[$0]!)
        }
        let counts = events.snapshot
        return IngestReport(
            source: declaration.source, ingestion: ingestion, resumed: resumed, complete: complete, rows: rows,
            pagesFetched: stats.pages, retries: counts.retries, rateLimited: counts.rateLimited,
            tokenRenewals: counts.renewals, seconds: stats.elapsed,
            reconciled: reconciled.isEmpty ? nil : reconciled.summary, failures: failures,
            unitsTotal: stats.unitsKnown)
    }
}
