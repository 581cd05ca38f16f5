import Foundation

extension Binder {
    /// Binds an expression over `scope`, trying `hook` first at every node.
    func bindExpr(_ e: Expr, _ scope: Scope, hook: Hook? = nil) throws -> BoundExpr {
        if let hook, let b = try hook(e) { return b }
        let bind = { (x: Expr) throws -> BoundExpr in try self.bindExpr(x, scope, hook: hook) }
        switch e {
        case let .column(parts):
            do {
                let i = try scope.resolve(parts)
                return .column(i, scope.fields[i].type)
            } catch let error as QueryError {
                if parts.count == 1, ["current_date", "current_timestamp", "now", "today"].contains(parts[0].lowercased()) {
                    return fold(try bindFunction(FunctionCall(name: parts[0].lowercased(), args: []), [], e))
                }
                throw error
            }
        case let .literal(v):
            return .literal(v, v.type)
        case .star:
            throw QueryError.type("* is only allowed in the select list and in count(*)")
        case let .unary(op, inner):
            let b = try bind(inner)
            if op == "NOT" { return fold(.not(try boolean(b, inner))) }
            guard b.type.isNumeric || b.type == .null else {
                throw QueryError.type("cannot negate \(b.type.rawValue) in \(e.sql)")
            }
            return fold(.arithmetic("-", .literal(b.type == .double ? .double(0) : .int(0), b.type == .null ? .bigint : b.type), b, b.type == .null ? .bigint : b.type))
        case let .binary(op, l, r):
            let a = try bind(l), b = try bind(r)
            switch op {
            case "AND": return fold(.and(try boolean(a, l), try boolean(b, r)))
            case "OR": return fold(.or(try boolean(a, l), try boolean(b, r)))
            case "=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM":
                let (x, y) = try coerce(a, b, e)
                return fold(.compare(op, x, y))
            case "||":
                let f = ScalarFunction("||") { v in .string((v[0].text ?? "") + (v[1].text ?? "")) }
                return fold(.function(f, [try text(a), try text(b)], .varchar))
            default:
                return fold(try arithmetic(op, a, b, e))
            }
        case let .function(f):
            if f.over != nil { throw QueryError.type("window function \(f.name)() is only allowed in SELECT, QUALIFY and ORDER BY") }
            if Aggregates.isAggregate(f.name) {
                throw QueryError.type("aggregate \(e.sql) is not allowed here (in WHERE, GROUP BY or a join condition)")
            }
            if f.name == "try_cast", f.args.count == 2, case let .literal(.string(t)) = f.args[1], let type = DataType.named(t) {
                return fold(.cast(try bind(f.args[0]), type, try: true))
            }
            return fold(try bindFunction(f, try f.args.map(bind), e))
        case let .caseWhen(operand, whens, otherwise):
            var conditions: [BoundExpr] = []
            var results: [BoundExpr] = []
            let op = try operand.map(bind)
            for (w, t) in whens {
                let wb = try bind(w)
                if let op {
                    let (x, y) = try coerce(op, wb, e)
                    conditions.append(.compare("=", x, y))
                } else {
                    conditions.append(try boolean(wb, w))
                }
                results.append(try bind(t))
            }
            let other = try otherwise.map(bind)
            var type: DataType = .null
            for r in results + [other].compactMap({ $0 }) {
                guard let c = DataType.common(type, r.type) else {
                    throw QueryError.type("CASE branches mix \(type.rawValue) and \(r.type.rawValue) in \(e.sql) — CAST them to one type")
                }
                type = c
            }
            if type == .null { type = .varchar }
            return fold(.caseWhen(Array(zip(conditions, results.map { castIfNeeded($0, type) })), otherwise: other.map { castIfNeeded($0, type) }, type))
        case let .cast(inner, t):
            return fold(.cast(try bind(inner), t, try: false))
        case let .between(x, lo, hi, negated):
            let b = try bind(x)
            let (x1, l1) = try coerce(b, try bind(lo), e)
            let (x2, h1) = try coerce(b, try bind(hi), e)
            let range = BoundExpr.and(.compare(">=", x1, l1), .compare("<=", x2, h1))
            return fold(negated ? .not(range) : range)
        case let .inList(x, list, negated):
            var b = try bind(x)
            var items = try list.map(bind)
            var type = b.type
            for i in items {
                guard let c = DataType.common(type, i.type) else {
                    throw QueryError.type("IN compares \(b.type.rawValue) with \(i.type.rawValue) in \(e.sql)")
                }
                type = c
            }
            b = castIfNeeded(b, type)
            items = items.map { fold(castIfNeeded($0, type)) }
            return .inList(b, items, negated: negated)
        case let .like(x, pattern, negated, ci):
            return fold(.like(try text(try bind(x)), try text(try bind(pattern)), negated: negated, caseInsensitive: ci))
        case let .isNull(x, negated):
            return fold(.isNull(try bind(x), negated: negated))
        case let .interval(value, unit):
            let v = try bind(value)
            let count = v.type == .double ? BoundExpr.cast(v, .bigint, try: false) : v
            guard let f = try DateFunctions.resolve("make_interval", [.bigint, .varchar], expr: e.sql, needTemporal: { _ in }) else {
                throw QueryError.unsupported("INTERVAL")
            }
            return fold(.function(f.function, [castIfNeeded(count, .bigint), .literal(.string(unit), .varchar)], .interval))
        case let .extract(field, x):
            return fold(try bindFunction(FunctionCall(name: "date_part", args: []), [.literal(.string(field), .varchar), try bind(x)], e))
        case let .subquery(q):
            var inner = self
            let plan = try inner.bind(q)
            guard plan.fields.count == 1 else { throw QueryError.type("a scalar subquery must return one column, not \(plan.fields.count)") }
            let rows = try runSubquery(plan)
            guard rows.count <= 1 else { throw QueryError.runtime("a scalar subquery returned \(rows.count) rows; it must return at most one") }
            return .literal(rows.first?.first ?? .null, plan.fields[0].type)
        case let .inSubquery(x, q, negated):
            var inner = self
            let plan = try inner.bind(q)
            guard plan.fields.count == 1 else { throw QueryError.type("IN (SELECT …) must select one column, not \(plan.fields.count)") }
            let rows = try runSubquery(plan)
            let list = Expr.inList(x, rows.map { .literal($0[0]) }, negated: negated)
            if rows.isEmpty { return .literal(.bool(negated), .boolean) }
            return try bindExpr(list, scope, hook: hook)
        }
    }

