import Foundation
import HTTPTypes
import Hummingbird
import LakeCore
import Logging
import NIOCore
import ServiceLifecycle

/// A small REST API that pages one collection of records in every style `lake ingest api`
/// declares, for tests of declared sources over loopback:
///
/// - `GET /next/items`   `{"data": [...], "links": {"next": "…"}}`
/// - `GET /link/items`   `[...]` with `Link: <…>; rel="next"`
/// - `GET /offset/items?offset=&limit=`  `{"items": [...], "total": N}`
/// - `GET /page/items?page=&per_page=`   `{"results": [...], "meta": {"total_pages": P}}`
/// - `GET /cursor/items?cursor=`         `{"data": [...], "meta": {"next_cursor": "…"}}`
/// - `GET /stripe/items?limit=&starting_after=`  Stripe's list object:
///   `{"object": "list", "url": "/v1/items", "has_more": true, "data": [...]}`, ids `item_<n>`,
///   limit 10 by default and 400 above 100, as Stripe answers
/// - `GET /stripe-broken/items`          the same, but a page past the second says
///   `has_more: true` with no data
/// - `GET /bom/items?page=&size=[&pretty=1]`  a UTF-8 byte-order mark, then
///   `{"items": [...], "page": p, "pages": P}` (pretty-printed with `pretty=1`)
///
/// Records are `{"id": i, "name": …, "country": "SE"|"US"|…, "updated_at": "…"}`; an
/// `updated_since` parameter keeps only newer ones. With `requiredAuth`, requests without
/// it get 401.
public final class PagedAPISimulator: @unchecked Sendable {
    public enum RequiredAuth: Sendable {
        case none
        case bearer(String)
        case apiKeyHeader(name: String, value: String)
        case apiKeyQuery(name: String, value: String)
        case basic(user: String, password: String)
    }

    private let lock = NSLockLike()
    private var records: [JSONValue] = []
    private let auth: RequiredAuth
    private let faults: SimulatorFaults
    private var rng: SeededRandom
    private let server = LoopbackServer()
    public private(set) var requests = 0
    /// Requests per fault kind served (`429`, `5xx`, `truncated`).
    public private(set) var faultsServed: [String: Int] = [:]

    public init(count: Int, auth: RequiredAuth = .none, faults: SimulatorFaults = .none, seed: UInt64 = 1) {
        self.auth = auth
        self.faults = faults
        rng = SeededRandom(seed: seed, "paged-faults")
        append(count: count)
    }

    /// Adds records with later `updated_at` values.
    public func append(count: Int) {
        lock.withLock {
            let countries = ["SE", "us", "GB", "DE", "a/b"]
            let start = records.count
            for i in start..<(start + count) {
                records.append(.object([
                    ("id", .int(i)), ("name", .string("item \(i) — ünïcode")),
                    ("country", .string(countries[i % countries.count])),
                    ("updated_at", .string(String(format: "2026-01-01T00:%02d:%02dZ", (i / 60) % 60, i % 60))),
                ]))
            }
        }
    }

    public func start(port: Int = 0) async throws -> Int {
        let router = Router()
        router.get("/:style/items") { request, context in
            if let fault = self.fault() { return fault }
            if self.lock.withLock({ Double(self.rng.next() % 1_000_000) / 1_000_000 }) < self.faults.slow {
                try await Task.sleep(nanoseconds: UInt64(self.faults.slowSeconds * 1e9))
            }
            return self.respond(request, style: context.parameters.get("style") ?? "")
        }
        return try await server.start(router, port: port, label: "paged-api-simulator")
    }

