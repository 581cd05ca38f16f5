import Foundation
import LakeCore

/// A paginated REST API declared in a file (`lake ingest api <source.json>`); the README and
/// `docs/sources.md` document the format. Spotify's Web API is one such declaration per app
/// mode, shipped in `schemas/sources/`.
public struct SourceDeclaration: Sendable {
    public var source: String
    public var baseURL: String
    public var headers: [String: String]
    /// The auth of every resource that does not name its own.
    public var auth: AuthDeclaration
    /// Other auths, by name, that resources name (`"auth": "user"`).
    public var auths: [String: AuthDeclaration]
    /// Values of `{region}` in paths and parameters.
    public var regions: [String]
    /// Values of `{query}` (search terms), each run in every region.
    public var queries: [String]
    /// Requests per rolling window the API allows; requests are spread to stay under it.
    public var rateLimit: RateLimitDeclaration?
    public var resources: [ResourceDeclaration]

    public init(source: String, baseURL: String, headers: [String: String] = [:], auth: AuthDeclaration,
                auths: [String: AuthDeclaration] = [:], regions: [String], queries: [String] = [],
                rateLimit: RateLimitDeclaration? = nil, resources: [ResourceDeclaration]) {
        self.source = source
        self.baseURL = baseURL
        self.headers = headers
        self.auth = auth
        self.auths = auths
        self.regions = regions
        self.queries = queries
        self.rateLimit = rateLimit
        self.resources = resources
    }

    /// The datasets a run lands when none are named.
    public var defaultDatasets: [String] { resources.filter(\.landsByDefault).map(\.dataset) }

    /// The same API at another address, for simulators and proxies: `--api-base` moves the
    /// resources, `--token-url` every token (and authorize) endpoint.
    public func moved(apiBase: String?, tokenURL: String?) -> SourceDeclaration {
        var copy = self
        if let apiBase { copy.baseURL = apiBase }
        if let tokenURL {
            copy.auth = auth.withTokenURL(tokenURL)
            copy.auths = auths.mapValues { $0.withTokenURL(tokenURL) }
            for i in copy.resources.indices { copy.resources[i].auth = copy.resources[i].auth?.withTokenURL(tokenURL) }
        }
        return copy
    }

    public func resource(_ dataset: String) -> ResourceDeclaration? { resources.first { $0.dataset == dataset } }

    /// The auth a resource is fetched with.
    public func auth(of resource: ResourceDeclaration) -> AuthDeclaration { resource.auth ?? auth }
}

/// One endpoint landing into one dataset.
public struct ResourceDeclaration: Sendable {
    public var dataset: String
    /// Relative to the base URL; may hold `{region}` and `{parent}`.
    public var path: String
    public var params: [(String, String)]
    /// Where the records sit in a page body; the body itself when it is an array.
    public var records: JSONPath?
    public var paginator: PaginatorDeclaration
    /// Region from a field of each record instead of from `{region}`.
    public var regionField: JSONPath?
    /// Run once per record of another resource, with `{parent}` = that record's `field`.
    public var parent: ParentLink?
    public var incremental: IncrementalDeclaration?
    /// This resource's own auth (a user sign-in where the rest use the app's credentials).
    public var auth: AuthDeclaration?
    /// What an HTTP status means for this endpoint beyond the usual (a removed endpoint's 404).
    public var onStatus: [Int: StatusRule]
    /// Landed when a run names no datasets (`"default": false`: only when asked for).
    public var landsByDefault = true

    public init(dataset: String, path: String, params: [(String, String)] = [], records: String?,
                paginator: PaginatorDeclaration, regionField: String? = nil,
                parent: ParentLink? = nil, incremental: IncrementalDeclaration? = nil,
                auth: AuthDeclaration? = nil, onStatus: [Int: StatusRule] = [:]) {
        self.dataset = dataset
        self.path = path
        self.params = params
        self.records = records.map(JSONPath.init)
        self.paginator = paginator
        self.regionField = regionField.map(JSONPath.init)
        self.parent = parent
        self.incremental = incremental
        self.auth = auth
        self.onStatus = onStatus
    }

    /// Whether the resource runs once per region.
    public var usesRegion: Bool { uses("{region}") }

    /// Whether the resource runs once per search query.
    public var usesQuery: Bool { uses("{query}") }

    private func uses(_ placeholder: String) -> Bool {
        path.contains(placeholder) || params.contains { $0.1.contains(placeholder) }
    }

