import Foundation
import LakeCore

/// pgoutput sends every value in its type's text output (with the session in UTC and ISO
/// dates); this turns it into JSON by the column's type OID. Integers are numbers, `numeric`
/// stays text so no digit is lost, json/jsonb are embedded, arrays become JSON arrays,
/// `bytea` is base64, timestamps are ISO 8601 (`timestamptz` in UTC with `Z`), and anything
/// else — enums, intervals, domains over text — is its text.
enum PgText {
    enum Kind: Equatable {
        case bool, integer, float, numeric, json, bytea, date, timestamp, timestamptz, text
        case array(element: UInt32)
    }

    static func kind(_ oid: UInt32) -> Kind {
        switch oid {
        case 16: return .bool
        case 20, 21, 23, 26: return .integer
        case 700, 701: return .float
        case 1700: return .numeric
        case 114, 3802: return .json
        case 17: return .bytea
        case 1082: return .date
        case 1114: return .timestamp
        case 1184: return .timestamptz
        default:
            if let element = arrayElements[oid] { return .array(element: element) }
            return .text
        }
    }

    /// Array type OID → element type OID, for the built-in types.
    static let arrayElements: [UInt32: UInt32] = [
        1000: 16, 1001: 17, 1005: 21, 1007: 23, 1016: 20, 1028: 26, 1021: 700, 1022: 701, 1231: 1700,
        1009: 25, 1015: 1043, 1014: 1042, 2951: 2950, 1182: 1082, 1115: 1114, 1185: 1184, 199: 114, 3807: 3802,
    ]

    static func json(_ text: ArraySlice<UInt8>, oid: UInt32) -> JSONValue { json(Array(text), oid: oid) }

    static func json(_ text: [UInt8], oid: UInt32) -> JSONValue {
        let string = String(decoding: text, as: UTF8.self)
        switch kind(oid) {
        case .bool: return .bool(string == "t" || string == "true")   // boolout, or bool::text
        case .integer: return Int(string).map(JSONValue.int) ?? .string(string)
        case .float:
            guard let value = Double(string), value.isFinite else { return .string(string) }
            return .double(value)
        case .numeric: return .string(string)
        case .json: return (try? JSONValue.parse(text)) ?? .string(string)
        case .bytea: return .string(Data(hexOutput: string)?.base64EncodedString() ?? string)
        case .date: return .string(string)
        case .timestamp: return .string(iso(string, zoned: false))
        case .timestamptz: return .string(iso(string, zoned: true))
        case let .array(element):
            guard let items = ArrayLiteral.parse(string) else { return .string(string) }
            return items.json { value in value.map { json(Array($0.utf8), oid: element) } ?? .null }
        case .text: return .string(string)
        }
    }

    /// The same JSON as `json(_:oid:)`, written as bytes: the hot path of every change.
    static func write(_ text: ArraySlice<UInt8>, oid: UInt32, to out: inout [UInt8]) {
        switch kind(oid) {
        case .bool:
            out += (text.first == 0x74 ? "true" : "false").utf8
        case .integer where !text.isEmpty && text.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2D }):
            out += text
        case .float where text.first.map({ (0x30...0x39).contains($0) }) == true
            || (text.first == 0x2D && text.count > 1 && (0x30...0x39).contains(text[text.startIndex + 1])):
            out += text
        case .json:
            // json keeps the text as written: its line breaks are whitespace, and a raw line is one line.
            out += text.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
        case .timestamp, .timestamptz:
            var t = Array(text)
            if t.count >= 19, t[10] == 0x20 {
                t[10] = 0x54
                if kind(oid) == .timestamptz {
                    if t.count >= 3, t[t.count - 3] == 0x2B, t[t.count - 2] == 0x30, t[t.count - 1] == 0x30 {
                        t.removeLast(3)
                        t.append(0x5A)
                    } else if t.count >= 3, t[t.count - 3] == 0x2B || t[t.count - 3] == 0x2D {
                        t += ":00".utf8
                    }
                }
            }
            JSONBytes.string(t, to: &out)
        case .integer, .float, .numeric, .date, .text:
            JSONBytes.string(text, to: &out)
        case .bytea, .array:
            out += json(text, oid: oid).serialized().utf8
        }
    }

    /// `2026-11-24 10:00:00.5+00` → `2026-11-24T10:00:00.5Z`; `infinity` stays as it is.
    static func iso(_ text: String, zoned: Bool) -> String {
        guard text.count >= 19, text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 10)] == 0x20 else { return text }
        var out = text.replacingOccurrences(of: " ", with: "T")
        if zoned {
            if out.hasSuffix("+00") { out.removeLast(3); out += "Z" }
            else if let sign = out.lastIndex(where: { $0 == "+" || $0 == "-" }), out.distance(from: sign, to: out.endIndex) == 3 {
                out += ":00"   // +05 → +05:00
            }
        }
        return out
    }
}

/// PostgreSQL's array text: `{1,2}`, `{"a b","c\"d",NULL}`, `{{1,2},{3,4}}`.
indirect enum ArrayLiteral {
    case item(String?)
    case list([ArrayLiteral])

    static func parse(_ text: String) -> [ArrayLiteral]? {
        var chars = Array(text.utf8)[...]
        // A lower bound decoration `[0:1]={…}` is dropped.
        if chars.first == UInt8(ascii: "["), let eq = chars.firstIndex(of: UInt8(ascii: "=")) { chars = chars[(eq + 1)...] }
        guard case let .list(items)? = parseList(&chars) else { return nil }
        return items
    }

    private static func parseList(_ s: inout ArraySlice<UInt8>) -> ArrayLiteral? {
        guard s.first == UInt8(ascii: "{") else { return nil }
        s.removeFirst()
        var items: [ArrayLiteral] = []
        if s.first == UInt8(ascii: "}") { s.removeFirst(); return .list(items) }
        while let c = s.first {
            if c == UInt8(ascii: "{") {
                guard let inner = parseList(&s) else { return nil }
                items.append(inner)
            } else if c == UInt8(ascii: "\"") {
                s.removeFirst()
                var out: [UInt8] = []
                while let d = s.first, d != UInt8(ascii: "\"") {
                    s.removeFirst()
                    if d == UInt8(ascii: "\\"), let e = s.first { out.append(e); s.removeFirst() } else { out.append(d) }
                }
                guard !s.isEmpty else { return nil }
                s.removeFirst()
                items.append(.item(String(decoding: out, as: UTF8.self)))
            } else {
                var out: [UInt8] = []
                while let d = s.first, d != UInt8(ascii: ","), d != UInt8(ascii: "}") { out.append(d); s.removeFirst() }
                let word = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                items.append(.item(word.uppercased() == "NULL" ? nil : word))
            }
            guard let sep = s.first else { return nil }
            s.removeFirst()
            if sep == UInt8(ascii: "}") { return .list(items) }
            guard sep == UInt8(ascii: ",") else { return nil }
        }
        return nil
    }
}

extension [ArrayLiteral] {
    func json(_ element: (String?) -> JSONValue) -> JSONValue {
        .array(map { item in
            switch item {
            case let .item(value): return element(value)
            case let .list(inner): return inner.json(element)
            }
        })
    }
}

extension Data {
    /// bytea's hex output: `\x0a1b…`.
    init?(hexOutput text: String) {
        guard text.hasPrefix("\\x") else { return nil }
        let digits = Array(text.utf8.dropFirst(2))
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes)
    }
}
