import Foundation
import LakeQuery
import Testing

@Suite struct ResultRendererTests {
    @Test func aLongTextIsCutInATableAndGivenWholeInJSON() throws {
        let engine = QueryEngine(tables: NoTables())
        let result = try engine.run("SELECT repeat('x', 20000) AS body, 1 AS n UNION ALL SELECT 'short', 2")
        let table = ResultRenderer.render(result, format: .table)
        let lines = table.split(separator: "\n")
        #expect(lines[2].hasPrefix(String(repeating: "x", count: 119) + "…"))
        #expect(lines[3] == "short" + String(repeating: " ", count: 115) + "  2")
        #expect(ResultRenderer.render(result, format: .json).contains(String(repeating: "x", count: 20000)))
    }
}

/// A query that reads no table.
struct NoTables: TableResolver {
    func table(_ parts: [String], at: TimeTravel?) throws -> TableSource { throw QueryError.unknownTable(parts.joined(separator: "."), suggestion: nil, known: []) }
    func knownNames() -> [String] { [] }
}
