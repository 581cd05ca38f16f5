import Foundation
import LakeCore

/// Raw and quarantine lines for stream events:
///
/// ```
/// {"_meta": {"source": "embedded", "topic": "plays", "partition": 3, "offset": 1234, "key": "u1",
///            "arrival_time": "…", "ingested_at": "…"}, "value": <the event as received>}
/// {"_meta": {…, "reason": "not JSON: unexpected end (truncated JSON) at byte 17"}, "raw": "<the bytes>"}
/// ```
enum StreamLine {
    static func meta(_ event: StreamEvent, source: String, stream: String, numericOffset: Bool, ingestedAt: String,
                     reason: String? = nil) -> [UInt8] {
        var out = "{\"source\":\(JSONValue.quote(source)),\"topic\":\(JSONValue.quote(stream)),\"partition\":\(event.partition),"
        out += numericOffset ? "\"offset\":\(event.offset)," : "\"offset\":\(JSONValue.quote(event.offset)),\"stream_id\":\(JSONValue.quote(event.offset)),"
        out += "\"key\":" + (event.key.map { JSONValue.quote(String(decoding: $0, as: UTF8.self)) } ?? "null")
        out += ",\"arrival_time\":\"\(Timestamps.iso(Date(timeIntervalSince1970: Double(event.arrival) / 1000)))\""
        out += ",\"ingested_at\":\"\(ingestedAt)\""
        if let reason { out += ",\"reason\":\(JSONValue.quote(reason))" }
        out += "}"
        return Array(out.utf8)
    }

    static func raw(meta: [UInt8], value: [UInt8]) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(meta.count + value.count + 24)
        line += "{\"_meta\":".utf8
        line += meta
        line += ",\"value\":".utf8
        let start = line.count
        line += value
        for i in start..<line.count where line[i] == 0x0A || line[i] == 0x0D { line[i] = 0x20 }
        line += "}\n".utf8
        return line
    }

    static func quarantine(meta: [UInt8], value: [UInt8]) -> [UInt8] {
        var line: [UInt8] = Array("{\"_meta\":".utf8) + meta
        line += ",\"raw\":".utf8
        line += JSONValue.quote(String(decoding: value, as: UTF8.self)).utf8
        if String(validating: value, as: UTF8.self) == nil {
            line += ",\"raw_base64\":\"\(Data(value).base64EncodedString())\"".utf8
        }
        line += "}\n".utf8
        return line
    }
}
