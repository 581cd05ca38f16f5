import Foundation

/// OAuth 2.0 client credentials (RFC 6749 §4.4), as Spotify's Web API uses it: POST
/// `grant_type=client_credentials` to the token URL with HTTP basic auth, then send
/// `Authorization: Bearer <access_token>` until `expires_in` runs out or the API answers 401.
public actor ClientCredentialsAuth: Authenticator {
    let tokenURL: String
    let clientID: String
    let clientSecret: String
    let scope: String?
    let transport: HTTPTransport
    let policy: RetryPolicy
    let redactor: Redactor

    private var token: String?
    private var expires = Date.distantPast
    private var inFlight: Task<(String, Date), Error>?
    /// Tokens fetched so far; the simulator tests count them.
    public private(set) var fetches = 0

    public init(tokenURL: String, clientID: String, clientSecret: String, scope: String? = nil,
                transport: HTTPTransport, policy: RetryPolicy, redactor: Redactor) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.transport = transport
        self.policy = policy
        self.redactor = redactor
        redactor.addSecret(clientSecret)
        redactor.addSecret(Data("\(clientID):\(clientSecret)".utf8).base64EncodedString())
    }

    public func authorize(_ request: APIRequest) async throws -> APIRequest {
        var request = request
        request.headers["Authorization"] = "Bearer \(try await currentToken())"
        return request
    }

    public func renew(after request: APIRequest) async -> Bool {
        // Only drop the token that was refused; another task may have renewed it already.
        if let token, request.headers["Authorization"] == "Bearer \(token)" {
            self.token = nil
        }
        return true
    }

    private func currentToken() async throws -> String {
        if let token, Date() < expires { return token }
        if let inFlight { return try await inFlight.value.0 }
        let task = Task { try await self.fetchToken() }
        inFlight = task
        defer { inFlight = nil }
        let (fresh, expiry) = try await task.value
        token = fresh
        expires = expiry
        fetches += 1
        return fresh
    }

    private func fetchToken() async throws -> (String, Date) {
        var form = "grant_type=client_credentials"
        if let scope { form += "&scope=" + (scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? scope) }
        let basic = Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        let request = APIRequest(
            method: "POST", url: tokenURL,
            headers: ["Authorization": "Basic \(basic)", "Content-Type": "application/x-www-form-urlencoded"],
            body: Array(form.utf8))
        let shownURL = redactor.url(tokenURL)
        // As in PageFetcher: 429s do not use up the attempts meant for transient failures.
        var failures = 0
        var limited = 0
        while true {
            let response: APIResponse
            do {
                response = try await transport.send(request)
            } catch {
                failures += 1
                guard failures < policy.maxAttempts else {
                    throw IngestError.gaveUp(url: shownURL, attempts: failures, lastProblem: "\(error)")
                }
                try await Task.sleep(seconds: policy.backoff(attempt: failures))
                continue
            }
            switch response.status {
            case 200..<300:
                let body = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
                guard let body, let token = body["access_token"] as? String, !token.isEmpty else {
                    failures += 1
                    guard failures < policy.maxAttempts else {
                        throw IngestError.badTokenResponse(url: shownURL, detail: "no access_token in the JSON body")
                    }
                    try await Task.sleep(seconds: policy.backoff(attempt: failures))
                    continue
                }
                redactor.addSecret(token)
                let lifetime = (body["expires_in"] as? NSNumber)?.doubleValue ?? 3600
                // Renew a little early so a request never leaves with a token about to lapse.
                let margin = min(60, lifetime / 10)
                return (token, Date().addingTimeInterval(max(1, lifetime - margin)))
            case 429:
                limited += 1
                let delay = policy.rateLimitDelay(retryAfter: response.header("Retry-After"))
                guard limited <= policy.maxRateLimited, delay <= policy.maxRetryAfter else {
                    throw IngestError.rateLimitedTooLong(url: shownURL, retryAfter: delay, limit: policy.maxRetryAfter)
                }
                try await Task.sleep(seconds: delay)
            case 408, 500...599:
                failures += 1
                guard failures < policy.maxAttempts else {
                    throw IngestError.gaveUp(url: shownURL, attempts: failures, lastProblem: "HTTP \(response.status)")
                }
                try await Task.sleep(seconds: policy.backoff(attempt: failures))
            default:
                throw IngestError.tokenRefused(
                    url: shownURL, status: response.status,
                    detail: redactor.text(APIErrorBody.describe(response.body)))
            }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    static func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }
}
