import Foundation
import LakeCore
import Testing

@Suite struct JSONTests {
    func tape(_ text: String) throws -> JSONNode { try JSONTape(Array(text.utf8)).root }

    @Test func pathsReachNestedFieldsAndIndices() throws {
        let json = try tape(#"{"track":{"artists":[{"name":"A"},{"name":"B"}]},"n":12,"x":-1.5e3,"ok":true}"#)
        #expect(json.value(at: JSONPath("track.artists[1].name"))?.string == "B")
        #expect(json.value(at: JSONPath("track.missing")) == nil)
        #expect(json.value(at: JSONPath("track.artists[9]")) == nil)
        #expect(json["n"]?.int == 12 && json["x"]?.double == -1500 && json["ok"]?.bool == true)
        #expect(json.value(at: JSONPath("track.artists"))?.elements.count == 2)
        #expect(String(decoding: json.value(at: JSONPath("track.artists[0]"))!.raw, as: UTF8.self) == #"{"name":"A"}"#)
    }

    @Test func escapesDecodeIncludingSurrogatePairs() throws {
        let json = try tape(#"{"s":"a\"b\\c\/d\n\u00e9\ud83c\udfb5","k\u0065y":1}"#)
        #expect(json["s"]?.string == "a\"b\\c/d\né🎵")
        #expect(json["key"]?.int == 1)
        #expect(String(decoding: json["s"]!.raw, as: UTF8.self) == #""a\"b\\c\/d\n\u00e9\ud83c\udfb5""#)
    }

    @Test(arguments: [#"{"a":1}"#, #"[1,2,[3,{"b":null}]]"#, #""x""#, "0", "-0.5e-3", "  {\n}\t",
                      #"{"a":"ü東京🎵"}"#, #"{"a":"\u00e9"}"#])
    func acceptsValidJSON(_ text: String) {
        #expect((try? JSONTape(Array(text.utf8))) != nil, "\(text)")
    }

    /// RFC 8259 rejects all of these (Foundation lets a trailing comma through).
    @Test(arguments: [#"{"a":1"#, #"{"a":[1,2}"#, #"{"a":tru}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":"x"#,
                      "{\"a\":\"\u{01}\"}", #"{"a":"\x"}"#, #"{"a" 1}"#, #"{a:1}"#, "[1,]", "{} {}", "",
                      #"{"a":-}"#, #"{"a":"\u12"}"#])
    func rejectsInvalidJSON(_ text: String) {
        #expect((try? JSONTape(Array(text.utf8))) == nil, "\(text)")
    }

    @Test func truncatedBodiesAreRejectedWithTheirOffset() {
        let body = Array(#"{"albums":{"items":[{"id":"1"},{"id":"2"}],"next":null}}"#.utf8)
        for cut in [1, 10, 30, body.count - 1] {
            #expect(throws: JSONTape.Invalid.self) { try JSONTape(Array(body.prefix(cut))) }
        }
        #expect(throws: JSONTape.Invalid.self) { try JSONTape([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) }
    }

    @Test func valuesKeepTypesAndOrder() throws {
        let value = try JSONValue.parse(#"{"b":true,"a":1,"c":1.5,"d":null,"e":"x\"y"}"#)
        #expect(value["b"] == .bool(true))
        #expect(value["a"] == .int(1))
        #expect(value["c"] == .double(1.5))
        #expect(value["d"] == .null)
        let ordered = JSONValue.object([("z", 1), ("a", "t\n")])
        #expect(ordered.serialized() == #"{"z":1,"a":"t\n"}"#)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_764_000_000.25)
        #expect(Timestamps.iso(date) == "2025-11-24T16:00:00.250Z")
        #expect(Timestamps.day(date) == "2025-11-24")
        #expect(Timestamps.parse("2025-11-24T16:00:00.250Z") == date)
    }
}
