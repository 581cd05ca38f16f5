/// A validated JSON document read in one pass into a flat tape of tokens, the way simdjson
/// does it: no tree of objects is built, and values are decoded only when asked for.
///
/// Pages are checked (complete, valid JSON and UTF-8) and then read at a few paths (a next
/// link, a records array, a field of each record); building and freeing a whole Foundation
/// tree for that costs ten times more.
public struct JSONTape: Sendable {
    public enum Kind: UInt8, Sendable { case object, array, string, number, bool, null }

    struct Token: Sendable {
        var kind: Kind
        /// For strings the bytes between the quotes; for numbers and literals their bytes;
        /// for containers from the opening to the closing bracket, inclusive.
        var start: Int32
        var end: Int32
        /// Index of the next sibling: past a container's last descendant.
        var next: Int32
        /// A string holds a backslash escape.
        var escaped: Bool
    }

    public let bytes: [UInt8]
    let tokens: [Token]

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    public init(_ bytes: [UInt8]) throws {
        if let bad = UTF8Check.firstInvalid(bytes) {
            throw Invalid(offset: bad, reason: "not valid UTF-8")
        }
        self.bytes = bytes
        var parser = Parser(bytes: bytes)
        tokens = try parser.parseDocument()
    }

    public var root: JSONNode { JSONNode(tape: self, index: 0) }
}

/// One value in a `JSONTape`.
public struct JSONNode: Sendable {
    public let tape: JSONTape
    let index: Int

    var token: JSONTape.Token { tape.tokens[index] }
    public var kind: JSONTape.Kind { token.kind }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONNode? {
        guard kind == .object else { return nil }
        let wanted = Array(key.utf8)
        var i = index + 1
        let end = Int(token.next)
        while i < end {
            let keyToken = tape.tokens[i]
            let matches = keyToken.escaped
                ? JSONNode(tape: tape, index: i).string == key
                : tape.bytes[Int(keyToken.start)..<Int(keyToken.end)].elementsEqual(wanted)
            if matches { return JSONNode(tape: tape, index: i + 1) }
            i = Int(tape.tokens[i + 1].next)
        }
        return nil
    }

    /// The elements of an array (or the values of an object).
    public var elements: [JSONNode] {
        guard kind == .array || kind == .object else { return [] }
        var result: [JSONNode] = []
        var i = index + 1
        let end = Int(token.next)
        while i < end {
            if kind == .object { i += 1 }
            result.append(JSONNode(tape: tape, index: i))
            i = Int(tape.tokens[i].next)
        }
        return result
    }

    /// The value at `path` (`albums.items`, `track.artists[0].name`, `data[-1].id`); the
    /// first where `[*]` would give several.
    public func value(at path: JSONPath) -> JSONNode? {
        var node: JSONNode? = self
        for step in path.steps {
            switch step {
            case let .key(key): node = node?[key]
            case let .index(i): node = node?.element(i)
            case .each: node = node?.element(0)
            }
        }
        return node
    }

    /// Every value at `path`, `[*]` taking each element in turn.
    public func values(at path: JSONPath) -> [JSONNode] {
        var nodes: [JSONNode] = [self]
        for step in path.steps {
            switch step {
            case let .key(key): nodes = nodes.compactMap { $0[key] }
            case let .index(i): nodes = nodes.compactMap { $0.element(i) }
            case .each: nodes = nodes.flatMap { $0.kind == .array ? $0.elements : [] }
            }
        }
        return nodes
    }

    /// The i-th element of an array; a negative i counts from the end (-1 is the last).
    public func element(_ i: Int) -> JSONNode? {
        guard kind == .array else { return nil }
        if i < 0 {
            let all = elements
            return all.count + i >= 0 ? all[all.count + i] : nil
        }
        var j = index + 1
        var k = 0
        let end = Int(token.next)
        while j < end, k < i { j = Int(tape.tokens[j].next); k += 1 }
        return j < end ? JSONNode(tape: tape, index: j) : nil
    }

    /// The bytes of this value as they stand in the document.
    public var raw: ArraySlice<UInt8> {
        let t = token
        return t.kind == .string ? tape.bytes[Int(t.start - 1)...Int(t.end)] : tape.bytes[Int(t.start)..<Int(t.end)]
    }

    /// The byte range of this value in the document.
    public var range: Range<Int> {
        let t = token
        return t.kind == .string ? Int(t.start - 1)..<Int(t.end + 1) : Int(t.start)..<Int(t.end)
    }

    public var isNull: Bool { kind == .null }

    /// A string's decoded value.
    public var string: String? {
        guard kind == .string else { return nil }
        let t = token
        let slice = tape.bytes[Int(t.start)..<Int(t.end)]
        return t.escaped ? JSONNode.unescape(slice) : String(decoding: slice, as: UTF8.self)
    }

    public var int: Int? {
        switch kind {
        case .number: return Int(String(decoding: raw, as: UTF8.self)) ?? double.flatMap { Int(exactly: $0) }
        case .string: return string.flatMap { Int($0) }
        default: return nil
        }
    }

