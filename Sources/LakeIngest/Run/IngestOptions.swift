/// Knobs of one API ingestion; the defaults suit a real API.
public struct IngestOptions: Sendable {
    /// Units (a dataset in a market, a playlist…) fetched at once.
    public var concurrency = 8
    public var policy = RetryPolicy()
    /// Seconds one request may take.
    public var timeoutSeconds = 30.0
    public var limits = RawLimits()
    /// Abandon an unfinished ingestion instead of resuming it.
    public var fresh = false
    /// The command line, for the run log and the lock holder's description.
    public var command = "lake ingest"
    /// Requests per the declaration's rate-limit window (nil: the declaration's own figure).
    public var requestsPerWindow: Int?
    /// Progress lines on stderr.
    public var progress = true

    public init() {}
}