    /// Whether one answer can stop the whole dataset: its first unit then goes alone.
    var canStopDataset: Bool { onStatus.values.contains { $0.action == .stopDataset } }
}

/// A child resource's link to its parent: one unit per value of the parent records' `field`.
public struct ParentLink: Sendable {
    public var resource: String
    /// May fan out with `[*]` (`artists[*].id`): one unit per value.
    public var field: JSONPath
    /// Each distinct value once per ingestion, whatever region found it (`GET /artists/{id}`);
    /// otherwise once per parent unit, in the parent's region.
    public var once: Bool

    public init(resource: String, field: String, once: Bool = false) {
        self.resource = resource
        self.field = JSONPath(field)
        self.once = once
    }
}

/// What an HTTP status from one endpoint means.
public struct StatusRule: Sendable, Equatable {
    public enum Action: String, Sendable { case stopDataset = "stop_dataset", skip }
    /// `stop_dataset`: the endpoint is gone for this caller; no unit of the dataset is tried
    /// again in this run. `skip`: this unit's item is not readable (not the user's playlist);
    /// the unit ends, noted, and the rest go on.
    public var action: Action
    /// One line for the user: what changed, when, and what to do.
    public var message: String

    public init(action: Action, message: String) {
        self.action = action
        self.message = message
    }
}

/// Requests per rolling window, as Spotify counts them (30 s).
public struct RateLimitDeclaration: Sendable, Equatable {
    public var requests: Int
    public var windowSeconds: Double

    public init(requests: Int, windowSeconds: Double) {
        self.requests = requests
        self.windowSeconds = windowSeconds
    }
}

/// The highest value of a record field, kept between runs and sent as a parameter.
public struct IncrementalDeclaration: Sendable {
    /// How the kept value is sent: as it is, or an ISO 8601 time as Unix milliseconds or
    /// seconds (Spotify's `after` cursor takes milliseconds where records hold `played_at`).
    public enum Format: String, Sendable { case text, epochMilliseconds = "epoch_ms", epochSeconds = "epoch_s" }

    public var field: JSONPath
    public var param: String
    public var initial: String?
    public var format: Format

    public init(field: String, param: String, initial: String?, format: Format = .text) {
        self.field = JSONPath(field)
        self.param = param
        self.initial = initial
        self.format = format
    }

    /// The parameter's value for a kept cursor.
    public func parameter(_ cursor: String) -> String {
        guard format != .text, let date = Timestamps.parse(cursor) else { return cursor }
        let seconds = date.timeIntervalSince1970
        return format == .epochMilliseconds ? String(Int64((seconds * 1000).rounded())) : String(Int64(seconds))
    }
}

public enum AuthDeclaration: Sendable, Hashable {
    case none
    case bearer(tokenEnv: String)
    case apiKey(name: String, location: APIKeyAuth.Location, valueEnv: String)
    case basic(usernameEnv: String, passwordEnv: String)
    case clientCredentials(tokenURL: String, clientIDEnv: String, clientSecretEnv: String, scope: String?)
    /// A user's sign-in: OAuth 2.0 authorization code with PKCE (`lake auth`), its refresh
    /// token kept in the token store and traded for access tokens as they lapse.
    case user(UserAuthDeclaration)

    /// Builds the authenticator, reading secrets from the environment.
    public func make(environment: [String: String], transport: HTTPTransport, policy: RetryPolicy,
                     redactor: Redactor) throws -> Authenticator {
        func env(_ name: String, _ purpose: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw IngestError.missingEnvironment(variable: name, purpose: purpose)
            }
            return value
        }
        switch self {
        case .none:
            return NoAuth()
        case let .bearer(tokenEnv):
            return BearerTokenAuth(token: try env(tokenEnv, "the bearer token"), redactor: redactor)
        case let .apiKey(name, location, valueEnv):
            return APIKeyAuth(name: name, location: location, key: try env(valueEnv, "the API key"), redactor: redactor)
        case let .basic(usernameEnv, passwordEnv):
            return BasicAuth(username: try env(usernameEnv, "the user name"),
                             password: try env(passwordEnv, "the password"), redactor: redactor)
        case let .clientCredentials(tokenURL, idEnv, secretEnv, scope):
            return ClientCredentialsAuth(
                tokenURL: tokenURL, clientID: try env(idEnv, "the OAuth client id"),
                clientSecret: try env(secretEnv, "the OAuth client secret"), scope: scope,
                transport: transport, policy: policy, redactor: redactor)
        case let .user(user):
            let clientID = try env(user.clientIDEnv, "the OAuth client id")
            let secret = user.clientSecretEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            let store = TokenStore(environment: environment)
            return try UserTokenAuth(declaration: user, clientID: clientID, clientSecret: secret, store: store,
                                     transport: transport, policy: policy, redactor: redactor)
        }
    }

    /// The token URL, for messages and overrides.
    public var tokenURL: String? {
        switch self {
        case let .clientCredentials(url, _, _, _): url
        case let .user(user): user.tokenURL
        default: nil
        }
    }

    /// The same auth with its token (and authorize) endpoint moved, for `--token-url`.
    public func withTokenURL(_ url: String) -> AuthDeclaration {
        switch self {
        case let .clientCredentials(_, id, secret, scope): return .clientCredentials(tokenURL: url, clientIDEnv: id, clientSecretEnv: secret, scope: scope)
        case var .user(user):
            user.authorizeURL = UserAuthDeclaration.authorizeURL(besideTokenURL: url, was: user.authorizeURL)
            user.tokenURL = url
            return .user(user)
        default: return self
        }
    }
}

