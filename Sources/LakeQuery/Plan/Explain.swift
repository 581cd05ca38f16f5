/// EXPLAIN: the optimized plan as an indented tree, one operator per line, with what each
/// scan reads and how it prunes.
enum Explain {
    static func render(_ plan: LogicalPlan) -> String {
        var lines: [String] = []
        walk(plan, depth: 0, into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func walk(_ plan: LogicalPlan, depth: Int, into lines: inout [String]) {
        let pad = String(repeating: "  ", count: depth)
        let inputNames = plan.children.first?.fields.map(\.name) ?? []
        func keys(_ ks: [SortKey], _ names: [String]) -> String {
            ks.map { $0.expr.describe(names) + ($0.descending ? " DESC" : "") + ($0.nullsFirst ? " NULLS FIRST" : "") }.joined(separator: ", ")
        }
        switch plan {
        case let .scan(s):
            let names = s.source.fields.map(\.name)
            var line = "\(pad)SCAN \(s.source.name) [\(s.source.format.rawValue), \(s.source.files.count) file\(s.source.files.count == 1 ? "" : "s")]"
            line += " columns: " + (s.columns.isEmpty ? "(none)" : s.columns.map { names[$0] }.joined(separator: ", "))
            let partition = s.filters.filter { $0.columns.allSatisfy { $0 >= s.source.fileColumnCount } }
            let stats = s.filters.filter { f in
                if case let .compare(_, .column(c, _), .literal) = f { return c < s.source.fileColumnCount }
                return false
            }
            if !s.filters.isEmpty { line += "\n\(pad)  filters: " + s.filters.map { $0.describe(names) }.joined(separator: " AND ") }
            if !partition.isEmpty { line += "\n\(pad)  partition pruning: " + partition.map { $0.describe(names) }.joined(separator: " AND ") }
            if !stats.isEmpty { line += "\n\(pad)  row-group pruning (min/max): " + stats.map { $0.describe(names) }.joined(separator: " AND ") }
            lines.append(line)
        case let .values(rows, _): lines.append("\(pad)VALUES \(rows.count) row\(rows.count == 1 ? "" : "s")")
        case let .filter(_, c): lines.append("\(pad)FILTER \(c.describe(inputNames))")
        case let .project(_, e, f): lines.append("\(pad)PROJECT " + zip(e, f).map { x, field in
            let d = x.describe(inputNames)
            return d == field.name ? d : "\(d) AS \(field.name)"
        }.joined(separator: ", "))
        case let .aggregate(_, g, a, _):
            lines.append("\(pad)HASH_AGGREGATE groups: [\(g.map { $0.describe(inputNames) }.joined(separator: ", "))] aggregates: [\(a.map(\.name).joined(separator: ", "))]")
        case let .window(_, calls, _): lines.append("\(pad)WINDOW \(calls.map(\.name).joined(separator: ", "))")
        case let .join(s, _):
            let ln = s.left.fields.map(\.name), rn = s.right.fields.map(\.name)
            let on = zip(s.leftKeys, s.rightKeys).map { "\($0.describe(ln)) = \($1.describe(rn))" }.joined(separator: " AND ")
            lines.append("\(pad)HASH_JOIN \(s.kind.rawValue)" + (on.isEmpty ? "" : " ON \(on)") + (s.residual.map { " AND \($0.describe(ln + rn))" } ?? ""))
        case let .sort(_, k): lines.append("\(pad)SORT \(keys(k, inputNames))")
        case let .topN(_, k, n): lines.append("\(pad)TOP_N \(n) BY \(keys(k, inputNames))")
        case let .limit(_, l, o): lines.append("\(pad)LIMIT \(l.map(String.init) ?? "ALL")" + (o > 0 ? " OFFSET \(o)" : ""))
        case .distinct: lines.append("\(pad)DISTINCT")
        case .unionAll: lines.append("\(pad)UNION_ALL")
        }
        for c in plan.children { walk(c, depth: depth + 1, into: &lines) }
    }
}
