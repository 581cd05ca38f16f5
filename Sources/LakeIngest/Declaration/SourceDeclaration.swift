import Foundation
import LakeCore

/// A paginated REST API declared in a file (`lake ingest api <source.json>`); the README
/// documents the format. Spotify's Web API is one such declaration, built in code.
public struct SourceDeclaration: Sendable {
    public var source: String
    public var baseURL: String
    public var headers: [String: String]
    public var auth: AuthDeclaration
    /// Values of `{region}` in paths and parameters.
    public var regions: [String]
    public var resources: [ResourceDeclaration]

    public init(source: String, baseURL: String, headers: [String: String] = [:], auth: AuthDeclaration,
                regions: [String], resources: [ResourceDeclaration]) {
        self.source = source
        self.baseURL = baseURL
        self.headers = headers
        self.auth = auth
        self.regions = regions
        self.resources = resources
    }

    public func resource(_ dataset: String) -> ResourceDeclaration? { resources.first { $0.dataset == dataset } }
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
    public var parent: (resource: String, field: JSONPath)?
    public var incremental: IncrementalDeclaration?

    public init(dataset: String, path: String, params: [(String, String)] = [], records: String?,
                paginator: PaginatorDeclaration, regionField: String? = nil,
                parent: (resource: String, field: String)? = nil, incremental: IncrementalDeclaration? = nil) {
        self.dataset = dataset
        self.path = path
        self.params = params
        self.records = records.map(JSONPath.init)
        self.paginator = paginator
        self.regionField = regionField.map(JSONPath.init)
        self.parent = parent.map { ($0.resource, JSONPath($0.field)) }
        self.incremental = incremental
    }

    /// Whether the resource runs once per region.
    public var usesRegion: Bool {
        path.contains("{region}") || params.contains { $0.1.contains("{region}") }
    }
}

/// The highest value of a record field, kept between runs and sent as a parameter.
public struct IncrementalDeclaration: Sendable {
    public var field: JSONPath
    public var param: String
    public var initial: String?

    public init(field: String, param: String, initial: String?) {
        self.field = JSONPath(field)
        self.param = param
        self.initial = initial
    }
}

public enum AuthDeclaration: Sendable {
    case none
    case bearer(tokenEnv: String)
    case apiKey(name: String, location: APIKeyAuth.Location, valueEnv: String)
    case basic(usernameEnv: String, passwordEnv: String)
    case clientCredentials(tokenURL: String, clientIDEnv: String, clientSecretEnv: String, scope: String?)

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
        }
    }
}

public enum PaginatorDeclaration: Sendable {
    case single
    case jsonLink(next: String)
    case linkHeader
    case offset(limit: Int, offsetParam: String, limitParam: String, total: String?, stop: OffsetPaginator.Stop?)
    case pageNumber(param: String, start: Int, totalPages: String?, sizeParam: String?, size: Int?)
    case cursor(path: String, param: String)

    public func make() -> Paginator {
        switch self {
        case .single: return SinglePagePaginator()
        case let .jsonLink(next): return JSONLinkPaginator(nextPath: next)
        case .linkHeader: return LinkHeaderPaginator()
        case let .offset(limit, offsetParam, limitParam, total, stop):
            return OffsetPaginator(limit: limit, offsetParam: offsetParam, limitParam: limitParam,
                                   totalPath: total, stop: stop)
        case let .pageNumber(param, start, totalPages, sizeParam, size):
            return PageNumberPaginator(pageParam: param, start: start, totalPagesPath: totalPages,
                                       pageSizeParam: sizeParam, pageSize: size)
        case let .cursor(path, param): return JSONCursorPaginator(cursorPath: path, cursorParam: param)
        }
    }
}
