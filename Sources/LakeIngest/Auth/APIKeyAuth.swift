/// An API key in a header (`X-API-Key: …`) or a query parameter (`?api_key=…`).
public struct APIKeyAuth: Authenticator {
    public enum Location: String, Sendable { case header, query }
    let name: String
    let location: Location
    let key: String

    public init(name: String, location: Location, key: String, redactor: Redactor) {
        self.name = name
        self.location = location
        self.key = key
        redactor.addSecret(key)
        if location == .query { redactor.addSecretParameter(name) }
    }

    public func authorize(_ request: APIRequest) async throws -> APIRequest {
        switch location {
        case .header:
            var request = request
            request.headers[name] = key
            return request
        case .query:
            return request.settingQuery(name, key)
        }
    }
}
