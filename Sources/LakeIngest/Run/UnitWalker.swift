import Foundation
import LakeCatalog
import LakeCore

/// Walks one unit's pages from its checkpoint to its end, handing each page's raw line(s)
/// and the unit's new state to the batcher.
struct UnitWalker: Sendable {
    let declaration: SourceDeclaration
    let fetcher: PageFetcher
    let batcher: RawBatcher
    let ingestion: Int64
    let pin: OriginPin
    let stats: IngestStats
    let startCursor: @Sendable (Unit) throws -> String?

    func walk(_ unit: Unit, from state: UnitState?) async throws -> UnitState {
        var state = state ?? UnitState(next: nil, page: 0, done: false,
                                       children: unit.resource.isParent(in: declaration) ? [] : nil, cursor: nil)
        if state.done { return state }
        let paginator = unit.resource.paginator.make()
        var request: APIRequest
        if let next = state.next {
            request = APIRequest(url: next, headers: declaration.headers)
        } else {
            request = paginator.firstRequest(try firstRequest(unit))
            if let incremental = unit.resource.incremental,
               let since = try startCursor(unit) ?? incremental.initial {
                request = request.settingQuery(incremental.param, since)
            }
        }
        while true {
            let fetchedAt = Date()
            let page = try await fetcher.fetch(request)
            state.page += 1
            let records = unit.resource.records.map { page.json.value(at: $0) } ?? page.json
            let items = records?.kind == .array ? records!.elements : []
            if let parent = declaration.childOf(unit.resource) {
                state.children! += items.compactMap { $0.value(at: parent.field)?.text }
            }
            if let incremental = unit.resource.incremental {
                for item in items {
                    if let value = item.value(at: incremental.field)?.text {
                        state.cursor = Self.max(state.cursor, value)
                    }
                }
            }
            let view = PageView(request: request, response: page.response, json: page.json, recordCount: items.count)
            var next = paginator.nextRequest(after: view).map(pin.pin)
            if let candidate = next, candidate.url == request.url {
                throw IngestError.nextLinkLoop(url: fetcher.redactor.url(request.url))
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
                ("request_url", .string(fetcher.redactor.url(request.url))),
                ("http_status", .int(page.response.status)),
                ("page", .int(state.page)),
                ("fetched_at", .string(Timestamps.iso(fetchedAt))),
                ("region", region.json),
                ("records", .int(records)),
                ("scope", .string(unit.scope)),
                ("ingestion", .int(Int(ingestion))),
            ]
            if let parent = unit.parentValue { pairs.append(("parent", .string(parent))) }
            if split { pairs.append(("split_by_region", .bool(true))) }
            return .object(pairs)
        }
        guard let regionField = unit.resource.regionField else {
            let line = PageLine.make(meta: meta(region: unit.region, records: items.count, split: false),
                                     body: page.response.body, redactor: fetcher.redactor)
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
                                     body: body, redactor: fetcher.redactor)
            return RawBatcher.Line(dataset: unit.resource.dataset, partitions: .dtRegion(dt: dt, region: region),
                                   bytes: line, records: subset.count)
        }
    }

    private func firstRequest(_ unit: Unit) throws -> APIRequest {
        func fill(_ text: String, encode: Bool) -> String {
            var out = text
            if let region = unit.region { out = out.replacingOccurrences(of: "{region}", with: region) }
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

extension ResourceDeclaration {
    func isParent(in declaration: SourceDeclaration) -> Bool {
        declaration.resources.contains { $0.parent?.resource == dataset }
    }
}

extension SourceDeclaration {
    /// The parent link of the resource whose parent is `resource`, if any.
    func childOf(_ resource: ResourceDeclaration) -> (resource: String, field: JSONPath)? {
        resources.first { $0.parent?.resource == resource.dataset }?.parent
    }

    func children(of resource: ResourceDeclaration) -> [ResourceDeclaration] {
        resources.filter { $0.parent?.resource == resource.dataset }
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
