/// An expression with its names resolved to input column positions and its type known.
indirect enum BoundExpr: Sendable {
    case column(Int, DataType)
    case literal(Value, DataType)
    case not(BoundExpr)
    case and(BoundExpr, BoundExpr)
    case or(BoundExpr, BoundExpr)
    /// = <> < <= > >= IS DISTINCT FROM / IS NOT DISTINCT FROM; both sides of one type.
    case compare(String, BoundExpr, BoundExpr)
    /// + - * / // % on numbers (result type given).
    case arithmetic(String, BoundExpr, BoundExpr, DataType)
    case isNull(BoundExpr, negated: Bool)
    case inList(BoundExpr, [BoundExpr], negated: Bool)
    case like(BoundExpr, BoundExpr, negated: Bool, caseInsensitive: Bool)
    case caseWhen([(BoundExpr, BoundExpr)], otherwise: BoundExpr?, DataType)
    case cast(BoundExpr, DataType, try: Bool)
    /// A scalar function evaluated row by row (or vector-wise where it has a fast path).
    case function(ScalarFunction, [BoundExpr], DataType)

    var type: DataType {
        switch self {
        case let .column(_, t), let .literal(_, t): return t
        case .not, .and, .or, .compare, .isNull, .inList, .like: return .boolean
        case let .arithmetic(_, _, _, t), let .caseWhen(_, _, t), let .cast(_, t, _), let .function(_, _, t): return t
        }
    }

    /// The input columns it reads.
    var columns: Set<Int> {
        var out = Set<Int>()
        visit { if case let .column(i, _) = $0 { out.insert(i) } }
        return out
    }

    func visit(_ body: (BoundExpr) -> Void) {
        body(self)
        switch self {
        case .column, .literal: break
        case let .not(e), let .isNull(e, _), let .cast(e, _, _): e.visit(body)
        case let .and(a, b), let .or(a, b), let .compare(_, a, b), let .arithmetic(_, a, b, _), let .like(a, b, _, _):
            a.visit(body); b.visit(body)
        case let .inList(e, list, _): e.visit(body); list.forEach { $0.visit(body) }
        case let .caseWhen(whens, otherwise, _):
            for (w, t) in whens { w.visit(body); t.visit(body) }
            otherwise?.visit(body)
        case let .function(_, args, _): args.forEach { $0.visit(body) }
        }
    }

    /// The same expression with column positions renumbered.
    func remap(_ map: (Int) -> Int) -> BoundExpr {
        replacingColumns { .column(map($0), $1) }
    }

    /// The same expression with each column reference replaced.
    func replacingColumns(_ f: (Int, DataType) -> BoundExpr) -> BoundExpr {
        switch self {
        case let .column(i, t): return f(i, t)
        case .literal: return self
        case let .not(e): return .not(e.replacingColumns(f))
        case let .and(a, b): return .and(a.replacingColumns(f), b.replacingColumns(f))
        case let .or(a, b): return .or(a.replacingColumns(f), b.replacingColumns(f))
        case let .compare(op, a, b): return .compare(op, a.replacingColumns(f), b.replacingColumns(f))
        case let .arithmetic(op, a, b, t): return .arithmetic(op, a.replacingColumns(f), b.replacingColumns(f), t)
        case let .isNull(e, n): return .isNull(e.replacingColumns(f), negated: n)
        case let .inList(e, list, n): return .inList(e.replacingColumns(f), list.map { $0.replacingColumns(f) }, negated: n)
        case let .like(a, b, n, ci): return .like(a.replacingColumns(f), b.replacingColumns(f), negated: n, caseInsensitive: ci)
        case let .caseWhen(whens, otherwise, t):
            return .caseWhen(whens.map { ($0.0.replacingColumns(f), $0.1.replacingColumns(f)) }, otherwise: otherwise?.replacingColumns(f), t)
        case let .cast(e, t, tr): return .cast(e.replacingColumns(f), t, try: tr)
        case let .function(fn, args, t): return .function(fn, args.map { $0.replacingColumns(f) }, t)
        }
    }

    /// The conjuncts of an AND chain.
    var conjuncts: [BoundExpr] {
        if case let .and(a, b) = self { return a.conjuncts + b.conjuncts }
        return [self]
    }

    /// For EXPLAIN.
    func describe(_ names: [String]) -> String {
        switch self {
        case let .column(i, _): return i < names.count ? names[i] : "#\(i)"
        case let .literal(v, _):
            if case let .string(s) = v { return "'\(s)'" }
            return v.text ?? "NULL"
        case let .not(e): return "NOT \(e.describe(names))"
        case let .and(a, b): return "(\(a.describe(names)) AND \(b.describe(names)))"
        case let .or(a, b): return "(\(a.describe(names)) OR \(b.describe(names)))"
        case let .compare(op, a, b): return "\(a.describe(names)) \(op) \(b.describe(names))"
        case let .arithmetic(op, a, b, _): return "(\(a.describe(names)) \(op) \(b.describe(names)))"
        case let .isNull(e, n): return "\(e.describe(names)) IS \(n ? "NOT " : "")NULL"
        case let .inList(e, list, n): return "\(e.describe(names)) \(n ? "NOT " : "")IN (\(list.map { $0.describe(names) }.joined(separator: ", ")))"
        case let .like(a, b, n, ci): return "\(a.describe(names)) \(n ? "NOT " : "")\(ci ? "ILIKE" : "LIKE") \(b.describe(names))"
        case .caseWhen: return "CASE …"
        case let .cast(e, t, _): return "CAST(\(e.describe(names)) AS \(t.rawValue))"
        case let .function(f, args, _): return "\(f.name)(\(args.map { $0.describe(names) }.joined(separator: ", ")))"
        }
    }
}
