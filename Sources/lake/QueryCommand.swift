import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeQuery

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Answer SQL (DuckDB's dialect) or a named question such as \"top tracks by region\".",
        discussion: """
            Tables: staged.<dataset>, curated.<table>, raw.<dataset> (rows of _meta and body/value
            JSON; use ->> or json_extract_string), a quoted path or glob of Parquet or NDJSON(.gz)
            files ('data/*.parquet', with Hive partition columns), or read_parquet('…').
            Questions come from ./schemas/questions.json (or --questions FILE) and lake's
            built-in ones; an unknown phrase lists them. Rows and time go to stderr.
            """)

    @OptionGroup var lake: LakeOptions
    @Argument(parsing: .allUnrecognized, help: "SQL, or a named question (quote it; words are joined with spaces).")
    var words: [String] = []

    var text: String { words.joined(separator: " ") }

    func validate() throws {
        if words.isEmpty { throw ValidationError("give SQL or a question, e.g. lake query \"top tracks by region\"") }
        // Only the query itself may start with '-' (a leading SQL comment); a later word that
        // does is a mistyped option, not part of the query.
        if let bad = words.dropFirst().first(where: { $0.hasPrefix("-") && !$0.contains(" ") && !$0.contains("\n") }) {
            throw ValidationError("unknown option '\(bad)' — see lake query --help")
        }
    }
    @Option(help: "Output format: table, csv, json (one array of objects) or ndjson.") var format: ResultRenderer.Format = .table
    @Flag(help: "Show the SQL (for a question) and the optimized plan instead of running it.") var explain = false
    @Option(help: ArgumentHelp("Questions file (default: ./schemas/questions.json, then the built-in questions).", valueName: "file"))
    var questions: String?
    @Option(help: "In table format, show at most this many rows.") var maxRows = 1000
    @Flag(help: "Print rows, time and (on a team lake) the S3 GETs to stderr in every format.") var stats = false

    func run() async throws {
        Allocator.keepFreedMemoryForReuse()
        let root = lake.root
        let catalog = root.exists ? try lake.openCatalog() : nil
        let objects = catalog?.objects
        let engine = QueryEngine(catalog: catalog)
        let book = try QuestionCatalog.load(explicit: questions)
        var sql = text
        var question: QuestionBook.Match?
        if !QuestionCatalog.looksLikeSQL(text) {
            guard let match = book.match(text) else {
                throw QueryError.unknownQuestion(text, known: book.questions.map { "\($0.example) — \($0.description)" })
            }
            question = match
            sql = match.sql
        }
        if explain {
            if let question { print("-- \(question.question.description)\n\(sql.trimmingCharacters(in: .whitespacesAndNewlines))\n") }
            print(try engine.explain(sql))
            return
        }
        let started = Date()
        let result = try engine.run(sql)
        print(ResultRenderer.render(result, format: format, maxRows: format == .table ? maxRows : nil), terminator: "")
        let seconds = Date().timeIntervalSince(started)
        let gets = objects.map { ", \($0.requests) GET\($0.requests == 1 ? "" : "s") from S3" } ?? ""
        if format == .table || stats {
            FileHandle.standardError.write(Data((String(format: "%d row%@ in %.3f s", result.rowCount, result.rowCount == 1 ? "" : "s", seconds) + gets + "\n").utf8))
        }
    }
}

extension ResultRenderer.Format: ExpressibleByArgument {}

/// Where questions come from: a file the user names, ./schemas/questions.json, the built-ins.
enum QuestionCatalog {
    static func load(explicit: String?) throws -> QuestionBook {
        var questions: [QuestionBook.Question] = []
        if let explicit { questions += try QuestionBook.load(explicit).questions } else {
            let local = FileManager.default.currentDirectoryPath + "/schemas/questions.json"
            if FileManager.default.fileExists(atPath: local) { questions += try QuestionBook.load(local).questions }
        }
        questions += BuiltinQuestions.book.questions.filter { q in !questions.contains { $0.pattern == q.pattern } }
        return QuestionBook(questions: questions)
    }

    static func looksLikeSQL(_ text: String) -> Bool {
        // Leading comments do not count.
        let code = text.replacingOccurrences(of: "(?s)/\\*.*?\\*/", with: " ", options: .regularExpression)
            .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(separator: "\n")
        let first = code.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "(" || $0 == "\t" }).first?.uppercased() ?? ""
        return ["SELECT", "WITH", "FROM", "EXPLAIN", "VALUES", "("].contains(first) || code.trimmingCharacters(in: .whitespaces).hasPrefix("(")
    }
}
