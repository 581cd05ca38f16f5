/// Dotted paths into parsed JSON (`albums.items`, `track.artists[0].name`), as source
/// declarations and contracts name fields.
///
/// The syntax: keys separated by `.`; after a key, any number of `[n]` (the n-th element,
/// from 0), `[-n]` (counted from the end: `data[-1].id` is the last element's id) or `[*]`
/// (every element, where a path may give several values). Nothing else: JSONPath's `$`,
/// `..`, quoted keys and filters are refused by `parse`, so a declaration that uses them
/// fails when it is loaded, not silently at run time.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable { case key(String), index(Int), each }
    public let steps: [Step]
    public let description: String

    /// Parses `a.b[0].c` leniently (what is not an index is a key); an empty string is the root.
    public init(_ text: String) {
        description = text
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: true) {
            var name = Substring(part)
            var indices: [Step] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                let inside = name[name.index(after: open)..<name.index(before: name.endIndex)]
                if inside == "*" {
                    indices.insert(.each, at: 0)
                } else if let index = Int(inside) {
                    indices.insert(.index(index), at: 0)
                } else {
                    break
                }
                name = name[..<open]
            }
            if !name.isEmpty { steps.append(.key(String(name))) }
            steps += indices
        }
        self.steps = steps
    }

    /// What is wrong with a path's syntax.
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let problem: String
        public var description: String {
            "\"\(path)\" is not a path lake reads (\(problem)); write keys separated by '.', with [n], [-n] or [*] after a key, e.g. \"data[-1].id\""
        }
    }

    /// Parses strictly: every character must belong to the syntax above. `allowEach: false`
    /// refuses `[*]` where one value is wanted.
    public static func parse(_ text: String, allowEach: Bool = false) throws -> JSONPath {
        func fail(_ problem: String) -> SyntaxError { SyntaxError(path: text, problem: problem) }
        if text.hasPrefix("$") { throw fail("no '$': paths start at the body (or record) itself") }
        if text.contains("..") { throw fail("no '..' descent") }
        if text.hasPrefix(".") || text.hasSuffix(".") { throw fail("a '.' needs a key on both sides") }
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let keyEnd = rest.firstIndex(of: "[") ?? rest.endIndex
            let key = rest[..<keyEnd]
            if key.isEmpty, keyEnd == rest.endIndex { throw fail("an empty key") }
            if let bad = key.first(where: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "@" || $0 == ":") }) {
                throw fail("'\(bad)' in key \"\(key)\"")
            }
            rest = rest[keyEnd...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                    throw fail("an unclosed or stray bracket in \"\(part)\"")
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if inside == "*" {
                    if !allowEach { throw fail("[*] gives several values where one is needed") }
                } else if Int(inside) == nil {
                    throw fail("[\(inside)] is not an index")
                }
                rest = rest[rest.index(after: close)...]
            }
        }
        return JSONPath(text)
    }

    /// Whether the path can give several values.
    public var fansOut: Bool { steps.contains(.each) }
}
