/// Adds credentials to a request just before it is sent.
public protocol Authenticator: Sendable {
    func authorize(_ request: APIRequest) async throws -> APIRequest
    /// The server answered 401 to `request`: drop whatever credential it carried, if it can
    /// be fetched anew. Returns false when there is nothing to renew.
    func renew(after request: APIRequest) async -> Bool
}

extension Authenticator {
    public func renew(after request: APIRequest) async -> Bool { false }
}

/// No credentials.
public struct NoAuth: Authenticator {
    public init() {}
    public func authorize(_ request: APIRequest) async throws -> APIRequest { request }
}
