import Foundation
import Hummingbird
import LakeCore
import Logging
import NIOCore
import ServiceLifecycle

/// A Spotify Web API look-alike on 127.0.0.1 for the demo and the tests: the client
/// credentials token endpoint (`POST /api/token`) and, under `/v1`, new releases, featured
/// playlists, categories and playlist tracks as Spotify's paging objects, with Spotify's
/// error bodies and limits. Faults are switched on by `SimulatorFaults`.
///
/// `GET /_simulator/totals?markets=SE,US` says how many items each endpoint serves, so
/// tests can check that everything landed exactly once.
public final class SpotifySimulator: @unchecked Sendable {
    public static let clientID = "lake-demo-client"
    public static let clientSecret = "lake-demo-secret-5f2b9c"

    /// Every access token issued so far, so tests can prove none was written anywhere.
    public var issuedTokens: [String] { state.withLock { Array(tokensEverIssued) } }
    private var tokensEverIssued: [String] = []

    public let catalogue: SpotifyCatalogue
    public let faults: SimulatorFaults
    private let state = NSLockLike()
    private var rng: SeededRandom
    private var tokens: [String: Date] = [:]
    private var counters: [String: Int] = [:]
    private let server = LoopbackServer()

    public init(seed: UInt64 = 42, scale: Double = 1, faults: SimulatorFaults = .none) {
        catalogue = SpotifyCatalogue(seed: seed, scale: scale)
        self.faults = faults
        rng = SeededRandom(seed: seed, "faults")
    }

