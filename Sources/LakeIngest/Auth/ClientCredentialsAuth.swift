import Foundation

/// OAuth 2.0 client credentials (RFC 6749 §4.4), as Spotify's Web API uses it: POST
/// `grant_type=client_credentials` to the token URL with HTTP basic auth, then send
/// `Authorization: Bearer <access_token>` until `expires_in` runs out or the API answers 401.
public struct ClientCredentialsAuth: Authenticator {
    let endpoint: TokenEndpoint
    let clientID: String
    let clientSecret: String
    let scope: String?
    private let cache = TokenCache()

    public init(tokenURL: String, clientID: String, clientSecret: String, scope: String? = nil,
                transport: HTTPTransport, policy: RetryPolicy, redactor: Redactor) {
        endpoint = TokenEndpoint(url: tokenURL, transport: transport, policy: policy, redactor: redactor)
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        redactor.addSecret(clientSecret)
        redactor.addSecret(Data("\(clientID):\(clientSecret)".utf8).base64EncodedString())
    }

    public func authorize(_ request: APIRequest) async throws -> APIRequest {
        var request = request
        request.headers["Authorization"] = "Bearer \(try await cache.current(fetchToken))"
        return request
    }

    public func renew(after request: APIRequest) async -> Bool {
        await cache.drop(sentIn: request)
        return true
    }

    @Sendable private func fetchToken() async throws -> (token: String, expires: Date) {
        var form = [("grant_type", "client_credentials")]
        if let scope { form.append(("scope", scope)) }
        let answer = try await endpoint.post(form: form, basic: (clientID, clientSecret))
        return (answer["access_token"] as! String, TokenEndpoint.expiry(answer))
    }
}

extension Task where Success == Never, Failure == Never {
    static func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }
}
