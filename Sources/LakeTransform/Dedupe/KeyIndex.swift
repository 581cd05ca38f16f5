import CPrefetch
import Foundation
import LakeCore
#if canImport(Glibc)
import Glibc
#endif

/// Which row holds each primary key, for "latest arrival wins" deduplication across a whole
/// dataset.
///
/// Keys are stored as 80-bit hashes (64 + 16 bits): 24 bytes per row, so 10 million keys fit
/// in about 300 MB, and a false match needs a collision of both hashes (odds around 10⁻¹¹
/// at 10 million keys). Open addressing, sized up front from the row count the catalog knows,
/// in 16 shards with a lock each, so both workers insert at once. Past `inMemoryLimit` keys the
/// shards are files instead, each deduplicated on its own at the end (memory stays flat).
final class KeyIndex: @unchecked Sendable {
    static let shardBits = 4
    /// Above this many keys the index spills (about 360 MB of slots in memory): the bound on
    /// memory holds at 50 million rows and beyond.
    static let inMemoryLimit = 12_000_000
    private let shards: [Shard]
    private let spill: Spill?

    /// In memory up to `inMemoryLimit` keys; past it, with a `spillFolder`, partitioned by hash
    /// onto disk and deduplicated one partition at a time in `finish`.
    init(expected: Int, spillFolder: String? = nil, inMemoryLimit: Int = KeyIndex.inMemoryLimit) throws {
        if expected > inMemoryLimit, let spillFolder {
            spill = try Spill(folder: spillFolder, partitions: 1 << Self.shardBits)
            shards = []
        } else {
            spill = nil
            shards = (0..<(1 << Self.shardBits)).map { _ in Shard(expected: expected >> Self.shardBits) }
            // The kernel zeroes a 10M-row index's 300 MB as inserts first touch its pages, and an
            // insert that faults holds its shard's lock: both workers waited on the zeroing, with
            // a core idle, for the first half second of a promotion. A thread of its own has the
            // pages faulted in meanwhile, on the core the catalog work before the workers leaves free.
            let shards = shards
            Thread.detachNewThread { for shard in shards { shard.populate() } }
        }
    }

    var spills: Bool { spill != nil }

    /// Inserts a batch, one lock per shard; losers are appended to `losers` (in spill mode,
    /// they come from `finish`).
    func insert(_ entries: [Entry], losers: inout [Loser]) {
        var byShard = [[Entry]](repeating: [], count: 1 << Self.shardBits)
        for e in entries { byShard[Int(e.hash >> UInt64(64 - Self.shardBits))].append(e) }
        for (i, batch) in byShard.enumerated() where !batch.isEmpty {
            if let spill { spill.append(batch, to: i) } else { shards[i].insert(batch, losers: &losers) }
        }
    }

    /// Spill mode: each partition's keys are read back and deduplicated in turn, so only one
    /// partition's table is in memory at a time; the spill files are removed.
    func finish(losers: inout [Loser]) throws {
        try spill?.resolve(losers: &losers)
    }

    struct Entry { var hash: UInt64; var hash2: UInt16; var order: UInt64; var location: Location }

    /// Where a row sits: an output file and a row in it.
    struct Location: Hashable { var file: UInt32; var row: UInt32 }

    /// A row that lost to a later arrival with the same key.
    struct Loser { var location: Location; var order: UInt64; var winnerOrder: UInt64 }
}

extension KeyIndex {
    final class Shard: @unchecked Sendable {
        private struct Slot { var hash: UInt64; var order: UInt64; var packed: UInt64 }   // packed: file 20 | row 28 | hash2 16

        /// Zeroed by the kernel as inserts touch its (huge) pages, instead of one thread zeroing
        /// hundreds of megabytes before the workers start.
        private var memory: HugeZeroedMemory
        private var slots: UnsafeMutablePointer<Slot>
        private var capacity: Int
        private var count = 0
        private let lock = NSLock()

        init(expected: Int) {
            // Any size, not a power of two: slots are chosen by multiply-shift, so the table
            // can be sized to 80% full at the expected count (memory is the limit at 10M rows).
            capacity = max(1024, Int(Double(expected) / 0.8))
            memory = HugeZeroedMemory(bytes: capacity * MemoryLayout<Slot>.stride)
            slots = memory.base.bindMemory(to: Slot.self, capacity: capacity)
        }

        deinit { memory.release() }

        func populate() { memory.populate() }

        /// Inserts a batch under one lock; losers are appended to `losers`.
        func insert(_ entries: [Entry], losers: inout [Loser]) {
            lock.lock()
            defer { lock.unlock() }
            // The table is far larger than the cache: each slot is requested a few entries
            // before its probe, so the misses overlap instead of coming one at a time.
            let ahead = 8
            entries.withUnsafeBufferPointer { batch in
                for e in batch.prefix(ahead) { lake_prefetch(slots + Self.slot(e.hash, capacity)) }
                for k in batch.indices {
                    if k + ahead < batch.count { lake_prefetch(slots + Self.slot(batch[k + ahead].hash, capacity)) }
                    insertLocked(batch[k], losers: &losers)
                }
            }
        }

