import Foundation
import LakeCore

/// Prints a query result: an aligned table for people, CSV, JSON (one array of objects, keys in
/// column order) or NDJSON (one object per line) for programs. Numbers stay numbers and null
/// stays null; dates and times are strings as DuckDB prints them.
public enum ResultRenderer {
    public enum Format: String, Sendable, CaseIterable { case table, csv, json, ndjson }

    public static func render(_ result: QueryResult, format: Format, maxRows: Int? = nil) -> String {
        switch format {
        case .table: return table(result, maxRows: maxRows)
        case .csv: return csv(result)
        case .json: return "[" + objects(result).joined(separator: ",\n ") + "]\n"
        case .ndjson: return objects(result).map { $0 + "\n" }.joined()
        }
    }

    public static func json(_ v: Value) -> JSONValue {
        switch v {
        case .null: return .null
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(Int(i))
        case let .double(d): return d.isFinite ? .double(d) : .null
        default: return .string(v.text ?? "")
        }
    }

    static func objects(_ result: QueryResult) -> [String] {
        result.rows.map { row in
            JSONValue.object(zip(result.columns, row).map { ($0.name, json($1)) }).serialized()
        }
    }

    static func csv(_ result: QueryResult) -> String {
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = result.columns.map { quote($0.name) }.joined(separator: ",") + "\n"
        for row in result.rows { out += row.map { quote($0.text ?? "") }.joined(separator: ",") + "\n" }
        return out
    }

    static let widestCell = 120

    static func cut(_ text: String) -> String {
        text.count <= widestCell ? text : String(text.prefix(widestCell - 1)) + "…"
    }

    static func table(_ result: QueryResult, maxRows: Int?) -> String {
        let all = result.rows
        let shown = maxRows.map { Array(all.prefix($0)) } ?? all
        let headers = result.columns.map(\.name)
        // A long text (a JSON document, a TOASTed column) is cut in a table, as DuckDB's shell
        // cuts it; csv and json give it whole.
        let cells = shown.map { row in row.map { Self.cut($0.text ?? "NULL") } }
        var widths = headers.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        let numeric = result.columns.map { $0.type.isNumeric }
        func line(_ values: [String]) -> String {
            values.enumerated().map { i, v in
                let pad = String(repeating: " ", count: widths[i] - v.count)
                return numeric[i] ? pad + v : v + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = line(headers) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { out += line(row) + "\n" }
        if shown.count < all.count { out += "… \(all.count - shown.count) more rows (use --format csv or LIMIT)\n" }
        return out
    }
}

extension String {
    /// Without the spaces at its end (a regular expression for this is quadratic on long padding).
    func trimmingTrailingSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return String(self[..<end])
    }
}
