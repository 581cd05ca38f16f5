import Foundation
import Hummingbird
import HTTPTypes
import LakeCore
import Logging
import NIOCore
import ServiceLifecycle

/// A Spotify Web API look-alike on 127.0.0.1 for the demo and the tests, answering as the
/// real API documents it for each app mode (`SpotifyAppMode`):
///
/// - Development Mode (what new apps get): `GET /search` (limit at most 10, default 5;
///   offset + limit at most 1000), `/albums/{id}/tracks`, `/artists/{id}`, and with a user's
///   sign-in `/me/playlists`, `/playlists/{id}/items` (the user's own and collaborative
///   playlists only: 403 for others, 404 for Spotify's editorial ones) and
///   `/me/player/recently-played`. The removed endpoints (`/browse/*`,
///   `/artists/{id}/top-tracks`, the multi-gets) answer 404, and `/playlists/{id}/tracks` 403.
///   Objects carry no `popularity`, `available_markets` or `followers`.
/// - Extended Quota: the browse endpoints, `/playlists/{id}/tracks` and the older shapes too.
///
/// The accounts service (`SpotifyAccounts`) issues client-credentials tokens and user tokens
/// through the authorization code flow with PKCE, with refresh tokens that rotate and can be
/// revoked. Faults (`SimulatorFaults`) add 429s (short, long, or over a rolling 30-second
/// window), 5xx, broken bodies, slowness and revoked tokens.
///
/// `GET /_simulator/totals?markets=SE,US` says how many items each dataset can land,
/// `GET /_simulator/stats` what was served, `POST /_simulator/revoke` revokes every refresh
/// token, `POST /_simulator/play?count=N` adds plays to the user's history.
public final class SpotifySimulator: @unchecked Sendable {
    public static let clientID = "lake-demo-client"
    public static let clientSecret = "lake-demo-secret-5f2b9c"

    public let catalogue: SpotifyCatalogue
    public let faults: SimulatorFaults
    public let mode: SpotifyAppMode
    let accounts: SpotifyAccounts
    private let state = NSLockLike()
    private var rng: SeededRandom
    private var counters: [String: Int] = [:]
    private var window: [Date] = []
    private let server = LoopbackServer()

    public init(seed: UInt64 = 42, scale: Double = 1, faults: SimulatorFaults = .none, mode: SpotifyAppMode = .development) {
        catalogue = SpotifyCatalogue(seed: seed, scale: scale)
        self.faults = faults
        self.mode = mode
        rng = SeededRandom(seed: seed, "faults")
        accounts = SpotifyAccounts(tokenLifetime: { faults.tokenLifetime })
    }

