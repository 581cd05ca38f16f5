import Foundation
import LakeCore

/// Failures of ingestion. URLs in messages are redacted: no credential is ever printed.
public enum IngestError: LakeError {
    case missingEnvironment(variable: String, purpose: String)
    case invalidDeclaration(file: String, problem: String)
    case invalidURL(String)
    case gaveUp(url: String, attempts: Int, lastProblem: String)
    case rateLimitedTooLong(url: String, retryAfter: Double, limit: Double)
    case quotaExceeded(url: String, retryAfter: Double?)
    case httpStatus(url: String, status: Int, detail: String)
    case unauthorized(url: String, detail: String)
    case tokenRefused(url: String, status: Int, detail: String)
    case badTokenResponse(url: String, detail: String)
    case nextLinkLoop(url: String)
    case paginationBroken(url: String, problem: String)
    case endpointGone(dataset: String, status: Int, url: String, message: String)
    case signIn(store: String, problem: String)
    /// The run is stopping (a long Retry-After): the unit ended at its last commit.
    case stopped
    case unitsFailed(failed: [String], total: Int)

    public var stage: String { "Ingest" }

    public var message: String {
        switch self {
        case let .missingEnvironment(variable, purpose):
            return "environment variable \(variable) is not set (\(purpose)): export it and run again"
        case let .invalidDeclaration(file, problem):
            return "\(file): \(problem)"
        case let .invalidURL(url):
            return "'\(url)' is not a valid http(s) URL"
        case let .gaveUp(url, attempts, last):
            return "GET \(url) failed \(attempts) times (last: \(last)); the API may be down — run the same command again later to resume where it stopped"
        case let .rateLimitedTooLong(url, retryAfter, limit):
            let resume = Timestamps.iso(Date().addingTimeInterval(retryAfter)).prefix(19) + "Z"
            return "\(url) answered 429 with Retry-After \(Int(retryAfter.rounded())) s, beyond --max-retry-after \(Int(limit)) s: what landed is committed; run the same command again after \(resume) to resume"
        case let .quotaExceeded(url, retryAfter):
            let when = retryAfter.map { "after " + Timestamps.iso(Date().addingTimeInterval($0)).prefix(19) + "Z" } ?? "once the quota resets"
            return "\(url) answered 429 QUOTA_EXCEEDED: the app's request quota is used up; what landed is committed; run the same command again \(when) to resume"
        case let .httpStatus(url, status, detail):
            return "GET \(url) answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)") — not retried; check the request parameters"
        case let .unauthorized(url, detail):
            return "GET \(url) answered 401 Unauthorized even with fresh tokens\(detail.isEmpty ? "" : " (\(detail))") — check the credentials"
        case let .tokenRefused(url, status, detail):
            return "the token endpoint \(url) refused the client credentials (HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")) — check the client id and secret"
        case let .badTokenResponse(url, detail):
            return "the token endpoint \(url) answered without a usable access token (\(detail))"
        case let .nextLinkLoop(url):
            return "the API's next link points back at the page just fetched (\(url)); stopping rather than looping"
        case let .paginationBroken(url, problem):
            return "GET \(url): \(problem) — the collection is not complete; check the declaration's paginator against what the API sends"
        case let .endpointGone(dataset, status, url, message):
            return "\(dataset): GET \(url) answered HTTP \(status) — \(message.isEmpty ? "the endpoint is not available to this client" : message); no more requests were sent for \(dataset)"
        case let .signIn(store, problem):
            return "sign-in \(store): \(problem)"
        case .stopped:
            return "stopped at its last commit, with the run"
        case let .unitsFailed(failed, total):
            let more = failed.count > 1 ? " (and \(failed.count - 1) more, listed above)" : ""
            return "\(failed.count) of \(total) units failed: \(failed[0])\(more) — what landed is committed; run the same command again to retry the rest"
        }
    }
}
