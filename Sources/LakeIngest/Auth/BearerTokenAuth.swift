/// `Authorization: Bearer <token>` with a fixed token.
public struct BearerTokenAuth: Authenticator {
    let token: String

    public init(token: String, redactor: Redactor) {
        self.token = token
        redactor.addSecret(token)
    }

    public func authorize(_ request: APIRequest) async throws -> APIRequest {
        var request = request
        request.headers["Authorization"] = "Bearer \(token)"
        return request
    }
}
