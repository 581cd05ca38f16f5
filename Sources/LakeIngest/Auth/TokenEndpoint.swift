import Foundation

/// POSTs a form to an OAuth 2.0 token endpoint and reads the JSON answer, retrying what is
/// worth retrying: 429s after `Retry-After`, 5xx, 408 and lost connections with backoff. A
/// refusal (400, 401, 403) is thrown at once as `tokenRefused`, with the server's reason.
struct TokenEndpoint: Sendable {
    let url: String
    let transport: HTTPTransport
    let policy: RetryPolicy
    let redactor: Redactor

    /// The answer's fields; `access_token` is registered as a secret before anyone sees it.
    func post(form: [(String, String)], basic: (id: String, secret: String)? = nil) async throws -> [String: Any] {
        var headers = ["Content-Type": "application/x-www-form-urlencoded"]
        if let basic {
            headers["Authorization"] = "Basic " + Data("\(basic.id):\(basic.secret)".utf8).base64EncodedString()
        }
        let body = form.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        let request = APIRequest(method: "POST", url: url, headers: headers, body: Array(body.utf8))
        let shownURL = redactor.url(url)
        var failures = 0
        var limited = 0
        func backOff(_ problem: String) async throws {
            failures += 1
            guard failures < policy.maxAttempts else {
                throw IngestError.gaveUp(url: shownURL, attempts: failures, lastProblem: redactor.text(problem))
            }
            try await Task.sleep(seconds: policy.backoff(attempt: failures))
        }
        while true {
            let response: APIResponse
            do {
                response = try await transport.send(request)
            } catch {
                try await backOff("\(error)")
                continue
            }
            switch response.status {
            case 200..<300:
                guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                      let token = object["access_token"] as? String, !token.isEmpty else {
                    try await backOff("no access_token in the JSON body")
                    continue
                }
                redactor.addSecret(token)
                if let refresh = object["refresh_token"] as? String { redactor.addSecret(refresh) }
                return object
            case 429:
                limited += 1
                let delay = policy.rateLimitDelay(retryAfter: response.header("Retry-After"))
                guard limited <= policy.maxRateLimited, delay <= policy.maxRetryAfter else {
                    throw IngestError.rateLimitedTooLong(url: shownURL, retryAfter: delay, limit: policy.maxRetryAfter)
                }
                try await Task.sleep(seconds: delay)
            case 408, 500...599:
                try await backOff("HTTP \(response.status)")
            default:
                throw IngestError.tokenRefused(url: shownURL, status: response.status,
                                               detail: redactor.text(APIErrorBody.describe(response.body)))
            }
        }
    }

    /// The lifetime an answer grants, renewed a little early so no request leaves with a
    /// token about to lapse.
    static func expiry(_ answer: [String: Any]) -> Date {
        let lifetime = (answer["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        return Date().addingTimeInterval(max(1, lifetime - min(60, lifetime / 10)))
    }

    /// `application/x-www-form-urlencoded` value encoding.
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
