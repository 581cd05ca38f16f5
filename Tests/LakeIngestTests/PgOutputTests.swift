import Foundation
import LakeCore
@testable import LakeCatalog
@testable import LakeIngest
import Testing

/// pgoutput messages as PostgreSQL's "Logical Replication Message Formats" lays them out,
/// the text values they carry, and the snapshot that decides which transactions are held.
@Suite struct PgOutputTests {
    struct Bytes {
        var out: [UInt8] = []
        mutating func u8(_ v: UInt8) { out.append(v) }
        mutating func char(_ c: Character) { out.append(c.asciiValue!) }
        mutating func u16(_ v: UInt16) { out += [UInt8(v >> 8), UInt8(v & 0xFF)] }
        mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
        mutating func u64(_ v: UInt64) { u32(UInt32(v >> 32)); u32(UInt32(v & 0xFFFF_FFFF)) }
        mutating func cstring(_ s: String) { out += Array(s.utf8) + [0] }
        mutating func text(_ s: String) { char("t"); u32(UInt32(s.utf8.count)); out += Array(s.utf8) }
    }

    @Test func relationAndUpdateWithAnUnchangedToastValue() throws {
        var r = Bytes()
        r.char("R"); r.u32(16384); r.cstring("public"); r.cstring("docs"); r.char("d"); r.u16(3)
        for (flags, name, oid) in [(1, "id", 23), (0, "body", 25), (0, "n", 23)] as [(UInt8, String, UInt32)] {
            r.u8(flags); r.cstring(name); r.u32(oid); r.u32(UInt32(bitPattern: -1))
        }
        guard case let .relation(relation) = try PgOutput.decode(r.out) else { Issue.record("not a relation"); return }
        #expect(relation.qualified == "public.docs" && relation.columns.map(\.isKey) == [true, false, false])

        var u = Bytes()
        u.char("U"); u.u32(16384); u.char("N"); u.u16(3); u.text("1"); u.char("u"); u.text("7")
        let message = try PgOutput.decode(u.out)
        #expect(message == .update(relation: 16384, old: nil, oldIsKey: false, new: [.text(ArraySlice("1".utf8)), .unchanged, .text(ArraySlice("7".utf8))]))
        guard case let .update(_, _, _, new) = message else { return }
        let after = DebeziumLine.Row(values: new, columns: relation.columns)
        func text(_ row: DebeziumLine.Row) -> String { var out: [UInt8] = []; row.write(to: &out); return String(decoding: out, as: UTF8.self) }
        #expect(text(after) == #"{"id":1,"n":7}"# && after.unchanged == ["body"])
        // With the old row (REPLICA IDENTITY FULL) the value comes from it.
        let full = DebeziumLine.Row(values: new, columns: relation.columns,
                                    fallback: [.text(ArraySlice("1".utf8)), .text(ArraySlice("long".utf8)), .text(ArraySlice("6".utf8))])
        #expect(text(full) == #"{"id":1,"body":"long","n":7}"#)
        #expect(full.unchanged.isEmpty)
    }

    @Test func beginCommitAndTruncate() throws {
        var b = Bytes()
        b.char("B"); b.u64(0x16B3790); b.u64(1000); b.u32(771)
        #expect(try PgOutput.decode(b.out) == .begin(finalLSN: 0x16B3790, commitTime: 1000, xid: 771))
        var c = Bytes()
        c.char("C"); c.u8(0); c.u64(0x16B3748); c.u64(0x16B3790); c.u64(1000)
        #expect(try PgOutput.decode(c.out) == .commit(commitLSN: 0x16B3748, endLSN: 0x16B3790, commitTime: 1000))
        var t = Bytes()
        t.char("T"); t.u32(2); t.u8(1); t.u32(1); t.u32(2)
        #expect(try PgOutput.decode(t.out) == .truncate(relations: [1, 2], cascade: true, restartIdentity: false))
        #expect(throws: PgOutput.Failure.self) { try PgOutput.decode(Array(c.out.prefix(9))) }
        #expect(LSN.format(0x16B3748) == "0/16B3748" && LSN.parse("16/B374D848") == 0x16_B374_D848)
    }

    @Test func textValuesByType() {
        // The byte writer and the JSON values agree on every type.
        func json(_ text: String, _ oid: UInt32) -> JSONValue {
            let value = PgText.json(Array(text.utf8), oid: oid)
            var out: [UInt8] = []
            PgText.write(ArraySlice(text.utf8), oid: oid, to: &out)
            #expect((try? JSONValue.parse(out)) == value, "\(text) as \(oid)")
            return value
        }
        #expect(json("t", 16) == .bool(true) && json("false", 16) == .bool(false))
        #expect(json("-42", 20) == .int(-42) && json("9223372036854775807", 20) == .int(Int.max))
        #expect(json("12345678901234567890.123456789", 1700) == .string("12345678901234567890.123456789"))
        #expect(json("NaN", 701) == .string("NaN") && json("0.5", 701) == .double(0.5))
        #expect(json(#"{"a": [1, null]}"#, 3802) == .object([("a", .array([.int(1), .null]))]))
        #expect(json(#"{{1,2},{3,NULL}}"#, 1007) == .array([.array([.int(1), .int(2)]), .array([.int(3), .null])]))
        #expect(json(#"{a,"b \"q\"",NULL,""}"#, 1009) == .array([.string("a"), .string("b \"q\""), .null, .string("")]))
        #expect(json("\\x00ff10", 17) == .string("AP8Q"))
        #expect(json("2026-11-24 10:00:00.5+00", 1184) == .string("2026-11-24T10:00:00.5Z"))
        #expect(json("2026-11-24 10:00:00+05:30", 1184) == .string("2026-11-24T10:00:00+05:30"))
        #expect(json("2026-11-24 10:00:00", 1114) == .string("2026-11-24T10:00:00"))
        #expect(json("infinity", 1184) == .string("infinity"))
        #expect(json("happy", 99999) == .string("happy"))
    }

    @Test func theSnapshotHoldsWhatCommittedBeforeIt() {
        let snapshot = XidSnapshot("4294967396:4294967400:4294967398")!   // epoch 1: xmin 100, xmax 104, 102 in progress
        #expect(snapshot.holds(99) && snapshot.holds(101) && snapshot.holds(103))
        #expect(!snapshot.holds(102) && !snapshot.holds(104) && !snapshot.holds(200))
        #expect(snapshot.full(200) == (1 << 32) + 200)
    }

    @Test func pgpassMatchesLikeLibpq() throws {
        let file = NSTemporaryDirectory() + "pgpass-\(UUID().uuidString)"
        try "# comment\nother:5432:*:lake:nope\n127.0.0.1:5433:*:lake:pa\\:ss\n*:*:*:*:fallback\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(PostgresSettings.pgpass(file: file, host: "127.0.0.1", port: 5433, database: "shop", user: "lake") == "pa:ss")
        #expect(PostgresSettings.pgpass(file: file, host: "db", port: 5432, database: "shop", user: "x") == "fallback")
        #expect(throws: PostgresURLError.self) { try PostgresSettings.parse("postgres://lake:secret@h/db", passwordEnv: nil, environment: [:]) }
    }
}
