import Foundation
import LakeParquet

/// A column's string numbers shared by a scan's workers and the one consumer that groups or
/// deduplicates on them.
///
/// Numbering each file's dictionary entries (hash, probe, compare bytes) was the largest part
/// of the consumer's thread: a listening log's file holds thousands of distinct tracks and
/// listeners, so 10M rows brought millions of entries to number. Once a consumer claims the
/// numbers, each worker numbers its own row group's entries: it looks them up in the copy last
/// published, without a lock, and numbers only the ones it missed in the numbers themselves,
/// under the lock. The consumer gets every entry numbered.
final class SharedStringNumbers: @unchecked Sendable {
    private let lock = NSLock()
    private var numbers = StringNumbers()
    private var published = StringNumbers()
    private var claimed = false

    /// A dictionary's entries numbered, once a consumer claimed these numbers (none before, so
    /// a query that never groups on the column pays one uncontended lock per row group).
    func prenumber(_ d: StringArray) -> Prenumbered {
        lock.lock()
        let snapshot = published, active = claimed
        lock.unlock()
        guard active else { return Prenumbered(shared: self, numbers: nil) }
        let hashes = StringNumbers.hashes(d)
        var out = snapshot.count == 0 ? [UInt32](repeating: Prenumbered.unknown, count: d.count) : snapshot.lookup(d, hashes: hashes)
        let missing = out.indices.filter { out[$0] == Prenumbered.unknown }
        if !missing.isEmpty {
            lock.lock()
            numbers.number(d, into: &out, entries: missing, hashes: hashes)
            publishIfGrown()
            lock.unlock()
        }
        return Prenumbered(shared: self, numbers: out)
    }

    /// True for the first consumer to ask: these numbers are then its numbers. Any other
    /// consumer of the same column numbers on its own.
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }

    /// Numbers a dictionary the workers did not (it came before the claim, or from elsewhere).
    func numbers(of d: StringArray) -> [UInt32] {
        lock.lock()
        defer { lock.unlock() }
        let out = numbers.numbers(of: d)
        publishIfGrown()
        return out
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return numbers.count
    }

    var values: StringArray {
        lock.lock()
        defer { lock.unlock() }
        return numbers.values
    }

    /// Published at half as many again as last time: each copy is made under the lock, and
    /// publishing more often cost more than the misses it saved (a million listeners).
    private func publishIfGrown() {
        guard numbers.count >= published.count + max(published.count / 2, 1) else { return }
        published = numbers.lookupCopy
    }
}

/// A dictionary vector's entries as a scan worker numbered them.
struct Prenumbered: Sendable {
    static let unknown = UInt32.max
    let shared: SharedStringNumbers
    /// Per dictionary entry, its number; nil before a consumer claimed the numbers.
    let numbers: [UInt32]?
}

/// A consumer's string numbers: the scan's shared numbers once it claimed them, its own
/// otherwise.
struct StringNumbering {
    private var own = StringNumbers()
    private var shared: SharedStringNumbers?

    var count: Int { shared?.count ?? own.count }
    var values: StringArray { shared?.values ?? own.values }

    mutating func numbers(of d: StringArray, prenumbered p: Prenumbered? = nil) -> [UInt32] {
        if let p, shared == nil, own.count == 0, p.shared.claim() { shared = p.shared }
        guard let shared else { return own.numbers(of: d) }
        if let p, p.shared === shared, let numbers = p.numbers { return numbers }
        return shared.numbers(of: d)
    }
}