    /// A 429, a 5xx or a body cut short, as the faults' odds say; nil for a good answer.
    private func fault() -> Response? {
        let dice = lock.withLock { Double(rng.next() % 1_000_000) / 1_000_000 }
        func served(_ kind: String) { lock.withLock { faultsServed[kind, default: 0] += 1 } }
        if dice < faults.rateLimit {
            served("429")
            var response = Self.json(.tooManyRequests, #"{"message":"slow down"}"#)
            response.headers[.retryAfter] = "0"
            return response
        }
        if dice < faults.rateLimit + faults.serverError {
            served("5xx")
            return Self.json(.serviceUnavailable, #"{"message":"try again"}"#)
        }
        if dice < faults.rateLimit + faults.serverError + faults.truncated {
            served("truncated")
            return Self.json(.ok, #"{"object":"list","data":[{"id":"it"#)
        }
        return nil
    }

    public func stop() async { await server.stop() }

    private func authorized(_ request: Request) -> Bool {
        let query = request.uri.queryParameters
        switch auth {
        case .none: return true
        case let .bearer(token): return request.headers[.authorization] == "Bearer \(token)"
        case let .apiKeyHeader(name, value):
            return HTTPField.Name(name).map { request.headers[$0] == value } ?? false
        case let .apiKeyQuery(name, value): return query.get(name) == value
        case let .basic(user, password):
            return request.headers[.authorization] == "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
    }

    private func respond(_ request: Request, style: String) -> Response {
        lock.withLock { requests += 1 }
        guard authorized(request) else {
            return Self.json(.unauthorized, #"{"message":"Bad credentials"}"#)
        }
        let query = request.uri.queryParameters
        var all = lock.withLock { records }
        if let since = query.get("updated_since") {
            all = all.filter { ($0["updated_at"]?.stringValue ?? "") > since }
        }
        let host = request.head.authority ?? "127.0.0.1"
        func url(_ params: String) -> String { "http://\(host)/\(style)/items?\(params)" }
        func page(_ slice: ArraySlice<JSONValue>) -> String { JSONValue.array(Array(slice)).serialized() }
        let since = query.get("updated_since").map { "&updated_since=\($0)" } ?? ""
        switch style {
        case "next":
            let offset = Int(query.get("after") ?? "0") ?? 0
            let slice = all[min(offset, all.count)..<min(all.count, offset + 7)]
            let next = offset + 7 < all.count ? "\"\(url("after=\(offset + 7)\(since)"))\"" : "null"
            return Self.json(.ok, "{\"data\":\(page(slice)),\"links\":{\"next\":\(next)}}")
        case "link":
            let pageNumber = Int(query.get("page") ?? "1") ?? 1
            let start = (pageNumber - 1) * 6
            let slice = all[min(start, all.count)..<min(all.count, start + 6)]
            var response = Self.json(.ok, page(slice))
            if start + 6 < all.count {
                response.headers[HTTPField.Name("Link")!] = "<\(url("page=\(pageNumber + 1)\(since)"))>; rel=\"next\", <\(url("page=1"))>; rel=\"first\""
            }
            return response
        case "offset":
            let offset = Int(query.get("offset") ?? "0") ?? 0
            let limit = min(Int(query.get("limit") ?? "10") ?? 10, 8)  // caps the limit, as real APIs do
            let slice = all[min(offset, all.count)..<min(all.count, offset + limit)]
            return Self.json(.ok, "{\"items\":\(page(slice)),\"total\":\(all.count)}")
        case "page":
            let pageNumber = Int(query.get("page") ?? "1") ?? 1
            let size = Int(query.get("per_page") ?? "5") ?? 5
            let start = (pageNumber - 1) * size
            let slice = all[min(max(0, start), all.count)..<min(all.count, max(0, start) + size)]
            let pages = (all.count + size - 1) / size
            return Self.json(.ok, "{\"results\":\(page(slice)),\"meta\":{\"total_pages\":\(pages)}}")
        case "cursor":
            let offset = query.get("cursor").flatMap { Data(base64Encoded: $0) }.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
            let slice = all[min(offset, all.count)..<min(all.count, offset + 9)]
            let next = offset + 9 < all.count ? "\"\(Data("\(offset + 9)".utf8).base64EncodedString())\"" : "null"
            return Self.json(.ok, "{\"data\":\(page(slice)),\"meta\":{\"next_cursor\":\(next)}}")
        case "stripe", "stripe-broken":
            let limit = Int(query.get("limit") ?? "10") ?? 10
            guard (1...100).contains(limit) else {
                return Self.json(.badRequest, #"{"error":{"type":"invalid_request_error","param":"limit","message":"Invalid limit: must be between 1 and 100"}}"#)
            }
            var start = 0
            if let after = query.get("starting_after") {
                guard let index = all.firstIndex(where: { "item_\($0["id"]?.intValue ?? -1)" == after }) else {
                    return Self.json(.badRequest, #"{"error":{"type":"invalid_request_error","param":"starting_after","message":"No such item"}}"#)
                }
                start = index + 1
            }
            if style == "stripe-broken", start >= 2 * limit {
                return Self.json(.ok, #"{"object":"list","url":"/v1/items","has_more":true,"data":[]}"#)
            }
            let slice = all[min(start, all.count)..<min(all.count, start + limit)].map { record -> JSONValue in
                guard case let .object(pairs) = record else { return record }
                return .object(pairs.map { $0.0 == "id" ? ("id", .string("item_\($0.1.intValue ?? 0)")) : $0 } + [("object", "item")])
            }
            let more = start + limit < all.count
            return Self.json(.ok, "{\"object\":\"list\",\"url\":\"/v1/items\",\"has_more\":\(more),\"data\":\(JSONValue.array(slice).serialized())}")
        case "bom":
            let size = Int(query.get("size") ?? "40") ?? 40
            let pageNumber = Int(query.get("page") ?? "0") ?? 0
            let slice = Array(all[min(pageNumber * size, all.count)..<min(all.count, (pageNumber + 1) * size)])
            let pages = (all.count + size - 1) / size
            let value = JSONValue.object([("items", .array(slice)), ("page", .int(pageNumber)), ("pages", .int(pages))])
            // Pretty-printed as .NET servers do it, with CRLF line ends.
            let text = query.get("pretty") == "1" ? value.pretty().replacingOccurrences(of: "\n", with: "\r\n") : value.serialized()
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8))))
        default:
            return Self.json(.notFound, #"{"message":"Not Found"}"#)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