    /// Starts listening on `port` (0: any free port) and returns the port.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await server.start(router(), host: host, port: port, label: "spotify-simulator")
    }

    public func stop() async { await server.stop() }

    /// Requests served per kind (`api`, `token`, `429`, `5xx`, …).
    public var stats: [String: Int] { state.withLock { counters } }

    func count(_ key: String) { state.withLock { counters[key, default: 0] += 1 } }

    func roll() -> Double { state.withLock { Double(rng.next() % 1_000_000) / 1_000_000 } }

    // MARK: routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/token") { request, _ in try await self.token(request) }
        router.get("/v1/browse/new-releases") { request, _ in
            try await self.api(request) { market in
                ("albums", self.catalogue.market(market).newReleases, 50)
            }
        }
        router.get("/v1/browse/featured-playlists") { request, _ in
            try await self.api(request, message: "Popular Playlists") { market in
                ("playlists", self.catalogue.market(market).featured.map(\.json), 50)
            }
        }
        router.get("/v1/browse/categories") { request, _ in
            try await self.api(request) { market in
                ("categories", self.catalogue.market(market).categories, 50)
            }
        }
        router.get("/v1/playlists/:id/tracks") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.api(request, marketParam: "market") { market in
                guard let items = self.catalogue.market(market).playlistTracks[id] else { return nil }
                return (nil, items, 100)
            }
        }
        router.get("/_simulator/totals") { request, _ in
            let markets = (request.uri.queryParameters.get("markets") ?? "").split(separator: ",").map(String.init)
            let body = JSONValue.object(markets.map { ($0, self.catalogue.totals($0)) }).serialized()
            return Self.json(.ok, body)
        }
        router.get("/_simulator/stats") { _, _ in
            Self.json(.ok, JSONValue.object(self.stats.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }).serialized())
        }
        return router
    }

    private func token(_ request: Request) async throws -> Response {
        count("token")
        let body = try await request.body.collect(upTo: 64 << 10)
        let form = String(buffer: body)
        let expected = "Basic " + Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
        // Like Spotify, credentials may come as HTTP basic auth or in the form body.
        let fields = Dictionary(form.split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }, uniquingKeysWith: { a, _ in a })
        let inBody = fields["client_id"] == Self.clientID && fields["client_secret"] == Self.clientSecret
        guard request.headers[.authorization] == expected || inBody else {
            return Self.json(.badRequest, #"{"error":"invalid_client","error_description":"Invalid client"}"#)
        }
        guard fields["grant_type"] == "client_credentials" else {
            return Self.json(.badRequest, #"{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}"#)
        }
        if roll() < faults.serverError / 2 {
            count("5xx")
            return Self.json(.serviceUnavailable, #"{"error":"server_error"}"#)
        }
        var generator = SystemRandomNumberGenerator()
        let token = "BQ" + (0..<40).map { _ in String(Int.random(in: 0...35, using: &generator), radix: 36) }.joined()
        state.withLock {
            tokens[token] = Date().addingTimeInterval(Double(faults.tokenLifetime))
            tokensEverIssued.append(token)
        }
        return Self.json(.ok, #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":\#(faults.tokenLifetime)}"#)
    }

    /// Serves one page of a paging object, after authentication, validation and faults.
    private func api(
        _ request: Request, marketParam: String = "country", message: String? = nil,
        items: @escaping (String) -> (wrapper: String?, items: [String], maxLimit: Int)?
    ) async throws -> Response {
        count("api")
        let auth = request.headers[.authorization] ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        let expiry = state.withLock { tokens[token] }
        guard let expiry else {
            count("401")
            return Self.error(.unauthorized, token.isEmpty ? "No token provided" : "Invalid access token")
        }
        if expiry < Date() || roll() < faults.tokenExpiry {
            state.withLock { _ = tokens.removeValue(forKey: token) }
            count("401")
            return Self.error(.unauthorized, "The access token expired")
        }
        let query = request.uri.queryParameters
        let market = (query.get(marketParam) ?? "US").uppercased()
        guard market.count == 2 else { return Self.error(.badRequest, "Invalid market code") }
        guard let (wrapper, all, maxLimit) = items(market) else {
            return Self.error(.notFound, "Resource not found")
        }
        let limit = query.get("limit").flatMap { Int($0) } ?? 20
        let offset = query.get("offset").flatMap { Int($0) } ?? 0
        guard (1...maxLimit).contains(limit) else { return Self.error(.badRequest, "Invalid limit") }
        guard offset >= 0 else { return Self.error(.badRequest, "Invalid offset") }

        let dice = roll()
        var threshold = faults.rateLimit
        if dice < threshold {
            count("429")
            var response = Self.error(.tooManyRequests, "API rate limit exceeded")
            response.headers[.retryAfter] = roll() < 0.5 ? "0" : "1"
            return response
        }
        threshold += faults.serverError
        if dice < threshold {
            count("5xx")
            let statuses: [HTTPResponse.Status] = [.internalServerError, .badGateway, .serviceUnavailable]
            let status = statuses[Int(roll() * 3) % 3]
            return Self.error(status, "Service unavailable")
        }
        // Slowness is rolled on its own: a slow answer may still be a good one.
        if roll() < faults.slow {
            count("slow")
            try await Task.sleep(nanoseconds: UInt64(faults.slowSeconds * 1e9))
        }

        let host = request.head.authority ?? "127.0.0.1"
        let path = request.uri.path
        func link(_ offset: Int) -> String {
            var params = query.filter { $0.key != "offset" && $0.key != "limit" }
                .map { "\($0.key)=\($0.value)" }
            params.append("offset=\(offset)")
            params.append("limit=\(limit)")
            return "\"http://\(host)\(path)?\(params.joined(separator: "&"))\""
        }
        let slice = offset < all.count ? all[offset..<min(all.count, offset + limit)] : []
        var paging = "{\"href\":\(link(offset)),\"items\":[\(slice.joined(separator: ","))],\"limit\":\(limit),"
        paging += "\"next\":\(offset + limit < all.count ? link(offset + limit) : "null"),\"offset\":\(offset),"
        paging += "\"previous\":\(offset > 0 ? link(max(0, offset - limit)) : "null"),\"total\":\(all.count)}"
        var body = paging
        if let wrapper {
            body = "{" + (message.map { "\"message\":\(JSONValue.quote($0))," } ?? "") + "\"\(wrapper)\":\(paging)}"
        }

        threshold += faults.truncated
        if dice < threshold {
            count("truncated")
            body = String(body.utf8.prefix(max(1, body.utf8.count / 2))) ?? "{"
        } else if dice < threshold + faults.notJSON {
            count("not-json")
            return Response(status: .ok, headers: [.contentType: "text/html"],
                            body: .init(byteBuffer: ByteBuffer(string: "<html><body>Upstream hiccup</body></html>")))
        }
        count("pages")
        return Self.json(.ok, body)
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Spotify's error object: `{"error": {"status": 401, "message": "…"}}`.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, "{\"error\":{\"status\":\(status.code),\"message\":\(JSONValue.quote(message))}}")
    }
}
