/// Retries of an AWS call with full jitter: before each new attempt a random wait up to a cap
/// that the caller gives per error and attempt (AWS's advice for throttling and 5xx).
enum AWSRetry {
    /// Runs `call` until it succeeds, or until `cap` gives nil for its error and attempt (1 first).
    static func run<T>(_ call: () async throws -> T, cap: (AWSError, Int) -> Double?) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await call()
            } catch let error as AWSError {
                guard let cap = cap(error, attempt) else { throw error }
                try await Task.sleep(nanoseconds: UInt64(Double.random(in: 0...cap) * 1e9))
            }
        }
    }

    /// An exponentially growing cap: 0.2 s, 0.4 s, … up to 20 s.
    static func exponential(_ attempt: Int) -> Double { min(20.0, 0.1 * Double(1 << min(attempt, 10))) }
}
