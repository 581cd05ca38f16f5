/// A table's current state as changes are applied to it: the rows already staged (by key,
/// where they sit) and what this promotion changed. Applying never reads a file; the rows a
/// change needs from storage (unchanged TOAST values) are named by location and filled in
/// when the touched files are read.
struct CurrentState {
    struct Location: Hashable {
        var file: Int
        var row: Int
    }

    struct Row {
        var cells: [Cell]
        var commitLSN: UInt64
        var op: ChangeEvent.Op
        var commitMicros: Int64
        /// Where `carry` cells come from: the row as it was staged.
        var carryFrom: Location?
    }

    enum Pending {
        case upsert(Row)
        case deleted
    }

    /// Keys of the staged rows.
    private(set) var staged: [RowKey: Location] = [:]
    /// Every staged row is gone (a truncate, or a new snapshot).
    private(set) var emptied = false
    private(set) var pending: [RowKey: Pending] = [:]
    /// Upserts in the order they first happened, so that output follows the changes.
    private(set) var order: [RowKey] = []
    private var ordered = Set<RowKey>()
    private(set) var carriesLost = 0

    mutating func stage(key: RowKey, at location: Location) { staged[key] = location }

    mutating func apply(_ change: ChangeEvent) {
        if change.op == .truncate || change.resets { empty() }
        guard change.op != .truncate else { return }
        if change.op == .delete {
            pending[change.key] = .deleted
            return
        }
        var prior: (cells: [Cell]?, from: Location?)
        if let old = change.movedFrom {
            prior = current(old)
            pending[old] = .deleted
        } else {
            prior = current(change.key)
        }
        var cells = change.cells
        var carryFrom: Location?
        for i in cells.indices where cells[i] == .carry {
            if let value = prior.cells?[i], value != .carry {
                cells[i] = value
            } else if let from = prior.from {
                carryFrom = from
            } else {
                cells[i] = .null
                carriesLost += 1
            }
        }
        if ordered.insert(change.key).inserted { order.append(change.key) }
        pending[change.key] = .upsert(Row(cells: cells, commitLSN: change.commitLSN, op: change.op,
                                          commitMicros: change.commitMicros, carryFrom: carryFrom))
    }

    /// The row a key holds now: its cells when this promotion changed it, else where it is staged.
    private func current(_ key: RowKey) -> (cells: [Cell]?, from: Location?) {
        switch pending[key] {
        case let .upsert(row)?: return (row.cells, row.carryFrom)
        case .deleted?: return (nil, nil)
        case nil: return (nil, emptied ? nil : staged[key])
        }
    }

    private mutating func empty() {
        emptied = true
        pending.removeAll()
        order.removeAll()
        ordered.removeAll()
    }

    /// The staged files that lose rows: every one after a truncate, else those holding a changed key.
    func touchedFiles(of fileCount: Int) -> Set<Int> {
        if emptied { return Set(0..<fileCount) }
        var files = Set<Int>()
        for key in pending.keys { if let at = staged[key] { files.insert(at.file) } }
        return files
    }

    /// Whether a staged row stays as it is.
    func keeps(_ key: RowKey) -> Bool { !emptied && pending[key] == nil }

    /// The upserted rows, in the order their keys first changed.
    var upserts: [Row] {
        order.compactMap { key in
            if case let .upsert(row)? = pending[key] { return row }
            return nil
        }
    }

    var deletes: Int { pending.values.filter { if case .deleted = $0 { true } else { false } }.count }
}