    /// Starts listening on `port` (0: any free port) and returns the port.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await server.start(router(), host: host, port: port, label: "spotify-simulator")
    }

    public func stop() async { await server.stop() }

    /// Every access and refresh token issued so far, so tests can prove none was written anywhere.
    public var issuedTokens: [String] { accounts.everIssued }

    /// Requests served per kind (`api`, `token`, `429`, `5xx`, `endpoint:search`, …).
    public var stats: [String: Int] { state.withLock { counters } }

    func count(_ key: String, by n: Int = 1) { state.withLock { counters[key, default: 0] += n } }

    func record(max key: String, _ value: Int) { state.withLock { counters[key] = Swift.max(counters[key] ?? 0, value) } }

    func roll() -> Double { state.withLock { Double(rng.next() % 1_000_000) / 1_000_000 } }

    // MARK: routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/token") { request, _ in try await self.token(request) }
        router.get("/authorize") { request, _ in
            self.count("authorize")
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
            let (status, location, body) = self.accounts.authorize(query)
            guard let location else { return Self.json(HTTPResponse.Status(code: status), JSONValue.quote(body)) }
            return Response(status: .found, headers: [.location: location])
        }
        let v1 = router.group("v1")
        v1.get("search") { request, _ in try await self.api(request, "search") { try self.search(request) } }
        v1.get("albums/:id/tracks") { request, context in
            try await self.api(request, "album_tracks") {
                let id = context.parameters.get("id") ?? ""
                guard let album = self.catalogue.albums.firstIndex(where: { $0.id == id }) else { return Self.error(.notFound, "Non existing id: '\(id)'") }
                return try self.page(request, maxLimit: 50, defaultLimit: 20,
                                     items: self.catalogue.albums[album].tracks.map { self.objects(request).simplifiedTrack($0) })
            }
        }
        v1.get("artists/:id") { request, context in
            try await self.api(request, "artist") {
                let id = context.parameters.get("id") ?? ""
                guard let artist = self.catalogue.artists.firstIndex(where: { $0.id == id }) else { return Self.error(.notFound, "Non existing id: '\(id)'") }
                return Self.json(.ok, self.objects(request).artist(artist).serialized())
            }
        }
        v1.get("me/playlists") { request, _ in
            try await self.api(request, "my_playlists", user: true) {
                try self.page(request, maxLimit: 50, defaultLimit: 20,
                              items: self.catalogue.playlists.map { self.objects(request).simplifiedPlaylist($0) })
            }
        }
        v1.get("playlists/:id/items") { request, context in
            try await self.api(request, "playlist_items", user: self.mode == .development) { grant in
                let id = context.parameters.get("id") ?? ""
                guard let playlist = self.playlist(id, market: request.uri.queryParameters.get("market")) else {
                    return Self.error(.notFound, "Not found.")
                }
                if self.mode == .development {
                    // Development Mode apps read only the signed-in user's own and collaborative playlists.
                    if playlist.owner == "spotify" { return Self.error(.notFound, "Not found.") }
                    guard playlist.owner == grant.user || playlist.collaborative else { return Self.error(.forbidden, "Forbidden") }
                }
                let objects = self.objects(request)
                return try self.page(request, maxLimit: 50, defaultLimit: 20, items: playlist.items.map {
                    objects.playlistItem($0.track, addedAt: $0.addedAt, addedBy: playlist.owner, key: "item")
                })
            }
        }
        v1.get("playlists/:id/tracks") { request, context in
            try await self.api(request, "playlist_tracks_old") { _ in
                // Replaced by /items in February 2026; Development Mode apps get 403.
                guard self.mode == .extended else { return Self.error(.forbidden, "Forbidden") }
                guard let playlist = self.playlist(context.parameters.get("id") ?? "", market: request.uri.queryParameters.get("market")) else {
                    return Self.error(.notFound, "Not found.")
                }
                let objects = self.objects(request)
                return try self.page(request, maxLimit: 100, defaultLimit: 100, items: playlist.items.map {
                    objects.playlistItem($0.track, addedAt: $0.addedAt, addedBy: playlist.owner, key: "track")
                })
            }
        }
        v1.get("me/player/recently-played") { request, _ in
            try await self.api(request, "recently_played", user: true, scope: "user-read-recently-played") { _ in
                try self.recentlyPlayed(request)
            }
        }
        // Extended Quota only: gone for Development Mode apps (404).
        for (path, name, wrapper, build) in extendedBrowse() {
            v1.get(RouterPath(path)) { request, _ in
                try await self.api(request, name) {
                    guard self.mode == .extended else { return Self.error(.notFound, "Not found.") }
                    let market = (request.uri.queryParameters.get("country") ?? "US").uppercased()
                    guard market.count == 2 else { return Self.error(.badRequest, "Invalid market code") }
                    return try self.page(request, maxLimit: 50, defaultLimit: 20, wrapper: wrapper,
                                         items: build(self.catalogue.market(market), self.objects(request)))
                }
            }
        }
        for path in ["artists/:id/top-tracks", "albums", "artists", "tracks", "browse/categories/:id/playlists"] {
            v1.get(RouterPath(path)) { request, _ in
                try await self.api(request, "removed") {
                    Self.error(.notFound, "Not found.")
                }
            }
        }
        router.get("/_simulator/totals") { request, _ in
            let markets = (request.uri.queryParameters.get("markets") ?? "").split(separator: ",").map(String.init)
            let body = JSONValue.object(markets.map { ($0, self.catalogue.totals($0)) } + [("user", self.catalogue.userTotals)])
            return Self.json(.ok, body.serialized())
        }
        router.get("/_simulator/stats") { _, _ in
            Self.json(.ok, JSONValue.object(self.stats.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }).serialized())
        }
        router.post("/_simulator/revoke") { _, _ in
            self.accounts.revokeRefreshTokens()
            return Self.json(.ok, #"{"revoked":true}"#)
        }
        router.post("/_simulator/play") { request, _ in
            self.catalogue.play(Int(request.uri.queryParameters.get("count") ?? "1") ?? 1)
            return Self.json(.ok, #"{"played":true}"#)
        }
        return router
    }

    typealias Browse = (String, String, String, (SpotifyCatalogue.Market, SpotifyObjects) -> [JSONValue])

    private func extendedBrowse() -> [Browse] {
        [("browse/new-releases", "new_releases", "albums", { m, o in m.newReleases.map(o.simplifiedAlbum) }),
         ("browse/featured-playlists", "featured_playlists", "playlists", { m, o in m.featured.map(o.simplifiedPlaylist) }),
         ("browse/categories", "categories", "categories", { m, o in m.categories.map(o.category) })]
    }

    private func objects(_ request: Request) -> SpotifyObjects {
        SpotifyObjects(catalogue: catalogue, mode: mode, base: "http://\(request.head.authority ?? "127.0.0.1")/v1")
    }

    /// A playlist the user has or one a market features.
    private func playlist(_ id: String, market: String?) -> SpotifyCatalogue.Playlist? {
        if let own = catalogue.playlists.first(where: { $0.id == id }) { return own }
        let markets = [market?.uppercased()].compactMap { $0 } + ["SE", "US", "GB", "DE", "BR", "JP", "IN", "MX"]
        for code in markets {
            if let featured = catalogue.market(code).featured.first(where: { $0.id == id }) { return featured }
        }
        return nil
    }

    // MARK: the endpoints' logic

    /// `GET /search`: `tag:new` (albums of the past two weeks), `genre:`, `year:` (or a range),
    /// `artist:`, `album:` and words matched against names.
    private func search(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let q = query.get("q"), !q.isEmpty else { return Self.error(.badRequest, "No search query") }
        guard let type = query.get("type"), ["album", "track"].contains(type) else {
            return Self.error(.badRequest, "Missing parameter type")
        }
        let market = query.get("market").map { String($0).uppercased() }
        let limits = (mode == .development) ? (max: 10, default: 5) : (max: 50, default: 20)
        let limit = query.get("limit").flatMap { Int($0) } ?? limits.default
        let offset = query.get("offset").flatMap { Int($0) } ?? 0
        record(max: "search.max_limit", limit)
        record(max: "search.max_end", offset + limit)
        guard (1...limits.max).contains(limit) else { return Self.error(.badRequest, "Invalid limit") }
        guard offset >= 0, mode == .development ? offset + limit <= 1000 : offset <= 1000 else {
            return Self.error(.badRequest, "Invalid offset")
        }
        let filters = Self.filters(q)
        let objects = objects(request)
        let matched: [JSONValue]
        if type == "album" {
            var albums: [Int]
            if filters["tag"] == "new", let market {
                albums = catalogue.market(market).newAlbums
            } else {
                albums = catalogue.albums.indices.filter { market == nil || catalogue.available($0, in: market!) }
                if filters["tag"] == "new" { albums = albums.filter(catalogue.isNew) }
            }
            albums = albums.filter { i in
                let a = catalogue.albums[i]
                return Self.matches(filters, name: a.name, artist: catalogue.artists[a.artists[0]].name,
                                    genre: catalogue.artists[a.artists[0]].genres[0], year: Int(a.releaseDate.prefix(4)) ?? 0)
            }
            matched = albums.map(objects.simplifiedAlbum)
        } else {
            let tracks = catalogue.tracks.indices.filter { i in
                let t = catalogue.tracks[i]
                return (market == nil || catalogue.available(t.album, in: market!))
                    && Self.matches(filters, name: t.name, artist: catalogue.artists[t.artists[0]].name, genre: t.genre, year: t.year)
            }
            matched = tracks.map(objects.track)
        }
        return try page(request, maxLimit: limits.max, defaultLimit: limits.default, wrapper: type + "s", items: matched)
    }

    static func filters(_ q: String) -> [String: String] {
        var filters: [String: String] = [:]
        var words: [String] = []
        for part in q.split(separator: " ") {
            let pieces = part.split(separator: ":", maxSplits: 1)
            if pieces.count == 2 { filters[pieces[0].lowercased()] = String(pieces[1]).lowercased() } else { words.append(part.lowercased()) }
        }
        if !words.isEmpty { filters[""] = words.joined(separator: " ") }
        return filters
    }

    static func matches(_ filters: [String: String], name: String, artist: String, genre: String, year: Int) -> Bool {
        if let g = filters["genre"], g != genre { return false }
        if let y = filters["year"] {
            let bounds = y.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1, bounds[0] != year { return false }
            if bounds.count == 2, !(bounds[0]...bounds[1]).contains(year) { return false }
        }
        if let a = filters["artist"], !artist.lowercased().contains(a) { return false }
        if let words = filters[""], !name.lowercased().contains(words) { return false }
        return true
    }

    /// `GET /me/player/recently-played`: the newest plays first, paged backwards by `before`
    /// (Unix ms), or only those after `after`.
    private func recentlyPlayed(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let limit = query.get("limit").flatMap { Int($0) } ?? 20
        guard (1...50).contains(limit) else { return Self.error(.badRequest, "Invalid limit") }
        let before = query.get("before").flatMap { Int64($0) }
        let after = query.get("after").flatMap { Int64($0) }
        if before != nil, after != nil { return Self.error(.badRequest, "Only one of before and after may be given") }
        var plays = catalogue.userPlays
        if let before { plays = plays.filter { $0.at < before } }
        if let after { plays = plays.filter { $0.at > after } }
        let page = Array(plays.prefix(limit))
        let host = request.head.authority ?? "127.0.0.1"
        var next = "null"
        if plays.count > limit, let oldest = page.last?.at {
            next = "\"http://\(host)/v1/me/player/recently-played?before=\(oldest)&limit=\(limit)\""
        }
        let cursors = page.isEmpty ? "null" : "{\"after\":\"\(page.first!.at)\",\"before\":\"\(page.last!.at)\"}"
        let objects = objects(request)
        let body = "{\"href\":\"http://\(host)\(request.uri.path)\",\"items\":\(JSONValue.array(page.map(objects.playHistory)).serialized()),"
            + "\"limit\":\(limit),\"next\":\(next),\"cursors\":\(cursors)}"
        return Self.json(.ok, body)
    }

    /// One page of a Spotify paging object, with its `next` and `previous` links.
    private func page(_ request: Request, maxLimit: Int, defaultLimit: Int, wrapper: String? = nil,
                      items all: [JSONValue]) throws -> Response {
        let query = request.uri.queryParameters
        let limit = query.get("limit").flatMap { Int($0) } ?? defaultLimit
        let offset = query.get("offset").flatMap { Int($0) } ?? 0
        guard (1...maxLimit).contains(limit) else { return Self.error(.badRequest, "Invalid limit") }
        guard offset >= 0 else { return Self.error(.badRequest, "Invalid offset") }
        let host = request.head.authority ?? "127.0.0.1"
        let path = request.uri.path
        // Search pages stop where Spotify stops serving results.
        let reachable = wrapper.map { ["albums", "tracks"].contains($0) } == true ? min(all.count, 1000) : all.count
        func link(_ offset: Int) -> String {
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&+="))
            var params = query.filter { $0.key != "offset" && $0.key != "limit" }.map { pair -> String in
                let value = String(pair.value)
                return "\(pair.key)=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
            }
            params.append("offset=\(offset)")
            params.append("limit=\(limit)")
            return "\"http://\(host)\(path)?\(params.joined(separator: "&"))\""
        }
        let slice = offset < all.count ? all[offset..<min(all.count, offset + limit)] : []
        var paging = "{\"href\":\(link(offset)),\"items\":\(JSONValue.array(Array(slice)).serialized()),\"limit\":\(limit),"
        paging += "\"next\":\(offset + limit < reachable ? link(offset + limit) : "null"),\"offset\":\(offset),"
        paging += "\"previous\":\(offset > 0 ? link(max(0, offset - limit)) : "null"),\"total\":\(all.count)}"
        return Self.json(.ok, wrapper.map { "{\"\($0)\":\(paging)}" } ?? paging)
    }

    // MARK: authentication and faults

    private func token(_ request: Request) async throws -> Response {
        count("token")
        let body = try await request.body.collect(upTo: 64 << 10)
        let form = Dictionary(String(buffer: body).split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }, uniquingKeysWith: { a, _ in a })
        if form["grant_type"] == "client_credentials", roll() < faults.serverError / 2 {
            count("5xx")
            return Self.json(.serviceUnavailable, #"{"error":"server_error"}"#)
        }
        let (status, answer) = accounts.token(form: form, authorization: request.headers[.authorization])
        return Self.json(HTTPResponse.Status(code: status), answer)
    }

    private func api(_ request: Request, _ endpoint: String, user: Bool = false, scope: String? = nil,
                     _ body: @escaping () throws -> Response) async throws -> Response {
        try await api(request, endpoint, user: user, scope: scope) { _ in try body() }
    }

    /// Authenticates, rolls the faults, then serves `body` for the token's grant.
    private func api(_ request: Request, _ endpoint: String, user: Bool = false, scope: String? = nil,
                     _ body: @escaping (SpotifyAccounts.Grant) throws -> Response) async throws -> Response {
        count("api")
        count("endpoint:\(endpoint)")
        let auth = request.headers[.authorization] ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        guard let grant = accounts.grant(for: token) else {
            count("401")
            return Self.error(.unauthorized, token.isEmpty ? "No token provided" : "Invalid access token")
        }
        if grant.expires < Date() || roll() < faults.tokenExpiry {
            accounts.revoke(token)
            count("401")
            return Self.error(.unauthorized, "The access token expired")
        }
        if user, grant.user == nil {
            return Self.error(.unauthorized, "This endpoint needs a user's sign-in (authorization code); an app's client credentials token is not enough")
        }
        if let scope, !grant.scopes.contains(scope) { return Self.error(.forbidden, "Insufficient client scope") }
        if let limited = rateLimited() { return limited }
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
            return Self.error(statuses[Int(roll() * 3) % 3], "Service unavailable")
        }
        // Slowness is rolled on its own: a slow answer may still be a good one.
        if roll() < faults.slow {
            count("slow")
            try await Task.sleep(nanoseconds: UInt64(faults.slowSeconds * 1e9))
        }
        let response = try body(grant)
        threshold += faults.truncated
        if response.status == .ok, dice < threshold {
            count("truncated")
            return Self.json(.ok, #"{"albums":{"href":"http://127.0.0.1/v1/se"#)
        } else if response.status == .ok, dice < threshold + faults.notJSON {
            count("not-json")
            return Response(status: .ok, headers: [.contentType: "text/html"],
                            body: .init(byteBuffer: ByteBuffer(string: "<html><body>Upstream hiccup</body></html>")))
        }
        count(response.status == .ok ? "pages" : "status:\(response.status.code)")
        return response
    }

    /// Spotify counts requests in a rolling 30-second window; past the simulator's budget (or
    /// at random, for long waits) it answers 429 with how long to wait.
    private func rateLimited() -> Response? {
        if faults.longRetryAfterRate > 0, roll() < faults.longRetryAfterRate {
            count("429-long")
            var response = Self.error(.tooManyRequests, "API rate limit exceeded")
            response.headers[.retryAfter] = String(faults.longRetryAfter)
            return response
        }
        guard faults.windowRequests > 0 else { return nil }
        let now = Date()
        let wait: Double? = state.withLock {
            window.removeAll { now.timeIntervalSince($0) >= 30 }
            guard window.count >= faults.windowRequests else { window.append(now); return nil }
            return 30 - now.timeIntervalSince(window[0])
        }
        guard let wait else { return nil }
        count("429")
        count("429-window")
        var response = Self.error(.tooManyRequests, "API rate limit exceeded")
        response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
        return response
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
