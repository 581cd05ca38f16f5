import Foundation
import LakeCatalog
import LakeCore

/// Walks one unit's pages from its checkpoint to its end, handing each page's raw line(s)
/// and the unit's new state to the batcher.
struct UnitWalker: Sendable {
    let declaration: SourceDeclaration
    /// The fetcher of each resource's auth.
    let fetchers: [AuthDeclaration: PageFetcher]
    let batcher: RawBatcher
    let ingestion: Int64
    let pin: OriginPin
    let stats: IngestStats
    let gates: DatasetGates
    let stop: StopFlag
    let startCursor: @Sendable (Unit) throws -> String?

    var redactor: Redactor { fetchers.values.first!.redactor }

    func walk(_ unit: Unit, from state: UnitState?) async throws -> UnitState {
        let children = declaration.children(of: unit.resource)
        var state = state ?? UnitState(next: nil, page: 0, done: false,
                                       children: children.isEmpty ? nil : [:], cursor: nil)
        if state.done { return state }
        let resource = unit.resource
        let fetcher = fetchers[declaration.auth(of: resource)]!
        let paginator = resource.paginator.make()
        var request: APIRequest
        if let next = state.next {
            request = APIRequest(url: next, headers: declaration.headers)
        } else {
            request = paginator.firstRequest(try firstRequest(unit))
            if let incremental = resource.incremental,
               let since = try startCursor(unit) ?? incremental.initial {
                request = request.settingQuery(incremental.param, incremental.parameter(since))
            }
        }
        // An endpoint that may be gone is probed by one unit; the others wait for its answer.
        var probing = false
        if resource.canStopDataset { probing = try await gates.enter(resource.dataset) }
        defer { if probing { Task { await gates.open(resource.dataset) } } }
        while true {
            if stop.isStopped { throw IngestError.stopped }
            let fetchedAt = Date()
            let page: PageFetcher.Page
            do {
                page = try await fetcher.fetch(request)
            } catch let IngestError.httpStatus(url, status, detail) {
                if let rule = resource.onStatus[status] {
                    switch rule.action {
                    case .stopDataset:
                        let gone = IngestError.endpointGone(dataset: resource.dataset, status: status, url: url, message: rule.message)
                        await gates.close(resource.dataset, gone)
                        probing = false
                        throw gone
                    case .skip:
                        state.skipped = "HTTP \(status)\(rule.message.isEmpty ? "" : ": \(rule.message)")"
                        state.next = nil
                        state.done = true
                        try await batcher.append([], checkpoint: checkpoint(unit, state))
                        return state
                    }
                }
                if status == 400, let caps = resource.paginator.caps {
                    throw IngestError.httpStatus(url: url, status: status, detail: "\(detail) (the declaration keeps \(caps); if the API lowered a cap, lower it there)")
                }
                throw IngestError.httpStatus(url: url, status: status, detail: detail)
            }
            if probing { await gates.open(resource.dataset); probing = false }
            state.page += 1
            // Without a records path an array body holds the records and an object body is one.
            let records = resource.records.map { page.json.value(at: $0) } ?? page.json
            let items = records?.kind == .array ? records!.elements
                : (resource.records == nil && records?.kind == .object ? [records!] : [])
            for child in children {
                let field = child.parent!.field
                state.children![child.dataset, default: []] += items.flatMap { $0.values(at: field) }.compactMap(\.text)
            }
            if let incremental = resource.incremental {
                for item in items {
                    if let value = item.value(at: incremental.field)?.text {
                        state.cursor = Self.max(state.cursor, value)
                    }
                }
            }
            let view = PageView(request: request, response: page.response, json: page.json, recordCount: items.count)
            var next = try paginator.nextRequest(after: view).map(pin.pin)
            if let candidate = next, candidate.url == request.url {
                throw IngestError.nextLinkLoop(url: fetcher.redactor.url(request.url))
            }
            if next == nil, let offset = paginator as? OffsetPaginator, let total = offset.capped(after: view) {
                Progress.shared.note("\(resource.dataset) \(unit.scope): the API serves at most \(offset.maxOffset!) of its \(total) results (the declaration's max_offset); the rest cannot be paged to")
            }
            next?.headers = declaration.headers
            state.next = next.map { fetcher.redactor.url($0.url) }
            state.done = next == nil
            let lines = unit.lands
                ? lines(unit, page: page, items: items, request: request, fetchedAt: fetchedAt, state: state) : []
            try await batcher.append(lines, checkpoint: checkpoint(unit, state), cursor: cursorRecord(unit, state))
            stats.page(records: items.count, bytes: page.response.body.count, landed: unit.lands)
            guard let next else { return state }
            request = next
        }
    }

