/// Allocation-free access to a tape for bulk work (promotion reads millions of records).
extension JSONNode {
    /// Calls `body` with each member's key node and value node, in document order.
    @inline(__always)
    public func forEachMember(_ body: (JSONNode, JSONNode) throws -> Void) rethrows {
        guard kind == .object else { return }
        var i = index + 1
        let end = Int(token.next)
        while i < end {
            let value = JSONNode(tape: tape, index: i + 1)
            try body(JSONNode(tape: tape, index: i), value)
            i = Int(tape.tokens[i + 1].next)
        }
    }

    /// For a string: the bytes between the quotes (escapes not decoded); else the value's bytes.
    public var contentRange: Range<Int> { Int(token.start)..<Int(token.end) }

    /// A string holds a backslash escape, so `contentRange` is not its value.
    public var isEscaped: Bool { token.escaped }

    /// A string's value as bytes, unescaped only when it needs to be.
    public var stringBytes: ArraySlice<UInt8> {
        let t = token
        let slice = tape.bytes[Int(t.start)..<Int(t.end)]
        return t.escaped ? ArraySlice(Array(JSONNode.unescape(slice).utf8)) : slice
    }

    /// Whether this string's key equals `name` (unescaped bytes compared without allocating).
    @inline(__always)
    public func keyEquals(_ name: [UInt8]) -> Bool {
        let t = token
        if t.escaped { return Array(stringBytes) == name }
        let n = Int(t.end - t.start)
        guard n == name.count else { return false }
        return tape.bytes.withUnsafeBufferPointer { b in
            name.withUnsafeBufferPointer { k in memcmp(b.baseAddress! + Int(t.start), k.baseAddress!, n) == 0 }
        }
    }

    /// A number written as an integer (`-12`, `3`; also `3.0` and `1e3` when whole) as Int64.
    public var int64: Int64? {
        guard kind == .number else { return nil }
        let t = token
        return tape.bytes.withUnsafeBufferPointer { JSONNumber.int64(UnsafeBufferPointer(rebasing: $0[Int(t.start)..<Int(t.end)])) }
    }

    /// The JSON Schema type name of this value (`integer` for whole numbers).
    public var schemaTypeName: String {
        switch kind {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .bool: return "boolean"
        case .null: return "null"
        case .number: return int64 != nil ? "integer" : "number"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension JSONNode {
    /// This value as a `JSONValue`, objects in document order.
    public var jsonValue: JSONValue {
        switch kind {
        case .null: return .null
        case .bool: return .bool(bool ?? false)
        case .string: return .string(string ?? "")
        case .number: return int64.map { .int(Int($0)) } ?? .double(double ?? 0)
        case .array: return .array(elements.map(\.jsonValue))
        case .object:
            var pairs: [(String, JSONValue)] = []
            forEachMember { key, value in pairs.append((key.string ?? "", value.jsonValue)) }
            return .object(pairs)
        }
    }
}

extension JSONNode {
    /// Decodes a JSON string's escapes (the bytes between its quotes) to UTF-8.
    public static func unescapedBytes(_ content: ArraySlice<UInt8>) -> [UInt8] { Array(unescape(content).utf8) }
}

/// JSON number text → Int64, without allocating.
public enum JSONNumber {
    /// Whole values only (`-12`, `3.0`, `1e3`), as JSON Schema's `integer` counts them.
    public static func int64(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty else { return nil }
        var i = 0
        var negative = false
        if b[0] == 45 { negative = true; i = 1 }
        var value: Int64 = 0
        while i < b.count {
            let c = b[i]
            guard c >= 48 && c <= 57 else {
                // A fraction or exponent: whole values still count as integers.
                guard let d = Double(String(decoding: b, as: UTF8.self)), d.rounded() == d, abs(d) < 9.2e18 else { return nil }
                return Int64(d)
            }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        return negative ? -value : value
    }
}
