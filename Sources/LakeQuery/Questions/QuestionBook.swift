import Foundation
import LakeCore

/// Named questions: phrases like "top tracks by region" mapped to SQL templates, from a JSON
/// file (`schemas/questions.json`), so users add their own.
///
/// ```json
/// {"questions": [{"pattern": "top {n:int=10} tracks by region( last {days:int=7} days)?",
///                 "description": "…", "sql": "SELECT … LIMIT {n}"}]}
/// ```
/// A pattern is matched whole, case-insensitively, with spaces flexible. `{name}` captures a
/// word, `{name:int}` a number, `{name:word}` a word; `=default` fills it when the optional
/// part that holds it is absent. `(…)?` marks an optional part. The SQL gets each capture
/// substituted for `{name}`; text captures are quoted as SQL strings by `{name:sql}`.
public struct QuestionBook: Sendable {
    public struct Question: Sendable {
        public var pattern: String
        public var description: String
        public var sql: String
        public var example: String
    }

    public struct Match: Sendable {
        public var question: Question
        public var sql: String
    }

    public let questions: [Question]

    public init(questions: [Question]) { self.questions = questions }

    public static func load(_ path: String) throws -> QuestionBook {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QueryError.io("cannot read the questions file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source path: String = "built-in questions") throws -> QuestionBook {
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch {
            throw QueryError.io("\(path) is not valid JSON: \(error)")
        }
        guard let list = value["questions"]?.arrayValue else {
            throw QueryError.io("\(path): expected {\"questions\": [{\"pattern\": …, \"sql\": …}]}")
        }
        return QuestionBook(questions: try list.enumerated().map { i, q in
            guard let pattern = q["pattern"]?.stringValue, let sqlValue = q["sql"] else {
                throw QueryError.io("\(path): question \(i + 1) needs \"pattern\" and \"sql\"")
            }
            let sql = sqlValue.stringValue ?? (sqlValue.arrayValue?.compactMap(\.stringValue).joined(separator: "\n") ?? "")
            return Question(pattern: pattern, description: q["description"]?.stringValue ?? "", sql: sql,
                            example: q["example"]?.stringValue ?? pattern)
        })
    }

    /// The question `text` asks, with its SQL filled in, or nil.
    public func match(_ text: String) -> Match? {
        let normalized = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
            .trimmingCharacters(in: CharacterSet(charactersIn: "?.!"))
        for q in questions {
            let (regex, captures) = Self.compile(q.pattern)
            guard let re = try? NSRegularExpression(pattern: "^" + regex + "$", options: [.caseInsensitive]),
                  let m = re.firstMatch(in: normalized, range: NSRange(normalized.startIndex..., in: normalized)) else { continue }
            var sql = q.sql
            for (k, capture) in captures.enumerated() {
                let range = m.range(at: k + 1)
                var value = capture.defaultValue ?? ""
                if range.location != NSNotFound, let r = Range(range, in: normalized) { value = String(normalized[r]) }
                sql = sql.replacingOccurrences(of: "{\(capture.name):sql}", with: "'" + value.replacingOccurrences(of: "'", with: "''") + "'")
                sql = sql.replacingOccurrences(of: "{\(capture.name):upper}", with: "'" + value.uppercased().replacingOccurrences(of: "'", with: "''") + "'")
                sql = sql.replacingOccurrences(of: "{\(capture.name)}", with: value)
            }
            return Match(question: q, sql: sql)
        }
        return nil
    }

    struct Capture { var name: String; var kind: String; var defaultValue: String? }

    /// Pattern → regular expression with one group per capture.
    static func compile(_ pattern: String) -> (String, [Capture]) {
        var regex = ""
        var captures: [Capture] = []
        var i = pattern.startIndex
        while i < pattern.endIndex {
            let c = pattern[i]
            if c == "{", let close = pattern[i...].firstIndex(of: "}") {
                let spec = String(pattern[pattern.index(after: i)..<close])
                let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                let nameKind = parts[0].split(separator: ":").map(String.init)
                let capture = Capture(name: nameKind[0], kind: nameKind.count > 1 ? nameKind[1] : "", defaultValue: parts.count > 1 ? parts[1] : nil)
                captures.append(capture)
                regex += capture.kind == "int" ? "([0-9]+)" : "([a-z0-9_\\-]+)"
                i = pattern.index(after: close)
                continue
            }
            switch c {
            case " ": regex += "\\s*"
            case "(": regex += "(?:"
            case ")", "?", "|": regex.append(c)
            default: regex += NSRegularExpression.escapedPattern(for: String(c))
            }
            i = pattern.index(after: i)
        }
        return (regex, captures)
    }
}
