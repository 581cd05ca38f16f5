import Foundation

/// Spreads requests so that no rolling window holds more than the API allows: Spotify counts
/// requests per app in a 30-second window, and a run over many markets would otherwise spend
/// its window in the first seconds and then sit out 429s. Requests leave at least
/// `window / requests` apart, in the order they asked.
public actor RequestPacer {
    private let spacing: Double
    private var next = Date.distantPast

    /// `requests` per `windowSeconds`; nil or 0 requests: no pacing.
    public init(requests: Int?, windowSeconds: Double) {
        spacing = (requests ?? 0) > 0 ? windowSeconds / Double(requests!) : 0
    }

    /// Returns when this request may leave.
    public func wait() async throws {
        guard spacing > 0 else { return }
        let now = Date()
        let slot = max(now, next)
        next = slot.addingTimeInterval(spacing)
        let delay = slot.timeIntervalSince(now)
        if delay > 0 { try await Task.sleep(seconds: delay) }
    }
}