    /// The page's raw line, or one line per region when the region comes from a record field.
    private func lines(_ unit: Unit, page: PageFetcher.Page, items: [JSONNode], request: APIRequest,
                       fetchedAt: Date, state: UnitState) -> [RawBatcher.Line] {
        let dt = Timestamps.day(fetchedAt)
        func meta(region: String?, records: Int, split: Bool) -> JSONValue {
            var pairs: [(String, JSONValue)] = [
                ("source", .string(declaration.source)),
                ("dataset", .string(unit.resource.dataset)),
                ("request_url", .string(redactor.url(request.url))),
                ("http_status", .int(page.response.status)),
                ("page", .int(state.page)),
                ("fetched_at", .string(Timestamps.iso(fetchedAt))),
                ("region", region.json),
                ("records", .int(records)),
                ("scope", .string(unit.scope)),
                ("ingestion", .int(Int(ingestion))),
            ]
            if let query = unit.query { pairs.append(("query", .string(query))) }
            if let parent = unit.parentValue { pairs.append(("parent", .string(parent))) }
            if split { pairs.append(("split_by_region", .bool(true))) }
            return .object(pairs)
        }
        guard let regionField = unit.resource.regionField else {
            let line = PageLine.make(meta: meta(region: unit.region, records: items.count, split: false),
                                     body: page.response.body, redactor: redactor)
            return [RawBatcher.Line(dataset: unit.resource.dataset, partitions: .dtRegion(dt: dt, region: unit.region),
                                    bytes: line, records: items.count)]
        }
        // Region from a record field: one line per region, each holding that region's records.
        var groups: [String?: [JSONNode]] = [:]
        var order: [String?] = []
        for item in items {
            let region = item.value(at: regionField)?.string.map(Regions.normalize)
            if groups[region] == nil { order.append(region) }
            groups[region, default: []].append(item)
        }
        if items.isEmpty { order = [nil]; groups[nil] = [] }
        return order.map { region in
            let subset = groups[region] ?? []
            let body = Self.replacing(records: unit.resource.records, in: page.json, with: subset)
            let line = PageLine.make(meta: meta(region: region, records: subset.count, split: true),
                                     body: body, redactor: redactor)
            return RawBatcher.Line(dataset: unit.resource.dataset, partitions: .dtRegion(dt: dt, region: region),
                                   bytes: line, records: subset.count)
        }
    }

