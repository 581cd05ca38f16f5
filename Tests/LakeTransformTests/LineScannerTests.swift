import Foundation
@testable import LakeTransform
import Testing

@Suite struct LineScannerTests {
    func members(_ text: String) -> [(String, LineScanner.Kind, String)]? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { b in
            var s = LineScanner(b)
            var out: [(String, LineScanner.Kind, String)] = []
            guard s.flatObject({ k, v in
                out.append((String(decoding: b[k], as: UTF8.self), v.kind, String(decoding: b[v.start..<v.end], as: UTF8.self)))
            }) != nil else { return nil }
            s.skipSpace()
            return s.p == b.count ? out : nil
        }
    }

    @Test func aFlatObjectGivesEachMemberAndItsValue() throws {
        let got = try #require(members(#" {"a": "x\"y", "n": -1.5e3, "t": true, "f": false, "z": null, "u": "\u00fc"} "#))
        #expect(got.map(\.0) == ["a", "n", "t", "f", "z", "u"])
        #expect(got.map(\.1) == [.string, .number, .yes, .no, .null, .string])
        #expect(got[0].2 == #"x\"y"# && got[1].2 == "-1.5e3" && got[5].2 == #"\u00fc"#)
    }

    /// Strings are scanned eight bytes at a time: a quote, escape, control or non-ASCII byte
    /// must be found at every position of a word, and across word boundaries.
    @Test func aStringEndsAtItsQuoteWhereverTheQuoteFallsInAWord() throws {
        for length in 0..<20 {
            let plain = String(repeating: "x", count: length)
            #expect(try #require(members(#"{"k": "\#(plain)", "n": 1}"#)).map(\.2) == [plain, "1"], "\(length)")
            let escaped = plain + #"\"a"#
            #expect(try #require(members(#"{"k": "\#(escaped)"}"#)).map(\.2) == [escaped], "\(length)")
            #expect(members("{\"k\": \"\(plain)\u{1}\"}") == nil, "\(length)")
            let bytes = Array(#"{"k": "\#(plain)é\#(plain)"}"#.utf8)
            bytes.withUnsafeBufferPointer { b in
                var s = LineScanner(b)
                #expect(s.flatObject { _, _ in } != nil && s.sawHighByte, "\(length)")
            }
        }
    }

    @Test func anythingButAFlatValidObjectIsLeftToTheGeneralReader() {
        for text in [#"{"a": {"b": 1}}"#, #"{"a": [1]}"#, #"{"a": 01}"#, #"{"a": tru}"#, #"{"a": "x}"#, #"{"a" 1}"#,
                     #"{"a": 1,}"#, #"{"a\u0062": 1}"#, "{\"a\": \"tab\there\"}", #"{"a": 1} x"#, #"{"a": -}"#, #"{"a": 1.}"#] {
            #expect(members(text) == nil, "\(text)")
        }
    }
}

@Suite struct KeyIndexTests {
    func entry(_ key: String, order: UInt64, file: UInt32, row: UInt32) -> KeyIndex.Entry {
        let (h1, h2) = Array(key.utf8).withUnsafeBytes { KeyIndex.hash($0) }
        return KeyIndex.Entry(hash: h1, hash2: h2, order: order, location: .init(file: file, row: row))
    }

    @Test func theLatestArrivalWinsWhateverOrderInsertsComeIn() throws {
        let index = try KeyIndex(expected: 10)
        var losers: [KeyIndex.Loser] = []
        index.insert([entry("a", order: 5, file: 1, row: 0), entry("b", order: 1, file: 1, row: 1)], losers: &losers)
        index.insert([entry("a", order: 3, file: 2, row: 0)], losers: &losers)   // older: it loses
        index.insert([entry("a", order: 9, file: 3, row: 7)], losers: &losers)   // newer: the first one loses
        #expect(losers.map(\.location) == [.init(file: 2, row: 0), .init(file: 1, row: 0)])
        #expect(losers.map(\.winnerOrder) == [5, 9])
    }

    /// Past its in-memory limit the index spills one file per hash partition and finds the same
    /// losers at the end, one partition in memory at a time.
    @Test func aSpilledIndexFindsTheSameLosersAsOneInMemory() throws {
        let keys = (0..<20_000).map { i in entry("key-\(i % 7_000)", order: UInt64(i + 1), file: UInt32(i % 5), row: UInt32(i)) }
        let folder = NSTemporaryDirectory() + "lake-keys-\(UUID().uuidString)"
        var inMemory: [KeyIndex.Loser] = [], spilled: [KeyIndex.Loser] = []
        let memory = try KeyIndex(expected: keys.count, spillFolder: folder, inMemoryLimit: 1 << 30)
        let spill = try KeyIndex(expected: keys.count, spillFolder: folder, inMemoryLimit: 1_000)
        #expect(!memory.spills && spill.spills)
        for batch in stride(from: 0, to: keys.count, by: 3_000) {
            memory.insert(Array(keys[batch..<min(keys.count, batch + 3_000)]), losers: &inMemory)
            spill.insert(Array(keys[batch..<min(keys.count, batch + 3_000)]), losers: &spilled)
        }
        #expect(spilled.isEmpty)
        try spill.finish(losers: &spilled)
        let key = { (l: KeyIndex.Loser) in "\(l.location.file)/\(l.location.row)/\(l.winnerOrder)" }
        #expect(inMemory.count == 13_000)
        #expect(Set(spilled.map(key)) == Set(inMemory.map(key)))
    }
}