/// `{"type": "oauth2_user", …}`: who signs in where, and what the token may do.
public struct UserAuthDeclaration: Sendable, Hashable {
    /// The token store's name for this sign-in (`spotify`): `lake auth <name>` writes it.
    public var store: String
    public var authorizeURL: String
    public var tokenURL: String
    public var clientIDEnv: String
    /// PKCE needs no secret; a confidential client may still send one.
    public var clientSecretEnv: String?
    public var scopes: [String]

    public init(store: String, authorizeURL: String, tokenURL: String, clientIDEnv: String,
                clientSecretEnv: String? = nil, scopes: [String]) {
        self.store = store
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.clientIDEnv = clientIDEnv
        self.clientSecretEnv = clientSecretEnv
        self.scopes = scopes
    }

    /// The authorize endpoint on the host of a moved token endpoint (`…/api/token` → `…/authorize`).
    static func authorizeURL(besideTokenURL token: String, was: String) -> String {
        guard var moved = URLComponents(string: token), let old = URLComponents(string: was) else { return was }
        moved.path = old.path
        moved.query = old.query
        return moved.string ?? was
    }
}

public enum PaginatorDeclaration: Sendable {
    case single
    case jsonLink(next: String, hasMore: String?)
    case linkHeader
    case offset(OffsetDeclaration)
    case pageNumber(param: String, start: Int, totalPages: String?, sizeParam: String?, size: Int?)
    case cursor(path: String, param: String, hasMore: String?)

    public func make() -> Paginator {
        switch self {
        case .single: return SinglePagePaginator()
        case let .jsonLink(next, hasMore): return JSONLinkPaginator(nextPath: next, hasMorePath: hasMore)
        case .linkHeader: return LinkHeaderPaginator()
        case let .offset(o):
            return OffsetPaginator(limit: o.limit, offsetParam: o.offsetParam, limitParam: o.limitParam,
                                   totalPath: o.total, stop: o.stop, maxOffset: o.maxOffset)
        case let .pageNumber(param, start, totalPages, sizeParam, size):
            return PageNumberPaginator(pageParam: param, start: start, totalPagesPath: totalPages,
                                       pageSizeParam: sizeParam, pageSize: size)
        case let .cursor(path, param, hasMore): return JSONCursorPaginator(cursorPath: path, cursorParam: param, hasMorePath: hasMore)
        }
    }

    /// The caps a 400 may be about, said in words ("limit at most 10, offset + limit at most 1000").
    public var caps: String? {
        guard case let .offset(o) = self else { return nil }
        let parts = [o.maxLimit.map { "\(o.limitParam) at most \($0)" },
                     o.maxOffset.map { "\(o.offsetParam) + \(o.limitParam) at most \($0)" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// `{"type": "offset", …}`.
public struct OffsetDeclaration: Sendable {
    public var limit: Int
    public var offsetParam = "offset"
    public var limitParam = "limit"
    public var total: String?
    public var stop: OffsetPaginator.Stop?
    /// The largest `limit` the endpoint accepts (Spotify's search: 10); `limit` may not pass it.
    public var maxLimit: Int?
    /// The ceiling of `offset + limit` (Spotify's search: 1000).
    public var maxOffset: Int?

    public init(limit: Int, total: String? = nil, stop: OffsetPaginator.Stop? = nil) {
        self.limit = limit
        self.total = total
        self.stop = stop
    }
}
