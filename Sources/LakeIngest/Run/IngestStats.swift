import Foundation

/// Live counters for progress lines.
public final class IngestStats: @unchecked Sendable {
    private let lock = NSLock()
    private let started = Date()
    public private(set) var pages = 0
    public private(set) var records = 0
    public private(set) var bytes = 0
    public private(set) var unitsDone = 0
    public private(set) var unitsKnown = 0

    public init() {}

    func page(records: Int, bytes: Int, landed: Bool) {
        lock.lock(); defer { lock.unlock() }
        pages += 1
        if landed { self.records += records }
        self.bytes += bytes
    }

    func units(done: Int = 0, known: Int = 0) {
        lock.lock(); defer { lock.unlock() }
        unitsDone += done
        unitsKnown += known
    }

    public var elapsed: Double { Date().timeIntervalSince(started) }

    public func line(source: String, events: FetchEvents.Counts) -> String {
        lock.lock(); defer { lock.unlock() }
        let seconds = max(elapsed, 0.001)
        var text = "ingest \(source): \(pages) pages, \(records) records, \(bytes >> 10) KiB"
            + String(format: ", %.0f pages/s", Double(pages) / seconds)
            + ", units \(unitsDone)/\(unitsKnown)"
        if events.retries + events.rateLimited > 0 {
            text += ", \(events.retries) retries, \(events.rateLimited) rate-limited"
        }
        return text
    }
}
