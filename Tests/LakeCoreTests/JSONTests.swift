import Foundation
import LakeCore
import Testing

@Suite struct JSONTests {
    @Test func pathsReachNestedFieldsAndIndices() throws {
        let json = try JSONSerialization.jsonObject(with: Data(#"{"track":{"artists":[{"name":"A"},{"name":"B"}]}}"#.utf8))
        #expect(JSONPath("track.artists[1].name").value(in: json) as? String == "B")
        #expect(JSONPath("track.missing").value(in: json) == nil)
        #expect(JSONPath("track.artists[9]").value(in: json) == nil)
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
