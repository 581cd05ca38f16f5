import Foundation

/// HTTP basic authentication.
public struct BasicAuth: Authenticator {
    let header: String

    public init(username: String, password: String, redactor: Redactor) {
        let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
        header = "Basic \(encoded)"
        redactor.addSecret(password)
        redactor.addSecret(encoded)
    }

    public func authorize(_ request: APIRequest) async throws -> APIRequest {
        var request = request
        request.headers["Authorization"] = header
        return request
    }
}
