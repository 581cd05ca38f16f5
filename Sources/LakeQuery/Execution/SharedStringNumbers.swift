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
///
/// The strings are split by hash into 4 shards, each with its own lock: with one lock, two
/// workers numbering a million new listeners took turns, and a fifth of the scan's cores sat
/// idle. A string's number is its number within its shard, times 4, plus the shard: unique,
/// and dense enough for the bitmaps and direct indexes that use numbers. (16 shards cut
/// `count(DISTINCT user_id)` a little more but slowed `GROUP BY track_id`, whose lookups they
/// split into 16 scattered passes over each dictionary.)
final class SharedStringNumbers: @unchecked Sendable {
    static let shardBits = 2
    private static let shardCount = 1 << shardBits

    private final class Shard: @unchecked Sendable {
        let lock = NSLock()
        var numbers = StringNumbers()
        var published = StringNumbers()

        /// Published at half as many again as last time: each copy is made under the lock, and
        /// publishing more often cost more than the misses it saved (a million listeners).
        func publishIfGrown() {
            guard numbers.count >= published.count + max(published.count / 2, 1) else { return }
            published = numbers.lookupCopy
        }
    }

    private let shards = (0..<shardCount).map { _ in Shard() }
    private let claimLock = NSLock()
    private var claimed = false

    @inline(__always) static func shard(of hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> (64 - UInt64(shardBits))) }

    /// A dictionary's entries numbered, once a consumer claimed these numbers (none before, so
    /// a query that never groups on the column pays one uncontended lock per row group).
    func prenumber(_ d: StringArray) -> Prenumbered {
        claimLock.lock()
        let active = claimed
        claimLock.unlock()
        guard active else { return Prenumbered(shared: self, numbers: nil) }
        return Prenumbered(shared: self, numbers: number(d, lookFirst: true))
    }

    /// True for the first consumer to ask: these numbers are then its numbers. Any other
    /// consumer of the same column numbers on its own.
    func claim() -> Bool {
        claimLock.lock()
        defer { claimLock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }

    /// Numbers a dictionary the workers did not (it came before the claim, or from elsewhere).
    func numbers(of d: StringArray) -> [UInt32] { number(d, lookFirst: false) }

    /// Each entry's number, numbering new strings shard by shard; `lookFirst` tries each
    /// shard's published copy without its lock first.
    private func number(_ d: StringArray, lookFirst: Bool) -> [UInt32] {
        let hashes = StringNumbers.hashes(d)
        var byShard = [[Int]](repeating: [], count: Self.shardCount)
        for (e, h) in hashes.enumerated() { byShard[Self.shard(of: h)].append(e) }
        var local = [UInt32](repeating: Prenumbered.unknown, count: d.count)
        for (k, entries) in byShard.enumerated() where !entries.isEmpty {
            let shard = shards[k]
            var missing = entries
            if lookFirst {
                shard.lock.lock()
                let snapshot = shard.published
                shard.lock.unlock()
                if snapshot.count > 0 {
                    snapshot.lookup(d, entries: entries, hashes: hashes, into: &local)
                    missing = entries.filter { local[$0] == Prenumbered.unknown }
                }
            }
            guard !missing.isEmpty else { continue }
            shard.lock.lock()
            shard.numbers.number(d, into: &local, entries: missing, hashes: hashes)
            shard.publishIfGrown()
            shard.lock.unlock()
        }
        for e in local.indices { local[e] = local[e] << UInt32(Self.shardBits) | UInt32(Self.shard(of: hashes[e])) }
        return local
    }

    /// One more than the largest number given so far.
    var count: Int {
        Self.bound(shards.map { shard in
            shard.lock.lock()
            defer { shard.lock.unlock() }
            return shard.numbers.count
        })
    }

    /// One more than the largest number, for shards holding `counts` strings.
    private static func bound(_ counts: [Int]) -> Int {
        var bound = 0
        for (shard, n) in counts.enumerated() where n > 0 { bound = max(bound, (n - 1) << shardBits | shard + 1) }
        return bound
    }

    /// The strings by number; a number no string has is an empty string.
    var values: StringArray {
        let parts = shards.map { shard in
            shard.lock.lock()
            defer { shard.lock.unlock() }
            return shard.numbers.values
        }
        var out = StringArray()
        let bound = Self.bound(parts.map(\.count))
        out.offsets.reserveCapacity(bound + 1)
        out.bytes.reserveCapacity(parts.reduce(0) { $0 + $1.bytes.count })
        for n in 0..<bound {
            let part = parts[n & (Self.shardCount - 1)], i = n >> Self.shardBits
            if i < part.count {
                out.bytes.append(contentsOf: part.bytes[Int(part.offsets[i])..<Int(part.offsets[i + 1])])
            }
            out.offsets.append(Int32(out.bytes.count))
        }
        return out
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
