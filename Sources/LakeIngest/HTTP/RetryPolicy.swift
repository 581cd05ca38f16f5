import Foundation

/// How hard to try: exponential backoff with jitter for transient failures, and the
/// server's own `Retry-After` for 429s.
public struct RetryPolicy: Sendable {
    /// Attempts for one request before giving up on transient failures.
    public var maxAttempts = 8
    /// 429 answers tolerated for one request.
    public var maxRateLimited = 30
    /// Token renewals after a 401 for one request.
    public var maxRenewals = 3
    public var baseDelay = 0.25
    public var maxDelay = 15.0
    /// A `Retry-After` longer than this is not waited for; the run stops and can be resumed.
    public var maxRetryAfter = 300.0
    /// Waited when `Retry-After` says 0 or is missing, so a busy server gets a breath.
    public var minimumRateLimitDelay = 0.05

    public init() {}

    /// Delay before attempt `attempt + 1` after a transient failure: "equal jitter",
    /// half fixed and half random, so many clients do not retry in step.
    public func backoff(attempt: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
    }

    /// Delay for a 429: `Retry-After` in seconds or as an HTTP date, never less than a little.
    public func rateLimitDelay(retryAfter header: String?, now: Date = Date()) -> Double {
        var seconds = 0.0
        if let header = header?.trimmingCharacters(in: .whitespaces) {
            if let value = Double(header) {
                seconds = value
            } else if let date = Self.httpDate(header) {
                seconds = date.timeIntervalSince(now)
            }
        }
        return max(seconds, minimumRateLimitDelay) + Double.random(in: 0...minimumRateLimitDelay)
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
