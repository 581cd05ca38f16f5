import LakeCore
import LakeParquet

/// One value of a captured row, typed by its contract column; `carry` stands for an
/// unchanged TOAST value that promotion takes from the row's previous state.
enum Cell: Equatable {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case bytes([UInt8])
    case carry

    /// The same bytes as `Column.keyBytes`, so keys read from staged files and from raw agree.
    func keyBytes(into out: inout [UInt8]) {
        switch self {
        case .null, .carry: out.append(0)
        case let .int(v): out += String(v).utf8
        case let .double(v): out += String(v).utf8
        case let .bool(v): out.append(v ? 1 : 2)
        case let .bytes(b): out += b
        }
    }
}

/// A row's identity: its key columns' bytes, with the hash worked out once.
struct RowKey: Hashable {
    let bytes: [UInt8]
    let hash: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        hash = Int(truncatingIfNeeded: ByteHash.hash(bytes))
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    static func == (a: RowKey, b: RowKey) -> Bool { a.hash == b.hash && a.bytes == b.bytes }

    /// The keys of a staged file's rows, from its key columns (nil: one the file lacks, read
    /// as null): the bytes `ChangeReader` makes from a raw row.
    static func keys(_ parts: [Column?], rows: Int) -> [RowKey] {
        var key: [UInt8] = []
        return (0..<rows).map { row in
            key.removeAll(keepingCapacity: true)
            for part in parts {
                if let part { part.keyBytes(row: row, into: &key) } else { key.append(0) }
                key.append(0x1F)
            }
            return RowKey(key)
        }
    }
}

/// One change read from a raw Debezium line, in the order promotion applies it: snapshot
/// epoch, then snapshot rows before streamed ones, then commit LSN, then the change's LSN.
struct ChangeEvent {
    enum Op: UInt8 { case create = 0x63, update = 0x75, delete = 0x64, read = 0x72, truncate = 0x74 }

    var op: Op
    var commitLSN: UInt64
    var lsn: UInt64
    var commitMicros: Int64
    /// The identity of the row the change leaves (after's key; before's for a delete).
    var key: RowKey
    /// Before's key when an update moved the row to another key.
    var movedFrom: RowKey?
    var cells: [Cell]
    /// Index of the raw file in landing order, for the snapshot epochs.
    var file: Int
    var epoch = 0
    /// Set on the first row of a snapshot: the table starts over from it.
    var resets = false

    var snapshot: Bool { op == .read }


    /// Puts the changes in apply order. A snapshot's rows come before every change landed
    /// after it (a transaction that committed while the snapshot was read can have a lower
    /// commit LSN, and the snapshot holds it already); a later snapshot (the slot was made
    /// again) starts the table over.
    /// Returns the changes' indices in apply order.
    static func order(_ changes: inout [ChangeEvent]) -> [Int] {
        var groups: [UInt64: Int] = [:]
        for c in changes where c.snapshot { groups[c.commitLSN] = min(groups[c.commitLSN] ?? .max, c.file) }
        let firstFiles = groups.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        let epochOf = Dictionary(uniqueKeysWithValues: firstFiles.enumerated().map { ($1.key, $0 + 1) })
        for i in changes.indices {
            if changes[i].snapshot {
                changes[i].epoch = epochOf[changes[i].commitLSN]!
            } else {
                let file = changes[i].file
                changes[i].epoch = firstFiles.lazy.filter { $0.value < file }.count
            }
        }
        // Plain keys are sorted, not the changes: a change holds arrays, and moving those
        // costs a retain and a release each time.
        var keys = changes.indices.map { i in
            let c = changes[i]
            return (c.epoch, c.snapshot ? 0 : 1, c.commitLSN, c.lsn, i)
        }
        keys.sort { $0 < $1 }
        let order = keys.map(\.4)
        var seen = Set<UInt64>()
        for i in order where changes[i].snapshot && seen.insert(changes[i].commitLSN).inserted {
            changes[i].resets = true
        }
        return order
    }
}

/// Changes and the order they apply in.
struct OrderedChanges: Sequence {
    let changes: [ChangeEvent]
    let order: [Int]
    var count: Int { order.count }

    func makeIterator() -> LazyMapSequence<[Int], ChangeEvent>.Iterator {
        order.lazy.map { [changes] in changes[$0] }.makeIterator()
    }
}
