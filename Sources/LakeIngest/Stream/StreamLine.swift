import Foundation
import LakeCore

/// Raw and quarantine lines for stream events:
///
/// ```
/// {"_meta": {"source": "embedded", "topic": "plays", "partition": 3, "offset": 1234, "key": "u1",
///            "arrival_time": "…", "ingested_at": "…"}, "value": <the event as received>}
/// {"_meta": {…, "reason": "not JSON: unexpected end (truncated JSON) at byte 17"}, "raw": "<the bytes>"}
/// ```
///
/// Kafka adds `"timestamp": {"ms": …, "type": "CreateTime"}` and `"headers"`; a key that is
/// not UTF-8 is base64 with `"key_base64": true`.
enum StreamLine {
    /// The parts of `_meta` that are the same for every event of a run, rendered once.
    struct Prefix {
        let head: [UInt8]
        let numericOffset: Bool
        /// Redis entry ids are also written as `stream_id`.
        let redisIds: Bool

        init(source: String, stream: String, numericOffset: Bool) {
            redisIds = source.hasPrefix("redis://")
            head = Array("{\"source\":\(JSONValue.quote(source)),\"topic\":\(JSONValue.quote(stream)),\"partition\":".utf8)
            self.numericOffset = numericOffset
        }
    }

    static func meta(_ event: StreamEvent, prefix: Prefix, arrival: String, ingestedAt: String,
                     reason: String? = nil) -> [UInt8] {
        var out = prefix.head
        out.reserveCapacity(out.count + 160)
        out += String(event.partition).utf8
        if prefix.numericOffset {
            out += ",\"offset\":".utf8
            out += event.offset.utf8
        } else {
            out += ",\"offset\":\"".utf8
            out += event.offset.utf8
            out += "\"".utf8
            if prefix.redisIds {
                out += ",\"stream_id\":\"".utf8
                out += event.offset.utf8
                out += "\"".utf8
            }
        }
        out += ",\"key\":".utf8
        if let key = event.key {
            if key.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 < 0x80 }) {
                out.append(0x22); out += key; out.append(0x22)
            } else if let text = String(validating: key, as: UTF8.self) {
                out += JSONValue.quote(text).utf8
            } else {
                // Bytes that are not text (Avro, a hash…): base64, flagged, so nothing is lost.
                out += "\"\(Data(key).base64EncodedString())\",\"key_base64\":true".utf8
            }
        } else {
            out += "null".utf8
        }
        if let timestamp = event.timestamp {
            out += ",\"timestamp\":{\"ms\":".utf8
            out += String(timestamp.ms).utf8
            out += ",\"type\":\"".utf8
            out += timestamp.type.utf8
            out += "\"}".utf8
        }
        if let headers = event.headers, !headers.isEmpty { appendHeaders(headers, to: &out) }
        for (name, value) in event.extraMeta ?? [] { out += ",\(JSONValue.quote(name)):\(value.serialized())".utf8 }
        out += ",\"arrival_time\":\"".utf8
        out += arrival.utf8
        out += "\",\"ingested_at\":\"".utf8
        out += ingestedAt.utf8
        out.append(0x22)
        if let reason { out += ",\"reason\":\(JSONValue.quote(reason))".utf8 }
        out.append(0x7D)
        return out
    }

    /// `"headers": {"name": "text", "repeated": ["a", "b"], "binary": "<base64>"}`, plus
    /// `"headers_base64": ["binary"]` naming the values that were not UTF-8.
    private static func appendHeaders(_ headers: [(key: String, value: [UInt8]?)], to out: inout [UInt8]) {
        var order: [String] = []
        var values: [String: [JSONValue]] = [:]
        var binary: [String] = []
        for (key, value) in headers {
            if values[key] == nil { order.append(key) }
            guard let value else { values[key, default: []].append(.null); continue }
            if let text = String(validating: value, as: UTF8.self) {
                values[key, default: []].append(.string(text))
            } else {
                values[key, default: []].append(.string(Data(value).base64EncodedString()))
                if !binary.contains(key) { binary.append(key) }
            }
        }
        let object = JSONValue.object(order.map { ($0, values[$0]!.count == 1 ? values[$0]![0] : .array(values[$0]!)) })
        out += ",\"headers\":\(object.serialized())".utf8
        if !binary.isEmpty { out += ",\"headers_base64\":\(JSONValue.array(binary.map { .string($0) }).serialized())".utf8 }
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
