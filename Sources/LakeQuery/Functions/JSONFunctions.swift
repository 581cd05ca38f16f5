import LakeCore

/// `json_extract_string(j, path)` (`->>`) and `json_extract(j, path)` (`->`) over JSON text.
/// A path is a key (`'region'`), a JSONPath (`'$.album.name'`, `'$.items[0]'`) or an index.
enum JSONFunctions {
    static func resolve(_ n: String, _ args: [DataType], expr: String) throws -> ResolvedFunction? {
        guard n == "json_extract_string" || n == "json_extract" || n == "list_extract" else { return nil }
        guard args.count == 2 else { throw QueryError.type("\(n)() takes 2 arguments, in \(expr)") }
        let asText = n == "json_extract_string"
        return ResolvedFunction(function: ScalarFunction(n) { v in
            guard let text = v[0].text, let json = try? JSONValue.parse(text) else { return .null }
            var node: JSONValue? = json
            switch v[1] {
            case let .int(i): node = node?.arrayValue.flatMap { Int(i) >= 0 && Int(i) < $0.count ? $0[Int(i)] : nil }
            case let .string(p):
                var path = p
                if path.hasPrefix("$") { path.removeFirst(); if path.hasPrefix(".") { path.removeFirst() } } else {
                    node = node?[p]
                    return render(node, asText: asText)
                }
                for step in JSONPath(path).steps {
                    switch step {
                    case let .key(k): node = node?[k]
                    case let .index(i): node = node?.arrayValue.flatMap { i < $0.count ? $0[i] : nil }
                    }
                }
            default: return .null
            }
            return render(node, asText: asText)
        }, type: asText ? .varchar : .json, argTypes: [.json, nil])
    }

    static func render(_ node: JSONValue?, asText: Bool) -> Value {
        guard let node else { return .null }
        if case .null = node { return asText ? .null : .string("null") }
        if asText, case let .string(s) = node { return .string(s) }
        return .string(node.serialized())
    }
}