    func bindFunction(_ f: FunctionCall, _ args: [BoundExpr], _ e: Expr) throws -> BoundExpr {
        if f.distinct || f.star { throw QueryError.type("\(f.name)() is not an aggregate, so DISTINCT and * do not apply, in \(e.sql)") }
        let resolved = try Functions.resolve(f.name, args.map(\.type), expr: e.sql)
        var cast: [BoundExpr] = []
        for (i, a) in args.enumerated() {
            let wanted = i < resolved.argTypes.count ? resolved.argTypes[i] : nil
            guard let wanted, wanted != a.type, a.type != .null else { cast.append(a); continue }
            if wanted == .varchar, a.type == .json { cast.append(a); continue }
            if wanted == .json, a.type == .varchar { cast.append(a); continue }
            if wanted == .double, a.type == .bigint { cast.append(.cast(a, .double, try: false)); continue }
            if wanted == .bigint, a.type == .double, case .literal = a { cast.append(fold(.cast(a, .bigint, try: false))); continue }
            if case .literal = a { cast.append(fold(.cast(a, wanted, try: false))); continue }
            if wanted == .varchar { cast.append(.cast(a, .varchar, try: false)); continue }
            if DataType.common(a.type, wanted) != nil || (wanted.isTemporal && a.type.isTemporal) { cast.append(.cast(a, wanted, try: false)); continue }
            throw QueryError.type("\(f.name)() argument \(i + 1) is \(a.type.rawValue) but must be \(wanted.rawValue), in \(e.sql)")
        }
        return .function(resolved.function, cast, resolved.type)
    }