    private func firstRequest(_ unit: Unit) throws -> APIRequest {
        func fill(_ text: String, encode: Bool) -> String {
            var out = text
            if let region = unit.region { out = out.replacingOccurrences(of: "{region}", with: region) }
            if let query = unit.query { out = out.replacingOccurrences(of: "{query}", with: query) }
            if let parent = unit.parentValue {
                let value = encode ? (parent.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed
                    .subtracting(CharacterSet(charactersIn: "/"))) ?? parent) : parent
                out = out.replacingOccurrences(of: "{parent}", with: value)
            }
            return out
        }
        var base = declaration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        var path = fill(unit.resource.path, encode: true)
        while path.hasPrefix("/") { path.removeFirst() }
        var request = APIRequest(url: base + "/" + path, headers: declaration.headers)
        guard URL(string: request.url) != nil else { throw IngestError.invalidURL(request.url) }
        for (name, value) in unit.resource.params {
            request = request.settingQuery(name, fill(value, encode: false))
        }
        return request
    }

    private func checkpoint(_ unit: Unit, _ state: UnitState) -> CheckpointRecord {
        CheckpointRecord(ingestionId: ingestion, dataset: unit.resource.dataset, scope: unit.scope,
                         state: state.json(), done: state.done, updatedAt: Timestamps.iso())
    }

    private func cursorRecord(_ unit: Unit, _ state: UnitState) -> CursorRecord? {
        guard unit.lands, unit.resource.incremental != nil, let value = state.cursor else { return nil }
        return CursorRecord(source: declaration.source, dataset: unit.resource.dataset, scope: unit.scope,
                            value: value, updatedAt: Timestamps.iso())
    }

    /// The larger of two cursor values: numerically when both are numbers, else as text
    /// (ISO 8601 times order correctly as text).
    static func max(_ a: String?, _ b: String) -> String {
        guard let a else { return b }
        if let x = Double(a), let y = Double(b) { return y > x ? b : a }
        return b > a ? b : a
    }

    /// The page's bytes with its records array holding only `items`, each copied as received.
    static func replacing(records path: JSONPath?, in json: JSONNode, with items: [JSONNode]) -> [UInt8] {
        var array: [UInt8] = [UInt8(ascii: "[")]
        for (i, item) in items.enumerated() {
            if i > 0 { array.append(UInt8(ascii: ",")) }
            array += item.raw
        }
        array.append(UInt8(ascii: "]"))
        guard let path, let records = json.value(at: path) else { return array }
        let range = records.range
        return Array(json.tape.bytes[..<range.lowerBound]) + array + Array(json.tape.bytes[range.upperBound...])
    }
}

extension SourceDeclaration {
    func children(of resource: ResourceDeclaration) -> [ResourceDeclaration] {
        resources.filter { $0.parent?.resource == resource.dataset }
    }
}

/// Lets one unit of a dataset whose endpoint may be gone ask first: the others wait for its
/// first answer, so a removed endpoint is called once per run, not once per market.
actor DatasetGates {
    private enum State { case probing([CheckedContinuation<Void, Never>]), open, gone(IngestError) }
    private var states: [String: State] = [:]

    /// Returns true when the caller is the probe; waits while another unit probes; throws
    /// the probe's error when the endpoint turned out to be gone.
    func enter(_ dataset: String) async throws -> Bool {
        while true {
            switch states[dataset] {
            case nil:
                states[dataset] = .probing([])
                return true
            case .open:
                return false
            case let .gone(error):
                throw error
            case .probing:
                await withCheckedContinuation { continuation in
                    if case var .probing(waiters) = states[dataset] {
                        waiters.append(continuation)
                        states[dataset] = .probing(waiters)
                    } else {
                        continuation.resume()
                    }
                }
            }
        }
    }

    func open(_ dataset: String) { settle(dataset, .open) }

    func close(_ dataset: String, _ error: IngestError) { settle(dataset, .gone(error)) }

    private func settle(_ dataset: String, _ state: State) {
        guard case let .probing(waiters)? = states[dataset] else { return }
        states[dataset] = state
        for waiter in waiters { waiter.resume() }
    }
}

/// Region values as partitions hold them: ISO 3166-1 alpha-2 codes in upper case.
public enum Regions {
    public static func normalize(_ value: String) -> String {
        // The common case, already two upper-case ASCII letters, without Foundation.
        var utf8 = value.utf8.makeIterator()
        if value.utf8.count == 2, let a = utf8.next(), let b = utf8.next(), (65...90).contains(a), (65...90).contains(b) {
            return value
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.count == 2, trimmed.allSatisfy({ $0.isASCII && $0.isLetter }) { return trimmed.uppercased() }
        return trimmed
    }
}
