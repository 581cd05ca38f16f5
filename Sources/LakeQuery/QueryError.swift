import LakeCore

/// Failures of `lake query`, each saying where and what to do.
public enum QueryError: LakeError, Equatable {
    /// Line and column are 1-based, in the SQL text.
    case syntax(String, line: Int, column: Int, sql: String)
    case unknownTable(String, suggestion: String?, known: [String])
    case unknownColumn(String, suggestion: String?, table: String?)
    case ambiguousColumn(String, candidates: [String])
    case type(String)
    case unsupported(String)
    case runtime(String)
    case io(String)
    case unknownQuestion(String, known: [String])

    public var stage: String { "Query" }

    public var message: String {
        switch self {
        case let .syntax(m, line, column, sql):
            let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
            var out = "syntax error at line \(line), column \(column): \(m)"
            if line - 1 < lines.count {
                out += "\n  " + lines[line - 1] + "\n  " + String(repeating: " ", count: max(0, column - 1)) + "^"
            }
            return out
        case let .unknownTable(name, suggestion, known):
            if let suggestion { return "no table '\(name)' — did you mean '\(suggestion)'?" }
            return "no table '\(name)'" + (known.isEmpty ? "" : "; the lake has: " + known.prefix(12).joined(separator: ", "))
                + " (or query a file: FROM 'path/*.parquet')"
        case let .unknownColumn(name, suggestion, table):
            return "no column '\(name)'" + (table.map { " in \($0)" } ?? "")
                + (suggestion.map { " — did you mean '\($0)'?" } ?? "")
        case let .ambiguousColumn(name, candidates):
            return "column '\(name)' is ambiguous: it could be \(candidates.joined(separator: " or ")) — qualify it with its table"
        case let .type(m), let .unsupported(m), let .runtime(m), let .io(m):
            return m
        case let .unknownQuestion(q, known):
            return "'\(q)' is neither SQL nor a question lake knows. Questions it knows:\n" + known.map { "  " + $0 }.joined(separator: "\n")
                + "\n(add your own to schemas/questions.json)"
        }
    }
}
