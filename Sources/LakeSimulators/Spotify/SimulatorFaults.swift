/// Faults the simulator injects, each a probability per API request.
public struct SimulatorFaults: Sendable, Equatable {
    /// 429 with `Retry-After: 0` or `1`.
    public var rateLimit = 0.0
    /// 500, 502 or 503 with an error body.
    public var serverError = 0.0
    /// 200 with the JSON body cut short.
    public var truncated = 0.0
    /// 200 with an HTML page instead of JSON.
    public var notJSON = 0.0
    /// The answer comes after `slowSeconds`.
    public var slow = 0.0
    public var slowSeconds = 0.3
    /// The presented token is revoked: 401 "The access token expired" until a new one is fetched.
    public var tokenExpiry = 0.0
    /// Lifetime of issued tokens (`expires_in`).
    public var tokenLifetime = 3600
    /// 429 with a long `Retry-After` (`longRetryAfter` seconds), as Spotify answers abusive patterns.
    public var longRetryAfterRate = 0.0
    public var longRetryAfter = 3600
    /// Requests allowed per rolling 30-second window (0: no limit); past it, 429 with the wait.
    public var windowRequests = 0

    public init() {}

    public static let none = SimulatorFaults()

    /// Every fault switched on at rates a resilient client gets through quickly.
    public static var all: SimulatorFaults {
        var f = SimulatorFaults()
        f.rateLimit = 0.06
        f.serverError = 0.06
        f.truncated = 0.04
        f.notJSON = 0.02
        f.slow = 0.03
        f.tokenExpiry = 0.03
        f.tokenLifetime = 5
        return f
    }

    /// Parses `all`, `none` or a list like `429=0.1,5xx=0.05,truncate,slow,token-expiry`,
    /// `long-429=0.05`, `retry-after=3600`, `window=100`.
    public static func parse(_ text: String) -> SimulatorFaults? {
        if text == "all" { return .all }
        if text == "none" || text.isEmpty { return SimulatorFaults.none }
        var f = SimulatorFaults()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let rate = parts.count == 2 ? Double(parts[1]) : 0.06
            guard let rate else { return nil }
            switch parts[0] {
            case "429": f.rateLimit = rate
            case "5xx": f.serverError = rate
            case "truncate": f.truncated = rate
            case "not-json": f.notJSON = rate
            case "slow": f.slow = rate
            case "token-expiry": f.tokenExpiry = rate; f.tokenLifetime = 5
            case "long-429": f.longRetryAfterRate = rate
            case "retry-after": f.longRetryAfter = Int(rate)
            case "window": f.windowRequests = Int(rate)
            case "slow-seconds": f.slowSeconds = rate
            default: return nil
            }
        }
        return f
    }
}
