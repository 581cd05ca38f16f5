import LakeCatalog
import LakeCore

/// Reads the Debezium lines of raw files into `ChangeEvent`s typed by the contract: `after`
/// (or `before` for a delete) gives the row, `_meta.commit_lsn`/`lsn` its order, and
/// `_meta.unchanged` the TOAST columns to carry forward. A line that cannot be applied goes
/// to quarantine with the reason.
struct ChangeReader {
    struct Field {
        let name: String
        let kind: StagedSchema.Kind
    }

    let fields: [Field]
    /// The row's identity: the primary key, or every column for a table without one
    /// (REPLICA IDENTITY FULL sends the whole old row).
    let keyColumns: [Int]
    private let names: [[UInt8]]

    init(fields: [Field], keyColumns: [Int]) {
        self.fields = fields
        self.keyColumns = keyColumns
        names = fields.map { Array($0.name.utf8) }
    }

    struct Rejected {
        var line: Int
        var bytes: ArraySlice<UInt8>
        var reason: String
    }

    func read(_ bytes: ArraySlice<UInt8>, file: Int, changes: inout [ChangeEvent], rejected: inout [Rejected]) -> Int {
        var lineNumber = 0
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
            defer { start = end + 1 }
            let line = bytes[start..<end]
            guard !line.isEmpty else { continue }
            lineNumber += 1
            do {
                changes.append(try change(line, file: file))
            } catch let problem as Problem {
                rejected.append(Rejected(line: lineNumber, bytes: line, reason: problem.reason))
            } catch {
                rejected.append(Rejected(line: lineNumber, bytes: line, reason: "not JSON: \(error)"))
            }
        }
        return lineNumber
    }

    struct Problem: Error { var reason: String }

    func change(_ line: ArraySlice<UInt8>, file: Int) throws -> ChangeEvent {
        let tape = try JSONTape(Array(line))
        let root = tape.root
        guard let meta = root["_meta"], let value = root["value"] else {
            throw Problem(reason: "not a change event: a Debezium line has \"_meta\" and \"value\"")
        }
        guard let opText = value["op"]?.string, let op = opText.utf8.first.flatMap(ChangeEvent.Op.init(rawValue:)), opText.utf8.count == 1 else {
            throw Problem(reason: "value.op is \(value["op"].map { String(decoding: $0.raw, as: UTF8.self) } ?? "missing"); expected c, u, d, r or t")
        }
        guard let commitText = meta["commit_lsn"]?.string, let commitLSN = LSN.parse(commitText) else {
            throw Problem(reason: "_meta.commit_lsn is missing or not an LSN like 0/16B3748")
        }
        let lsn = meta["lsn"]?.string.flatMap(LSN.parse) ?? commitLSN
        let commitMicros = (meta["commit_time"]?.string).flatMap { CivilTime.parseTimestamp(ArraySlice($0.utf8)) } ?? 0
        var event = ChangeEvent(op: op, commitLSN: commitLSN, lsn: lsn, commitMicros: commitMicros, key: RowKey([]), movedFrom: nil,
                                cells: [], file: file)
        switch op {
        case .truncate:
            return event
        case .delete:
            guard let before = value["before"], before.kind == .object else { throw Problem(reason: "a delete without value.before") }
            event.key = try key(of: cells(before))
        case .create, .update, .read:
            guard let after = value["after"], after.kind == .object else { throw Problem(reason: "op \(opText) without value.after") }
            var row = try cells(after)
            if let unchanged = meta["unchanged"], unchanged.kind == .array {
                for name in unchanged.elements.compactMap(\.string) {
                    if let i = fields.firstIndex(where: { $0.name == name }) { row[i] = .carry }
                }
            }
            event.key = try key(of: row)
            event.cells = row
            if op == .update, let before = value["before"], before.kind == .object {
                let old = try key(of: cells(before))
                if old != event.key { event.movedFrom = old }
            }
        }
        return event
    }

    /// The contract's columns from a row object; a column the row lacks is null (a column
    /// the contract gained later), or left out for a key-only `before`.
    private func cells(_ row: JSONNode) throws -> [Cell] {
        var out = [Cell](repeating: .null, count: fields.count)
        try row.forEachMember { key, node in
            guard let i = names.firstIndex(where: key.keyEquals) else { return }
            guard let cell = Self.cell(node, fields[i].kind) else {
                throw Problem(reason: "column \"\(fields[i].name)\": \(String(decoding: node.raw.prefix(80), as: UTF8.self)) is not a \(fields[i].kind) value")
            }
            out[i] = cell
        }
        return out
    }

    private func key(of row: [Cell]) throws -> RowKey {
        var out: [UInt8] = []
        for c in keyColumns {
            if row[c] == .carry { throw Problem(reason: "key column \"\(fields[c].name)\" is an unchanged TOAST value") }
            row[c].keyBytes(into: &out)
            out.append(0x1F)
        }
        return RowKey(out)
    }

    static func cell(_ node: JSONNode, _ kind: StagedSchema.Kind) -> Cell? {
        if node.kind == .null { return .null }
        switch kind {
        case .int64:
            if node.kind == .number, let v = Int64(String(decoding: node.raw, as: UTF8.self)) { return .int(v) }
            return node.string.flatMap { Int64($0) }.map(Cell.int)
        case .double:
            if node.kind == .number { return Double(String(decoding: node.raw, as: UTF8.self)).map(Cell.double) }
            return node.string.flatMap { Double($0) }.map(Cell.double)
        case .boolean:
            return node.bool.map(Cell.bool)
        case .date:
            return node.string.flatMap { CivilTime.parseDate(ArraySlice($0.utf8)) }.map { .int(Int64($0)) }
        case .timestamp:
            guard let text = node.string else { return nil }
            // PostgreSQL's `timestamp` has no zone: its wall time is read as UTC.
            if let v = CivilTime.parseTimestamp(ArraySlice(text.utf8)) ?? CivilTime.parseTimestamp(ArraySlice((text + "Z").utf8)) {
                return .int(v)
            }
            return nil
        case .string:
            return .bytes(node.kind == .string ? Array(node.stringBytes) : Array(node.raw))
        case .json:
            return .bytes(Array(node.raw))
        }
    }
}
