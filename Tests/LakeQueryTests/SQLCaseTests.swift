import Foundation
import LakeQuery
import Testing

/// SQL behaviour pinned in plain-text files (`cases/*.sql`): each case is a query, a `----`
/// line (or `---- error`), then the expected rows (tab-separated, NULL for null) or the start
/// of the expected error message, and a blank line. Rows are compared in order when the query
/// has an ORDER BY, as sorted lines otherwise.
///
/// `LAKE_SQL_FILL=1 swift test --filter SQLCaseTests` rewrites the files with what lake returns:
/// review the diff before committing it. The tables are the fixtures beside this file: `plays`
/// (Parquet by pyarrow, Hive-partitioned by dt and region), `tracks` (NDJSON) and `charts`
/// (Parquet by DuckDB); Tests/Integration/test_query.py runs every case in DuckDB too.
@Suite struct SQLCaseTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/cases")) ?? [])
        .filter { $0.hasSuffix(".sql") }.sorted()

    @Test(arguments: files) func cases(file: String) throws {
        let path = Self.folder + "/cases/" + file
        let cases = try SQLCase.parse(try String(contentsOfFile: path, encoding: .utf8))
        let engine = QueryEngine(tables: FixtureTables(folder: Self.folder + "/fixtures"), workingDirectory: Self.folder + "/fixtures")
        var filled: [SQLCase] = []
        for var c in cases {
            let actual = SQLCase.run(c.sql, engine)
            if ProcessInfo.processInfo.environment["LAKE_SQL_FILL"] == "1" {
                c.expectError = actual.error != nil
                c.expected = actual.error.map { [$0] } ?? actual.rows
                filled.append(c)
                continue
            }
            if c.expectError {
                #expect(actual.error?.hasPrefix(c.expected.joined(separator: "\n")) == true,
                        "\(file): \(c.sql)\nexpected error: \(c.expected.joined(separator: "\n"))\ngot: \(actual.error ?? actual.rows.joined(separator: "\n"))")
            } else {
                let ordered = c.sql.uppercased().contains("ORDER BY")
                let got = ordered ? actual.rows : actual.rows.sorted()
                let want = ordered ? c.expected : c.expected.sorted()
                #expect(actual.error == nil && got == want,
                        "\(file): \(c.sql)\nexpected:\n\(want.joined(separator: "\n"))\ngot:\n\(actual.error ?? got.joined(separator: "\n"))")
            }
        }
        if !filled.isEmpty { try SQLCase.render(filled).write(toFile: path, atomically: true, encoding: .utf8) }
    }
}

struct SQLCase {
    var comments: [String]
    var sql: String
    var expectError: Bool
    var expected: [String]

    static func parse(_ text: String) throws -> [SQLCase] {
        var cases: [SQLCase] = []
        var lines = text.components(separatedBy: "\n")[...]
        while !lines.isEmpty {
            var comments: [String] = []
            var sql: [String] = []
            while let l = lines.first, !l.hasPrefix("----") {
                lines.removeFirst()
                if sql.isEmpty && l.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                if sql.isEmpty && l.hasPrefix("#") { comments.append(l); continue }
                sql.append(l)
            }
            guard let marker = lines.first else { break }
            lines.removeFirst()
            var expected: [String] = []
            while let l = lines.first, !l.isEmpty {
                expected.append(l)
                lines.removeFirst()
            }
            cases.append(SQLCase(comments: comments, sql: sql.joined(separator: "\n"), expectError: marker.contains("error"), expected: expected))
        }
        return cases
    }

    static func render(_ cases: [SQLCase]) -> String {
        cases.map { c in
            (c.comments + [c.sql, c.expectError ? "---- error" : "----"] + c.expected).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    static func run(_ sql: String, _ engine: QueryEngine) -> (rows: [String], error: String?) {
        do {
            let result = try engine.run(sql)
            return (result.rows.map { row in row.map { $0.text ?? "NULL" }.joined(separator: "\t") }, nil)
        } catch let error as QueryError {
            return ([], error.message.components(separatedBy: "\n")[0])
        } catch {
            return ([], "\(error)")
        }
    }
}

/// The fixture tables by name.
struct FixtureTables: TableResolver {
    let folder: String

    func table(_ parts: [String], at: TimeTravel?) throws -> TableSource {
        switch parts.last!.lowercased() {
        case "plays": return try TableSource.files(Glob.expand(folder + "/plays/**/*.parquet", relativeTo: "/"), name: "plays", format: .parquet)
        case "tracks": return try TableSource.files([folder + "/tracks.ndjson"], name: "tracks", format: .ndjson)
        case "charts": return try TableSource.files([folder + "/charts.parquet"], name: "charts", format: .parquet)
        default: throw QueryError.unknownTable(parts.joined(separator: "."), suggestion: nil, known: knownNames())
        }
    }

    func knownNames() -> [String] { ["plays", "tracks", "charts"] }
}
