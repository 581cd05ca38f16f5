/// Expressions printed back as SQL: for EXPLAIN, for error messages that name an expression,
/// and for the column names of unaliased select items (as DuckDB names them).
extension Expr {
    var sql: String {
        switch self {
        case let .column(parts): return parts.joined(separator: ".")
        case let .literal(v):
            switch v {
            case .null: return "NULL"
            case let .string(s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
            case let .bool(b): return b ? "true" : "false"
            case let .date(d): return "DATE '\(Value.date(d).text!)'"
            default: return v.text ?? "NULL"
            }
        case let .star(q): return q.map { $0 + ".*" } ?? "*"
        case let .unary(op, e): return op == "NOT" ? "(NOT \(e.sql))" : "(\(op)\(e.sql))"
        case let .binary(op, l, r): return "(\(l.sql) \(op) \(r.sql))"
        case let .function(f):
            var s = f.name + "(" + (f.distinct ? "DISTINCT " : "") + (f.star ? "*" : f.args.map(\.sql).joined(separator: ", ")) + ")"
            if let filter = f.filter { s += " FILTER (WHERE \(filter.sql))" }
            if let w = f.over {
                var parts: [String] = []
                if !w.partitionBy.isEmpty { parts.append("PARTITION BY " + w.partitionBy.map(\.sql).joined(separator: ", ")) }
                if !w.orderBy.isEmpty { parts.append("ORDER BY " + w.orderBy.map(\.sql).joined(separator: ", ")) }
                s += " OVER (" + parts.joined(separator: " ") + ")"
            }
            return s
        case let .caseWhen(operand, whens, otherwise):
            var s = "CASE" + (operand.map { " " + $0.sql } ?? "")
            for (w, t) in whens { s += " WHEN \(w.sql) THEN \(t.sql)" }
            if let otherwise { s += " ELSE \(otherwise.sql)" }
            return s + " END"
        case let .cast(e, t): return "CAST(\(e.sql) AS \(t.rawValue))"
        case let .between(e, lo, hi, neg): return "(\(e.sql) \(neg ? "NOT " : "")BETWEEN \(lo.sql) AND \(hi.sql))"
        case let .inList(e, list, neg): return "(\(e.sql) \(neg ? "NOT " : "")IN (\(list.map(\.sql).joined(separator: ", "))))"
        case let .like(e, p, neg, ci): return "(\(e.sql) \(neg ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") \(p.sql))"
        case let .isNull(e, neg): return "(\(e.sql) IS \(neg ? "NOT " : "")NULL)"
        case let .interval(e, unit): return "INTERVAL \(e.sql) \(unit)"
        case let .extract(field, e): return "extract(\(field) FROM \(e.sql))"
        case .subquery: return "(SELECT …)"
        case let .inSubquery(e, _, neg): return "(\(e.sql) \(neg ? "NOT " : "")IN (SELECT …))"
        }
    }

    /// The name DuckDB gives an unaliased select item.
    var columnName: String {
        switch self {
        case let .column(parts): return parts.last!
        case let .function(f) where f.over == nil:
            if f.star || (f.args.isEmpty && f.name.lowercased() == "count") { return "count_star()" }
            return f.name.lowercased() + "(" + (f.distinct ? "DISTINCT " : "") + f.args.map(\.bareSQL).joined(separator: ", ") + ")"
        default: return sql
        }
    }

    /// SQL without the outermost parentheses.
    var bareSQL: String {
        let s = sql
        if s.hasPrefix("("), s.hasSuffix(")") {
            var depth = 0
            for (i, c) in s.enumerated() {
                if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
                if depth == 0 && i < s.count - 1 { return s }
            }
            return String(s.dropFirst().dropLast())
        }
        return s
    }
}

extension OrderItem {
    var sql: String {
        expr.sql + (descending ? " DESC" : "") + (nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
    }
}