        private func insertLocked(_ e: KeyIndex.Entry, losers: inout [Loser]) {
            if (count + 1) * 10 > capacity * 9 { grow() }
            let packed = UInt64(e.location.file) << 44 | UInt64(e.location.row) << 16 | UInt64(e.hash2)
            var i = Self.slot(e.hash, capacity)
            while true {
                let s = slots[i]
                if s.hash == 0 {
                    slots[i] = Slot(hash: e.hash, order: e.order, packed: packed)
                    count += 1
                    return
                }
                if s.hash == e.hash && UInt16(truncatingIfNeeded: s.packed) == e.hash2 {
                    let old = Location(file: UInt32(s.packed >> 44), row: UInt32((s.packed >> 16) & 0xFFF_FFFF))
                    if e.order >= s.order {
                        losers.append(Loser(location: old, order: s.order, winnerOrder: e.order))
                        slots[i] = Slot(hash: e.hash, order: e.order, packed: packed)
                    } else {
                        losers.append(Loser(location: e.location, order: e.order, winnerOrder: s.order))
                    }
                    return
                }
                i += 1
                if i == capacity { i = 0 }
            }
        }

        /// The hash's low 32 bits (the shard took the top ones) scaled onto the table.
        @inline(__always) static func slot(_ hash: UInt64, _ capacity: Int) -> Int {
            Int(((hash & 0xFFFF_FFFF) &* UInt64(capacity)) >> 32)
        }

        private func grow() {
            let old = slots, oldMemory = memory
            let oldCapacity = capacity
            capacity *= 2
            memory = HugeZeroedMemory(bytes: capacity * MemoryLayout<Slot>.stride)
            slots = memory.base.bindMemory(to: Slot.self, capacity: capacity)
            for k in 0..<oldCapacity where old[k].hash != 0 {
                var i = Self.slot(old[k].hash, capacity)
                while slots[i].hash != 0 {
                    i += 1
                    if i == capacity { i = 0 }
                }
                slots[i] = old[k]
            }
            oldMemory.release()
        }
    }

    /// Two independent hashes of a key's bytes.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt16) {
        var h1: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var h2: UInt64 = 0x1319_8A2E_0370_7344
        var p = 0
        while p + 8 <= bytes.count {
            let v = bytes.loadUnaligned(fromByteOffset: p, as: UInt64.self)
            h1 = (h1 ^ v) &* 0x9E37_79B9_7F4A_7C15
            h1 ^= h1 >> 31
            h2 = (h2 &+ v) &* 0xC2B2_AE3D_27D4_EB4F
            h2 ^= h2 >> 29
            p += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while p < bytes.count { tail |= UInt64(bytes[p]) << shift; shift += 8; p += 1 }
        h1 = (h1 ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        h1 ^= h1 >> 33
        h1 = h1 &* 0xC4CE_B9FE_1A85_EC53
        h1 ^= h1 >> 33
        h2 = (h2 &+ tail) &* 0x1656_67B1_9E37_79F9
        h2 ^= h2 >> 32
        return (h1 == 0 ? 1 : h1, UInt16(truncatingIfNeeded: h2))
    }
}

extension KeyIndex {
    /// Keys written to one file per hash partition, in arrival order (earlier promotions' rows
    /// first, as in memory), buffered per partition.
    final class Spill: @unchecked Sendable {
        private let folder: String
        private var files: [UnsafeMutablePointer<FILE>]
        private var buffers: [[Entry]]
        private var counts: [Int]
        private let locks: [NSLock]
        private var failure: String?

        init(folder: String, partitions: Int) throws {
            self.folder = folder
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            files = try (0..<partitions).map { p in
                guard let f = fopen("\(folder)/keys-\(p).bin", "w+b") else {
                    throw TransformError.worker("cannot create the key spill \(folder)/keys-\(p).bin: \(String(cString: strerror(errno)))")
                }
                return f
            }
            buffers = Array(repeating: [], count: partitions)
            counts = Array(repeating: 0, count: partitions)
            locks = (0..<partitions).map { _ in NSLock() }
        }

        deinit {
            for f in files { fclose(f) }
            try? FileManager.default.removeItem(atPath: folder)
        }

        func append(_ entries: [Entry], to p: Int) {
            locks[p].lock()
            defer { locks[p].unlock() }
            buffers[p] += entries
            counts[p] += entries.count
            if buffers[p].count >= 1 << 15 { flush(p) }
        }

        private func flush(_ p: Int) {
            guard !buffers[p].isEmpty else { return }
            let written = buffers[p].withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, files[p]) }
            if written != buffers[p].count * MemoryLayout<Entry>.stride, failure == nil {
                failure = "writing the key spill in \(folder) failed: \(String(cString: strerror(errno)))"
            }
            buffers[p].removeAll(keepingCapacity: true)
        }

        func resolve(losers: inout [Loser]) throws {
            for p in files.indices {
                flush(p)
                if let failure { throw TransformError.worker(failure + " (free disk space under the lake's _tmp/)") }
                var entries = [Entry](repeating: Entry(hash: 0, hash2: 0, order: 0, location: Location(file: 0, row: 0)), count: counts[p])
                rewind(files[p])
                let read = entries.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, files[p]) }
                guard read == counts[p] * MemoryLayout<Entry>.stride else {
                    throw TransformError.worker("reading the key spill \(folder)/keys-\(p).bin back failed")
                }
                Shard(expected: counts[p]).insert(entries, losers: &losers)
            }
        }
    }
}
