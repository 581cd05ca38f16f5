import LakeCore

/// `json_extract_string(j, path)` (`->>`) and `json_extract(j, path)` (`->`) over JSON text.
/// A path is a key (`'region'`), a JSONPath (`'$.album.name'`, `'$.items[0]'`) or an index.
enum JSONFunctions {
    static func resolve(_ n: String, _ args: [DataType], expr: String) throws -> ResolvedFunction? {
        guard n == "json_extract_string" || n == "json_extract" || n == "list_extract" else { return nil }
        guard args.count == 2 else { throw QueryError.type("\(n)() takes 2 arguments, in \(expr)") }
        let asText = n == "json_extract_string"
        return ResolvedFunction(function: ScalarFunction(n) { v in
            guard let text = v[0].text, let tape = try? JSONTape(Array(text.utf8)) else { return .null }
            var node: JSONNode? = tape.root
            switch v[1] {
            case let .int(i): node = i >= 0 ? node?.value(at: JSONPath("[\(i)]")) : nil
            case let .string(p):
                if p.hasPrefix("$") {
                    var path = String(p.dropFirst())
                    if path.hasPrefix(".") { path.removeFirst() }
                    node = node?.value(at: JSONPath(path))
                } else {
                    node = node?.kind == .object ? node?[p] : nil
                }
            default: return .null
            }
            return render(node, asText: asText)
        }, type: asText ? .varchar : .json, argTypes: [.json, nil])
    }

    static func render(_ node: JSONNode?, asText: Bool) -> Value {
        guard let node else { return .null }
        if node.isNull { return asText ? .null : .string("null") }
        if asText, node.kind == .string {
            return .string(String(decoding: node.stringBytes, as: UTF8.self))
        }
        return .string(String(decoding: ScanOperator.minified(node.raw), as: UTF8.self))
    }
}