    public var double: Double? { kind == .number ? Double(String(decoding: raw, as: UTF8.self)) : nil }

    public var bool: Bool? { kind == .bool ? tape.bytes[Int(token.start)] == UInt8(ascii: "t") : nil }

    /// A scalar as text: a string's value, or a number's or literal's JSON text.
    public var text: String? {
        switch kind {
        case .string: return string
        case .number, .bool: return String(decoding: raw, as: UTF8.self)
        default: return nil
        }
    }

    static func unescape(_ slice: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = slice.startIndex
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for b in slice[at..<(at + 4)] {
                v <<= 4
                switch b {
                case 48...57: v |= UInt32(b - 48)
                case 65...70: v |= UInt32(b - 55)
                default: v |= UInt32(b - 87)
                }
            }
            return v
        }
        while i < slice.endIndex {
            let b = slice[i]
            guard b == UInt8(ascii: "\\") else { out.append(b); i += 1; continue }
            let e = slice[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar), i + 6 <= slice.endIndex, slice[i] == UInt8(ascii: "\\") {
                    let low = hex4(i + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private struct Parser {
    let bytes: [UInt8]
    var position = 0
    var tokens: [JSONTape.Token] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
        tokens.reserveCapacity(bytes.count / 8)
    }

    func fail(_ reason: String) -> JSONTape.Invalid { .init(offset: position, reason: reason) }

    mutating func parseDocument() throws -> [JSONTape.Token] {
        skipSpace()
        try parseValue(depth: 0)
        skipSpace()
        guard position == bytes.count else { throw fail("unexpected bytes after the JSON value") }
        return tokens
    }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws {
        guard depth < 512 else { throw fail("nesting too deep") }
        guard position < bytes.count else { throw fail("unexpected end (truncated JSON)") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try parseContainer(.object, close: UInt8(ascii: "}"), depth: depth)
        case UInt8(ascii: "["): try parseContainer(.array, close: UInt8(ascii: "]"), depth: depth)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"): try literal("true", .bool)
        case UInt8(ascii: "f"): try literal("false", .bool)
        case UInt8(ascii: "n"): try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    mutating func parseContainer(_ kind: JSONTape.Kind, close: UInt8, depth: Int) throws {
        let me = tokens.count
        tokens.append(.init(kind: kind, start: Int32(position), end: 0, next: 0, escaped: false))
        position += 1
        skipSpace()
        if position < bytes.count, bytes[position] == close {
            position += 1
        } else {
            while true {
                if kind == .object {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw fail(position < bytes.count ? "expected a member name" : "unexpected end (truncated JSON)")
                    }
                    try parseString()
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                        throw fail(position < bytes.count ? "expected ':'" : "unexpected end (truncated JSON)")
                    }
                    position += 1
                    skipSpace()
                }
                try parseValue(depth: depth + 1)
                skipSpace()
                guard position < bytes.count else { throw fail("unexpected end (truncated JSON)") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    skipSpace()
                } else if bytes[position] == close {
                    position += 1
                    break
                } else {
                    throw fail("expected ',' or a closing bracket")
                }
            }
        }
        tokens[me].end = Int32(position)
        tokens[me].next = Int32(tokens.count)
    }

    mutating func parseString() throws {
        position += 1
        let start = position
        var escaped = false
        while true {
            guard position < bytes.count else { throw fail("unexpected end inside a string (truncated JSON)") }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw fail("control character inside a string") }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard position + 1 < bytes.count else { throw fail("unexpected end inside a string (truncated JSON)") }
                switch bytes[position + 1] {
                case UInt8(ascii: "u"):
                    guard position + 5 < bytes.count,
                          bytes[(position + 2)...(position + 5)].allSatisfy({ Parser.isHex($0) })
                    else { throw fail("bad \\u escape") }
                    position += 6
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                default:
                    throw fail("bad escape")
                }
                continue
            }
            position += 1
        }
        tokens.append(.init(kind: .string, start: Int32(start), end: Int32(position), next: Int32(tokens.count + 1),
                            escaped: escaped))
        position += 1
    }

    static func isHex(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b)
    }

    mutating func literal(_ word: StaticString, _ kind: JSONTape.Kind) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end (truncated JSON)") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        guard bytes[position..<(position + count)].elementsEqual(expected) else { throw fail("invalid literal") }
        tokens.append(.init(kind: kind, start: Int32(position), end: Int32(position + count),
                            next: Int32(tokens.count + 1), escaped: false))
        position += count
    }

    mutating func parseNumber() throws {
        let start = position
        func digits() -> Int {
            let from = position
            while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
            return position - from
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw fail("unexpected end (truncated JSON)") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw fail("invalid number")
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw fail("invalid number") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw fail("invalid number") }
        }
        tokens.append(.init(kind: .number, start: Int32(start), end: Int32(position), next: Int32(tokens.count + 1),
                            escaped: false))
    }
}
