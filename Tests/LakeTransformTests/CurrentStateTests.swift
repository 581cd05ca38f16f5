@testable import LakeTransform
import Testing

/// How changes become a table's current state: the order they apply in, and what each does.
@Suite struct CurrentStateTests {
    let reader = ChangeReader(fields: [.init(name: "id", kind: .int64), .init(name: "body", kind: .string), .init(name: "n", kind: .int64)],
                              keyColumns: [0])

    func change(_ op: String, _ commit: String, after: String = "null", before: String = "null", unchanged: String = "",
                file: Int = 0) throws -> ChangeEvent {
        let meta = #"{"commit_lsn": "\#(commit)", "lsn": "\#(commit)", "commit_time": "2026-11-29T10:00:00Z"\#(unchanged)}"#
        let line = #"{"_meta": \#(meta), "value": {"op": "\#(op)", "after": \#(after), "before": \#(before)}}"#
        return try reader.change(ArraySlice(line.utf8), file: file)
    }

    func rows(_ state: CurrentState) -> [[Cell]] { state.upserts.map(\.cells) }

    @Test func laterChangesWinAndADeleteRemovesTheRow() throws {
        var state = CurrentState()
        var changes = [
            try change("u", "0/30", after: #"{"id": 1, "body": "b", "n": 2}"#),
            try change("c", "0/20", after: #"{"id": 1, "body": "a", "n": 1}"#),
            try change("c", "0/21", after: #"{"id": 2, "body": "x", "n": 1}"#),
            try change("d", "0/40", before: #"{"id": 2}"#),
        ]
        for i in ChangeEvent.order(&changes) { state.apply(changes[i]) }
        #expect(rows(state) == [[.int(1), .bytes(Array("b".utf8)), .int(2)]])
        #expect(state.deletes == 1)
    }

    @Test func anUnchangedToastValueComesFromTheRowBeforeOrFromWhereItIsStaged() throws {
        var state = CurrentState()
        state.stage(key: RowKey(Array("7".utf8) + [0x1F]), at: .init(file: 3, row: 9))
        state.apply(try change("c", "0/10", after: #"{"id": 1, "body": "long", "n": 0}"#))
        state.apply(try change("u", "0/11", after: #"{"id": 1, "n": 1}"#, unchanged: #", "unchanged": ["body"]"#))
        state.apply(try change("u", "0/12", after: #"{"id": 7, "n": 5}"#, unchanged: #", "unchanged": ["body"]"#))
        let upserts = state.upserts
        #expect(upserts[0].cells == [.int(1), .bytes(Array("long".utf8)), .int(1)])
        #expect(upserts[1].cells == [.int(7), .carry, .int(5)] && upserts[1].carryFrom == .init(file: 3, row: 9))
        #expect(state.touchedFiles(of: 4) == [3])
    }

    @Test func aKeyUpdateMovesTheRowAndATruncateEmptiesEverything() throws {
        var state = CurrentState()
        state.stage(key: RowKey(Array("1".utf8) + [0x1F]), at: .init(file: 0, row: 0))
        state.apply(try change("u", "0/10", after: #"{"id": 101, "body": "m", "n": 0}"#, before: #"{"id": 1}"#))
        #expect(!state.keeps(RowKey(Array("1".utf8) + [0x1F])) && rows(state).map(\.first) == [.int(101)])
        state.apply(try change("t", "0/11"))
        state.apply(try change("c", "0/12", after: #"{"id": 5, "body": null, "n": 0}"#))
        #expect(state.emptied && state.touchedFiles(of: 2) == [0, 1] && rows(state) == [[.int(5), .null, .int(0)]])
    }

    @Test func snapshotRowsComeBeforeChangesLandedAfterThemWhateverTheirLSN() throws {
        // A transaction that committed while the snapshot was read can have a lower commit LSN.
        var changes = [
            try change("u", "0/50", after: #"{"id": 1, "body": "streamed", "n": 1}"#, file: 1),
            try change("r", "0/60", after: #"{"id": 1, "body": "snapshot", "n": 0}"#, file: 0),
        ]
        let order = ChangeEvent.order(&changes)
        var state = CurrentState()
        for i in order { state.apply(changes[i]) }
        #expect(rows(state) == [[.int(1), .bytes(Array("streamed".utf8)), .int(1)]])
        #expect(order == [1, 0] && changes[1].resets)
    }

    @Test func aLineThatIsNotAChangeSaysWhy() {
        #expect(throws: ChangeReader.Problem.self) { try reader.change(ArraySlice(#"{"id": 1}"#.utf8), file: 0) }
        let bad = #"{"_meta": {"commit_lsn": "0/1"}, "value": {"op": "c", "after": {"id": "one"}}}"#
        #expect { try reader.change(ArraySlice(bad.utf8), file: 0) } throws: { error in
            (error as? ChangeReader.Problem)?.reason.contains("column \"id\"") == true
        }
    }
}
