import Foundation
import LakeParquet

/// A consumer's string numbers, published to the scan workers that feed it.
///
/// Numbering each file's dictionary entries (hash, probe, compare bytes) was the largest part
/// of the one thread that groups a scan's rows: a listening log's file holds thousands of
/// distinct tracks, so 10M rows brought 4.8M entries to number. A number never changes once
/// given, so workers look each entry up in the numbers the consumer last published, on both
/// cores, and the consumer numbers only the entries they missed.
final class SharedStringNumbers: @unchecked Sendable {
    private let lock = NSLock()
    private var published = StringNumbers()
    private var claimed = false

    /// A dictionary's entries looked up in the published numbers (no numbers while none are).
    func lookup(_ d: StringArray) -> Prenumbered {
        lock.lock()
        let snapshot = published
        lock.unlock()
        return Prenumbered(shared: self, numbers: snapshot.count == 0 ? nil : snapshot.lookup(d))
    }

    /// True for the first consumer to ask: its numbers are the ones published. Any other
    /// consumer of the same column numbers on its own.
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }

    func publish(_ numbers: StringNumbers) {
        lock.lock()
        published = numbers
        lock.unlock()
    }
}

/// A dictionary vector's entries as a scan worker found them in a consumer's published numbers.
struct Prenumbered: Sendable {
    static let unknown = UInt32.max
    let shared: SharedStringNumbers
    /// Per dictionary entry, its number or `unknown`; nil when nothing was published yet.
    let numbers: [UInt32]?
}