    /// Brings both sides of a comparison to one type (a text literal becomes a date, …).
    func coerce(_ a: BoundExpr, _ b: BoundExpr, _ e: Expr) throws -> (BoundExpr, BoundExpr) {
        if a.type == b.type { return (a, b) }
        if a.type == .null || b.type == .null { return (a, b) }
        if case .literal = b, a.type.isTemporal || a.type.isNumeric || a.type == .boolean, b.type == .varchar {
            return (a, try foldStrict(.cast(b, a.type, try: false), e))
        }
        if case .literal = a, b.type.isTemporal || b.type.isNumeric || b.type == .boolean, a.type == .varchar {
            return (try foldStrict(.cast(a, b.type, try: false), e), b)
        }
        guard let t = DataType.common(a.type, b.type), !(a.type == .varchar && !b.type.isStringLike && b.type != .null) || t == .varchar else {
            throw QueryError.type("cannot compare \(a.type.rawValue) with \(b.type.rawValue) in \(e.sql) — CAST one side")
        }
        if (a.type.isStringLike) != (b.type.isStringLike) {
            throw QueryError.type("cannot compare \(a.type.rawValue) with \(b.type.rawValue) in \(e.sql) — CAST one side")
        }
        return (fold(castIfNeeded(a, t)), fold(castIfNeeded(b, t)))
    }

    func arithmetic(_ op: String, _ a: BoundExpr, _ b: BoundExpr, _ e: Expr) throws -> BoundExpr {
        func call(_ name: String, _ args: [BoundExpr]) throws -> BoundExpr {
            let r = try Functions.resolve(name, args.map(\.type), expr: e.sql)
            return .function(r.function, args, r.type)
        }
        let (at, bt) = (a.type, b.type)
        if at == .null || bt == .null {
            let t: DataType = at == .double || bt == .double || op == "/" ? .double : .bigint
            return .literal(.null, at.isTemporal ? at : (bt.isTemporal ? bt : t))
        }
        switch (at, bt, op) {
        case (.date, .bigint, "+"): return try call("+date_days", [a, b])
        case (.bigint, .date, "+"): return try call("+date_days", [b, a])
        case (.date, .bigint, "-"): return try call("-date_days", [a, b])
        case (.date, .date, "-"): return try call("date_subtract", [a, b])
        case (_, .interval, "+") where at.isTemporal: return try call("+interval", [a, b])
        case (.interval, _, "+") where bt.isTemporal: return try call("+interval", [b, a])
        case (_, .interval, "-") where at.isTemporal: return try call("-interval", [a, b])
        case (_, _, "-") where at.isTemporal && bt.isTemporal: return try call("timestamp_subtract", [castIfNeeded(a, .timestamp), castIfNeeded(b, .timestamp)])
        default: break
        }
        guard at.isNumeric, bt.isNumeric else {
            throw QueryError.type("cannot apply \(op) to \(at.rawValue) and \(bt.rawValue) in \(e.sql)" + (at == .varchar || bt == .varchar ? " — use || to join text, or CAST text to a number" : ""))
        }
        let type: DataType = op == "/" || at == .double || bt == .double ? .double : .bigint
        return .arithmetic(op, castIfNeeded(a, type), castIfNeeded(b, type), type)
    }

    func boolean(_ b: BoundExpr, _ e: Expr) throws -> BoundExpr {
        if b.type == .boolean { return b }
        if b.type == .null { return .literal(.null, .boolean) }
        if b.type.isNumeric { return fold(.cast(b, .boolean, try: false)) }
        throw QueryError.type("\(e.sql) is \(b.type.rawValue), not a condition (BOOLEAN)")
    }

    func text(_ b: BoundExpr) throws -> BoundExpr {
        if b.type == .varchar || b.type == .null { return b }
        return fold(.cast(b, .varchar, try: false))
    }

    func castIfNeeded(_ b: BoundExpr, _ t: DataType) -> BoundExpr {
        if b.type == t || t == .null { return b }
        if case let .literal(v, _) = b, v.isNull { return .literal(.null, t) }
        return .cast(b, t, try: false)
    }

    /// Evaluates an expression that reads no column once, at plan time.
    func fold(_ b: BoundExpr) -> BoundExpr {
        if case .literal = b { return b }
        guard b.columns.isEmpty, let v = try? Evaluator.evaluate(b, Batch(columns: [], count: 1)) else { return b }
        return .literal(v.value(0), b.type)
    }

    /// `fold`, but a failure (a bad literal in a cast) is the query's error, naming it.
    func foldStrict(_ b: BoundExpr, _ e: Expr) throws -> BoundExpr {
        do {
            let v = try Evaluator.evaluate(b, Batch(columns: [], count: 1))
            return .literal(v.value(0), b.type)
        } catch let error as QueryError {
            if case let .type(m) = error { throw QueryError.type("\(m) in \(e.sql)") }
            throw error
        }
    }

    func isConstant(_ e: Expr) -> Bool {
        if case .literal = e { return true }
        return false
    }
}
