import Foundation

/// A GET (or the token POST) as lake sends it. Credentials are added by an `Authenticator`
/// just before sending, so a request as stored in a checkpoint carries none.
public struct APIRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of query parameter `name`, if present.
    public func query(_ name: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    /// Sets (or replaces) query parameter `name`.
    public func settingQuery(_ name: String, _ value: String?) -> APIRequest {
        guard var components = URLComponents(string: url) else { return self }
        var items = components.queryItems ?? []
        if let index = items.firstIndex(where: { $0.name == name }) {
            if let value { items[index].value = value } else { items.remove(at: index) }
        } else if let value {
            items.append(URLQueryItem(name: name, value: value))
        }
        components.queryItems = items.isEmpty ? nil : items
        // URLComponents leaves '+' alone in queries; servers read it as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?
            .replacingOccurrences(of: "+", with: "%2B")
        var copy = self
        copy.url = components.string ?? url
        return copy
    }

    /// Resolves a link from a response (absolute or relative to this request's URL).
    public func following(_ link: String) -> APIRequest? {
        guard let base = URL(string: url), let target = URL(string: link, relativeTo: base)?.absoluteURL else {
            return nil
        }
        return APIRequest(method: "GET", url: target.absoluteString, headers: headers)
    }
}

/// A response, its body read whole.
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// Keeps follow-up links on the API the user configured: a next link that names another
/// host is moved onto the base URL's scheme, host and port, so a token is never sent to a
/// host the user did not name.
public struct OriginPin: Sendable {
    let scheme: String?
    let host: String?
    let port: Int?

    public init(baseURL: String) {
        let components = URLComponents(string: baseURL)
        scheme = components?.scheme
        host = components?.host
        port = components?.port
    }

    public func pin(_ request: APIRequest) -> APIRequest {
        guard var components = URLComponents(string: request.url),
              components.scheme != scheme || components.host != host || components.port != port
        else { return request }
        components.scheme = scheme
        components.host = host
        components.port = port
        var copy = request
        copy.url = components.string ?? request.url
        return copy
    }
}
