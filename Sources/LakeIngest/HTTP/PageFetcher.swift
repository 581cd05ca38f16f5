import Foundation
import LakeCore

/// Fetches one page whole and parsed, however long that takes within the retry policy:
/// 429s wait `Retry-After`; 5xx, 408, timeouts, resets and truncated or non-JSON bodies back
/// off and retry; a 401 renews the token once; other statuses fail at once.
public struct PageFetcher: Sendable {
    public let transport: HTTPTransport
    public let auth: Authenticator
    public let policy: RetryPolicy
    public let redactor: Redactor
    public let events: FetchEvents
    public let pacer: RequestPacer

    public init(transport: HTTPTransport, auth: Authenticator, policy: RetryPolicy, redactor: Redactor,
                events: FetchEvents = FetchEvents(), pacer: RequestPacer = RequestPacer(requests: nil, windowSeconds: 30)) {
        self.transport = transport
        self.auth = auth
        self.policy = policy
        self.redactor = redactor
        self.events = events
        self.pacer = pacer
    }

    /// A fetched page: the response and its validated JSON body.
    public struct Page: Sendable {
        public var response: APIResponse
        public var json: JSONNode
    }

    public func fetch(_ request: APIRequest) async throws -> Page {
        let shownURL = redactor.url(request.url)
        // Each kind of setback has its own budget: 429s and token renewals do not use up
        // the attempts meant for transient failures.
        var failures = 0
        var limited = 0
        var renewals = 0
        while true {
            let response: APIResponse
            try await pacer.wait()
            do {
                response = try await transport.send(try await auth.authorize(request))
            } catch let error as IngestError {
                throw error
            } catch {
                failures += 1
                try await retry(after: "\(error)", url: shownURL, failures: failures)
                continue
            }
            switch response.status {
            case 200..<300:
                var response = response
                // A UTF-8 byte-order mark (some .NET and Java servers send one) is not JSON.
                if response.body.starts(with: [0xEF, 0xBB, 0xBF]) { response.body.removeFirst(3) }
                if let root = try? JSONTape(response.body).root, root.kind == .object || root.kind == .array {
                    return Page(response: response, json: root)
                }
                let problem = response.body.isEmpty ? "empty body" : "body is not complete JSON (\(response.body.count) bytes)"
                failures += 1
                try await retry(after: problem, url: shownURL, failures: failures)
            case 401:
                let detail = redactor.text(APIErrorBody.describe(response.body))
                // A token can lapse again between renewal and use; refused fresh tokens
                // several times in a row mean the credentials themselves are wrong.
                guard renewals < policy.maxRenewals, await auth.renew(after: try await auth.authorize(request)) else {
                    throw IngestError.unauthorized(url: shownURL, detail: detail)
                }
                renewals += 1
                events.count(\.renewals)
            case 429:
                limited += 1
                events.count(\.rateLimited)
                let delay = policy.rateLimitDelay(retryAfter: response.header("Retry-After"))
                // Spotify's development-mode quota (July 2026): waiting seconds will not help.
                if APIErrorBody.reason(response.body) == "QUOTA_EXCEEDED" {
                    throw IngestError.quotaExceeded(url: shownURL, retryAfter: response.header("Retry-After").flatMap(Double.init))
                }
                guard limited <= policy.maxRateLimited, delay <= policy.maxRetryAfter else {
                    throw IngestError.rateLimitedTooLong(url: shownURL, retryAfter: delay, limit: policy.maxRetryAfter)
                }
                try await Task.sleep(seconds: delay)
            case 408, 500...599:
                failures += 1
                try await retry(after: "HTTP \(response.status)", url: shownURL, failures: failures)
            default:
                throw IngestError.httpStatus(
                    url: shownURL, status: response.status, detail: redactor.text(APIErrorBody.describe(response.body)))
            }
        }
    }

    /// Backs off after the `failures`-th transient failure, or gives up past the budget.
    private func retry(after problem: String, url: String, failures: Int) async throws {
        guard failures < policy.maxAttempts else {
            throw IngestError.gaveUp(url: url, attempts: failures, lastProblem: redactor.text(problem))
        }
        events.count(\.retries)
        try await Task.sleep(seconds: policy.backoff(attempt: failures))
    }
}

/// Counters of what the fetcher went through, for progress and the run log.
public final class FetchEvents: @unchecked Sendable {
    public struct Counts: Sendable { public var retries = 0, rateLimited = 0, renewals = 0 }
    private let lock = NSLock()
    private var counts = Counts()

    public init() {}

    func count(_ key: WritableKeyPath<Counts, Int>) {
        lock.lock(); counts[keyPath: key] += 1; lock.unlock()
    }

    public var snapshot: Counts {
        lock.lock(); defer { lock.unlock() }
        return counts
    }
}
