import Foundation
import LakeCatalog

/// Turns the parsed query into a logical plan: resolves tables and columns, types every
/// expression (casting where DuckDB would), and lays the clauses out in SQL's order —
/// FROM, WHERE, GROUP BY and aggregates, HAVING, windows, QUALIFY, SELECT, DISTINCT,
/// ORDER BY, LIMIT.
struct Binder {
    let tables: TableResolver
    let workingDirectory: String
    /// Runs an uncorrelated subquery while binding (scalar subqueries, IN (SELECT …)).
    let runSubquery: (LogicalPlan) throws -> [[Value]]
    var ctes: [String: Query] = [:]

    /// A hook tried before structural binding; returning nil falls through.
    typealias Hook = (Expr) throws -> BoundExpr?

    // MARK: queries

    mutating func bind(_ query: Query) throws -> LogicalPlan {
        let saved = ctes
        defer { ctes = saved }
        for (name, q) in query.with { ctes[name.lowercased()] = q }
        switch query.body {
        case let .select(core):
            return try bindSelect(core, orderBy: query.orderBy, limit: query.limit, offset: query.offset)
        default:
            var plan = try bindBody(query.body)
            let fields = plan.fields
            if !query.orderBy.isEmpty {
                var keys: [SortKey] = []
                for item in query.orderBy {
                    if case .star = item.expr {
                        keys += fields.indices.map { SortKey(expr: .column($0, fields[$0].type), descending: item.descending, nullsFirst: item.nullsFirst ?? false) }
                        continue
                    }
                    let e = try bindExpr(item.expr, Scope(fields: fields), hook: ordinalHook(fields))
                    keys.append(SortKey(expr: e, descending: item.descending, nullsFirst: item.nullsFirst ?? false))
                }
                plan = .sort(plan, keys)
            }
            return try applyLimit(plan, query.limit, query.offset)
        }
    }

    private mutating func bindBody(_ body: QueryBody) throws -> LogicalPlan {
        switch body {
        case let .select(core): return try bindSelect(core, orderBy: [], limit: nil, offset: nil)
        case let .nested(q): return try bind(q)
        case let .unionAll(a, b), let .union(a, b):
            let left = try bindBody(a), right = try bindBody(b)
            let lf = left.fields, rf = right.fields
            guard lf.count == rf.count else {
                throw QueryError.type("UNION ALL needs the same number of columns on both sides: \(lf.count) and \(rf.count)")
            }
            var fields = lf
            for i in lf.indices {
                guard let t = DataType.common(lf[i].type, rf[i].type) else {
                    throw QueryError.type("UNION ALL column \(i + 1) ('\(lf[i].name)') is \(lf[i].type.rawValue) on one side and \(rf[i].type.rawValue) on the other — CAST one of them")
                }
                fields[i].type = t
                fields[i].table = nil
            }
            let cast = { (p: LogicalPlan) -> LogicalPlan in
                let pf = p.fields
                guard pf.indices.contains(where: { pf[$0].type != fields[$0].type }) else { return p }
                return .project(p, pf.indices.map { i in
                    pf[i].type == fields[i].type ? .column(i, pf[i].type) : .cast(.column(i, pf[i].type), fields[i].type, try: false)
                }, fields)
            }
            var plans: [LogicalPlan] = []
            for p in [cast(left), cast(right)] {
                if case let .unionAll(inner, _) = p { plans += inner } else { plans.append(p) }
            }
            let union = LogicalPlan.unionAll(plans, fields)
            if case .union = body { return .distinct(union) }
            return union
        }
    }

    private func applyLimit(_ plan: LogicalPlan, _ limit: Expr?, _ offset: Expr?) throws -> LogicalPlan {
        guard limit != nil || offset != nil else { return plan }
        func count(_ e: Expr?, _ what: String) throws -> Int? {
            guard let e else { return nil }
            guard case let .literal(.int(n)) = e, n >= 0 else {
                throw QueryError.type("\(what) must be a whole number ≥ 0, not \(e.sql)")
            }
            return Int(n)
        }
        return .limit(plan, limit: try count(limit, "LIMIT"), offset: try count(offset, "OFFSET") ?? 0)
    }

    // MARK: SELECT

    private mutating func bindSelect(_ core: SelectCore, orderBy: [OrderItem], limit: Expr?, offset: Expr?) throws -> LogicalPlan {
        var plan: LogicalPlan = .values([[]], [])
        if let from = core.from { plan = try bindTable(from) }
        let input = Scope(fields: plan.fields)
        if let filter = core.filter {
            if containsAggregate(filter) { throw QueryError.type("WHERE cannot hold an aggregate (\(filter.sql)): use HAVING") }
            if containsWindow(filter) { throw QueryError.type("WHERE cannot hold a window function (\(filter.sql)): use QUALIFY") }
            plan = .filter(plan, try boolean(try bindExpr(filter, input), filter))
        }

        // The select list, with * expanded.
        var items: [(expr: Expr, name: String)] = []
        for item in core.items {
            if case let .star(qualifier) = item.expr {
                let matching = input.fields.enumerated().filter { qualifier == nil || $0.element.table?.lowercased() == qualifier!.lowercased() }
                if matching.isEmpty, let qualifier { throw QueryError.unknownTable(qualifier, suggestion: nil, known: Array(Set(input.fields.compactMap(\.table)))) }
                if matching.isEmpty && core.from == nil { throw QueryError.type("SELECT * needs a FROM clause") }
                for (_, f) in matching { items.append((.column(f.table.map { [$0, f.name] } ?? [f.name]), f.name)) }
            } else {
                items.append((item.expr, item.alias ?? item.expr.columnName))
            }
        }

        // Aggregation.
        var groupExprs: [Expr] = []
        switch core.groupBy {
        case .none: break
        case .all: groupExprs = items.map(\.expr).filter { !containsAggregate($0) && !containsWindow($0) }
        case let .exprs(exprs):
            for e in exprs {
                if case let .literal(.int(k)) = e {
                    guard k >= 1, k <= items.count else { throw QueryError.type("GROUP BY \(k) is out of range: the select list has \(items.count) items") }
                    groupExprs.append(items[Int(k) - 1].expr)
                } else if case let .column(parts) = e, parts.count == 1, (try? input.resolve(parts)) == nil,
                          let aliased = items.first(where: { $0.name.lowercased() == parts[0].lowercased() }) {
                    groupExprs.append(aliased.expr)
                } else {
                    groupExprs.append(e)
                }
            }
        }
        var clauses = items.map(\.expr) + [core.having, core.qualify].compactMap { $0 }
        let orderExprs = orderBy.map(\.expr)
        clauses += orderExprs
        var aggregateCalls: [FunctionCall] = []
        for c in clauses { collectAggregates(c, into: &aggregateCalls) }
        let grouped = !groupExprs.isEmpty || !aggregateCalls.isEmpty || core.having != nil

        var hook: Hook? = nil
        var scope = input
        if grouped {
            var groups: [BoundExpr] = []
            var groupKeys: [String: Int] = [:]
            var fields: [Field] = []
            for e in groupExprs {
                if containsAggregate(e) { throw QueryError.type("GROUP BY cannot hold an aggregate: \(e.sql)") }
                let b = try bindExpr(e, input)
                let key = b.describe([])
                if groupKeys[key] != nil { continue }
                groupKeys[key] = groups.count
                groups.append(b)
                var name = e.columnName
                var table: String? = nil
                if case let .column(i, _) = b { name = input.fields[i].name; table = input.fields[i].table }
                fields.append(Field(name: name, table: table, type: b.type))
            }
            var aggregates: [AggregateCall] = []
            var aggregateKeys: [String: Int] = [:]
            for call in aggregateCalls {
                let a = try bindAggregate(call, input)
                let key = aggregateKey(a)
                if aggregateKeys[key] != nil { continue }
                aggregateKeys[key] = groups.count + aggregates.count
                aggregates.append(a)
                fields.append(Field(name: a.name, table: nil, type: a.type))
            }
            plan = .aggregate(plan, groups: groups, aggregates: aggregates, fields)
            let inputScope = input
            scope = Scope(fields: fields)
            hook = { [self] e in
                if case let .function(f) = e, f.over == nil, Aggregates.isAggregate(f.name) {
                    let a = try self.bindAggregate(f, inputScope)
                    guard let i = aggregateKeys[self.aggregateKey(a)] else { return nil }
                    return .column(i, a.type)
                }
                if case .function(let f) = e, f.over != nil { return nil }
                if !self.containsAggregate(e), !self.containsWindow(e), !self.isConstant(e) {
                    if let b = try? self.bindExpr(e, inputScope), let i = groupKeys[b.describe([])] {
                        return .column(i, b.type)
                    }
                    if case let .column(parts) = e {
                        if let i = try? inputScope.resolve(parts) {
                            throw QueryError.type("column '\(parts.joined(separator: "."))' must appear in GROUP BY or be used in an aggregate function (e.g. any_value(\(inputScope.fields[i].name)))")
                        }
                    }
                }
                return nil
            }
            if let having = core.having {
                plan = .filter(plan, try boolean(try bindExpr(having, scope, hook: aliasHook(items, scope, hook)), having))
            }
        } else if let having = core.having {
            throw QueryError.type("HAVING without GROUP BY or aggregates: \(having.sql) — use WHERE")
        }

        // Windows.
        var windowCalls: [FunctionCall] = []
        for c in clauses { collectWindows(c, into: &windowCalls) }
        if !windowCalls.isEmpty {
            var calls: [WindowCall] = []
            var keys: [String: Int] = [:]
            let base = scope.fields.count
            var fields = scope.fields
            // A window's PARTITION BY and ORDER BY may name select aliases (`ORDER BY plays DESC`).
            let windowHook = aliasHook(items, scope, hook)
            for call in windowCalls where keys[Expr.function(call).sql] == nil {
                let w = try bindWindow(call, scope, hook: windowHook)
                keys[Expr.function(call).sql] = base + calls.count
                calls.append(w)
                fields.append(Field(name: w.name, table: nil, type: w.type))
            }
            plan = .window(plan, calls, fields)
            let inner = hook
            scope = Scope(fields: fields)
            hook = { e in
                if case let .function(f) = e, f.over != nil, let i = keys[e.sql] { return .column(i, fields[i].type) }
                return try inner?(e)
            }
        }
        if let qualify = core.qualify {
            guard !windowCalls.isEmpty else { throw QueryError.type("QUALIFY needs a window function in the query: \(qualify.sql)") }
            plan = .filter(plan, try boolean(try bindExpr(qualify, scope, hook: aliasHook(items, scope, hook)), qualify))
        }

        // Projection, with ORDER BY keys that are not select items as hidden columns.
        var exprs: [BoundExpr] = []
        var fields: [Field] = []
        for item in items {
            let b = try bindExpr(item.expr, scope, hook: hook)
            exprs.append(b)
            var table: String? = nil
            if case let .column(i, _) = b, item.name == scope.fields[i].name { table = scope.fields[i].table }
            fields.append(Field(name: item.name, table: table, type: b.type))
        }
        let visible = exprs.count
        var keys: [SortKey] = []
        for item in orderBy {
            let nullsFirst = item.nullsFirst ?? false
            if case .star = item.expr {
                keys += (0..<visible).map { SortKey(expr: .column($0, fields[$0].type), descending: item.descending, nullsFirst: nullsFirst) }
                continue
            }
            if case let .literal(.int(k)) = item.expr {
                guard k >= 1, k <= visible else { throw QueryError.type("ORDER BY \(k) is out of range: the select list has \(visible) items") }
                keys.append(SortKey(expr: .column(Int(k) - 1, fields[Int(k) - 1].type), descending: item.descending, nullsFirst: nullsFirst))
                continue
            }
            if case let .column(parts) = item.expr, parts.count == 1,
               let i = fields.prefix(visible).firstIndex(where: { $0.name.lowercased() == parts[0].lowercased() }) {
                keys.append(SortKey(expr: .column(i, fields[i].type), descending: item.descending, nullsFirst: nullsFirst))
                continue
            }
            if let i = items.firstIndex(where: { $0.expr.sql == item.expr.sql }) {
                keys.append(SortKey(expr: .column(i, fields[i].type), descending: item.descending, nullsFirst: nullsFirst))
                continue
            }
            if core.distinct {
                throw QueryError.type("with SELECT DISTINCT, ORDER BY expressions must appear in the select list: \(item.expr.sql)")
            }
            let b = try bindExpr(item.expr, scope, hook: aliasHook(items, scope, hook))
            keys.append(SortKey(expr: .column(exprs.count, b.type), descending: item.descending, nullsFirst: nullsFirst))
            exprs.append(b)
            fields.append(Field(name: "#order\(exprs.count)", table: nil, type: b.type))
        }
        plan = .project(plan, exprs, fields)
        if core.distinct { plan = .distinct(plan) }
        if !keys.isEmpty { plan = .sort(plan, keys) }
        plan = try applyLimit(plan, limit, offset)
        if fields.count > visible {
            plan = .project(plan, (0..<visible).map { .column($0, fields[$0].type) }, Array(fields.prefix(visible)))
        }
        return plan
    }

    /// Lets HAVING and QUALIFY name a select item by its alias (as DuckDB does), when no
    /// column has that name.
    private func aliasHook(_ items: [(expr: Expr, name: String)], _ scope: Scope, _ inner: Hook?) -> Hook {
        { [self] e in
            if let b = try inner?(e) { return b }
            guard case let .column(parts) = e, parts.count == 1, (try? scope.resolve(parts)) == nil,
                  let item = items.first(where: { $0.name.lowercased() == parts[0].lowercased() }) else { return nil }
            return try self.bindExpr(item.expr, scope, hook: inner)
        }
    }

    private func ordinalHook(_ fields: [Field]) -> Hook {
        { e in
            if case let .literal(.int(k)) = e {
                guard k >= 1, k <= fields.count else { throw QueryError.type("ORDER BY \(k) is out of range: the query has \(fields.count) columns") }
                return .column(Int(k) - 1, fields[Int(k) - 1].type)
            }
            return nil
        }
    }

    // MARK: FROM

    private mutating func bindTable(_ ref: TableRef) throws -> LogicalPlan {
        switch ref {
        case let .named(parts, alias, at):
            if parts.count == 1, at == nil, let q = ctes[parts[0].lowercased()] {
                var inner = self
                inner.ctes[parts[0].lowercased()] = nil
                let plan = try inner.bind(q)
                return rename(plan, alias ?? parts[0])
            }
            let source = try tables.table(parts, at: at)
            return .scan(ScanSpec(source: source, columns: Array(source.fields.indices), alias: alias ?? parts.last!))
        case let .path(path, alias):
            let files = Glob.expand(path, relativeTo: workingDirectory)
            let format: TableSource.Format = path.contains(".parquet") ? .parquet : .ndjson
            let source = try TableSource.files(files, name: "'\(path)'", format: format)
            return .scan(ScanSpec(source: source, columns: Array(source.fields.indices), alias: alias ?? defaultAlias(path)))
        case let .tableFunction(name, args, named, alias):
            guard ["read_parquet", "parquet_scan", "read_json", "read_json_auto", "read_ndjson", "read_ndjson_auto"].contains(name) else {
                throw QueryError.unsupported("table function \(name)() is not supported; use read_parquet('…') or read_json('…'), or a quoted path")
            }
            var paths: [String] = []
            for a in args {
                switch a {
                case let .literal(.string(p)): paths.append(p)
                case let .function(f) where f.name == "list_value": paths += f.args.compactMap { if case let .literal(.string(p)) = $0 { p } else { nil } }
                default: throw QueryError.type("\(name)() takes a quoted path or glob")
                }
            }
            var hive = true
            for (key, value) in named {
                if key == "hive_partitioning", case let .literal(.bool(b)) = value { hive = b }
            }
            let files = paths.flatMap { Glob.expand($0, relativeTo: workingDirectory) }
            let source = try TableSource.files(files, name: "\(name)(\(paths.map { "'\($0)'" }.joined(separator: ", ")))",
                                               format: name.contains("parquet") ? .parquet : .ndjson, hive: hive)
            return .scan(ScanSpec(source: source, columns: Array(source.fields.indices), alias: alias ?? name))
        case let .renamed(inner, alias, columns):
            let plan = try bindTable(inner)
            var fields = plan.fields
            guard columns.count <= fields.count else {
                throw QueryError.type("\(alias)(\(columns.joined(separator: ", "))) names \(columns.count) columns, but the table has \(fields.count)")
            }
            for i in fields.indices { fields[i].table = alias; if i < columns.count { fields[i].name = columns[i] } }
            return .project(plan, fields.indices.map { .column($0, fields[$0].type) }, fields)
        case let .subquery(q, alias):
            var inner = self
            let plan = try inner.bind(q)
            return alias.map { rename(plan, $0) } ?? rename(plan, nil)
        case let .values(rows, alias, columns):
            guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
                throw QueryError.type("every VALUES row needs the same number of values")
            }
            var values: [[Value]] = []
            var types = [DataType](repeating: .null, count: width)
            for row in rows {
                var out: [Value] = []
                for (i, e) in row.enumerated() {
                    let b = try bindExpr(e, Scope(fields: []))
                    guard case let .literal(v, t) = fold(b) else { throw QueryError.type("VALUES takes constants, not \(e.sql)") }
                    guard let c = DataType.common(types[i], t) else { throw QueryError.type("VALUES column \(i + 1) mixes \(types[i].rawValue) and \(t.rawValue)") }
                    types[i] = c
                    out.append(v)
                }
                values.append(out)
            }
            values = try values.map { row in try row.enumerated().map { try Cast.value($1, to: types[$0]) } }
            let fields = (0..<width).map { Field(name: $0 < columns.count ? columns[$0] : "col\($0)", table: alias ?? "valueslist", type: types[$0]) }
            return .values(values, fields)
        case let .join(l, r, kind, on, using):
            let left = try bindTable(l), right = try bindTable(r)
            let lf = left.fields, rf = right.fields
            let all = Scope(fields: lf + rf)
            var condition: Expr? = on
            if !using.isEmpty {
                condition = using.map { name -> Expr in
                    .binary("=", .column([lf.first { $0.name.lowercased() == name.lowercased() }?.table ?? "", name]),
                            .column([rf.first { $0.name.lowercased() == name.lowercased() }?.table ?? "", name]))
                }.reduce(nil) { acc, e in acc.map { .binary("AND", $0, e) } ?? e }
            }
            var leftKeys: [BoundExpr] = [], rightKeys: [BoundExpr] = []
            var residual: [BoundExpr] = []
            if let condition {
                let bound = try boolean(try bindExpr(condition, all), condition)
                for c in bound.conjuncts {
                    if case let .compare("=", a, b) = c {
                        let ac = a.columns, bc = b.columns
                        let aLeft = ac.allSatisfy { $0 < lf.count }, aRight = ac.allSatisfy { $0 >= lf.count }
                        let bLeft = bc.allSatisfy { $0 < lf.count }, bRight = bc.allSatisfy { $0 >= lf.count }
                        if !ac.isEmpty, !bc.isEmpty, aLeft && bRight {
                            leftKeys.append(a); rightKeys.append(b.remap { $0 - lf.count }); continue
                        }
                        if !ac.isEmpty, !bc.isEmpty, aRight && bLeft {
                            leftKeys.append(b); rightKeys.append(a.remap { $0 - lf.count }); continue
                        }
                    }
                    residual.append(c)
                }
            } else if kind != .cross {
                throw QueryError.type("\(kind.rawValue) JOIN needs ON or USING")
            }
            let fields = lf + rf
            let res = residual.reduce(nil as BoundExpr?) { acc, e in acc.map { .and($0, e) } ?? e }
            return .join(JoinSpec(left: left, right: right, kind: kind, leftKeys: leftKeys, rightKeys: rightKeys, residual: res), fields)
        }
    }

    private func defaultAlias(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return String(last.prefix { $0 != "." && $0 != "*" })
    }

    private func rename(_ plan: LogicalPlan, _ alias: String?) -> LogicalPlan {
        let fields = plan.fields.map { Field(name: $0.name, table: alias, type: $0.type) }
        return .project(plan, fields.indices.map { .column($0, fields[$0].type) }, fields)
    }

    // MARK: aggregates and windows

    func containsAggregate(_ e: Expr) -> Bool {
        var calls: [FunctionCall] = []
        collectAggregates(e, into: &calls)
        return !calls.isEmpty
    }

    func containsWindow(_ e: Expr) -> Bool {
        var calls: [FunctionCall] = []
        collectWindows(e, into: &calls)
        return !calls.isEmpty
    }

    func collectAggregates(_ e: Expr, into out: inout [FunctionCall]) {
        if case let .function(f) = e, f.over == nil, Aggregates.isAggregate(f.name) {
            out.append(f)
            return
        }
        for child in e.children { collectAggregates(child, into: &out) }
    }

    func collectWindows(_ e: Expr, into out: inout [FunctionCall]) {
        if case let .function(f) = e, f.over != nil {
            out.append(f)
            return
        }
        for child in e.children { collectWindows(child, into: &out) }
    }

    func bindAggregate(_ f: FunctionCall, _ scope: Scope, hook: Hook? = nil) throws -> AggregateCall {
        guard var kind = Aggregates.kind(f.name) else { throw Functions.unknown(f.name) }
        let expr = Expr.function(f).sql
        // Inside a window over a grouped query (avg(count(*)) OVER …) the hook turns the inner
        // aggregate into its column; anywhere else aggregates cannot nest.
        for a in f.args where hook == nil && containsAggregate(a) {
            throw QueryError.type("aggregate calls cannot nest: \(expr)")
        }
        var arg: BoundExpr?
        if f.star {
            guard kind == .count else { throw QueryError.type("\(f.name)(*) is not a function; only count(*) takes *") }
            kind = .countStar
        } else if f.args.isEmpty, kind == .count {
            kind = .countStar
        } else {
            guard f.args.count == 1 else { throw QueryError.type("\(f.name)() takes one argument, in \(expr)") }
            arg = try bindExpr(f.args[0], scope, hook: hook)
        }
        let filter = try f.filter.map { try boolean(try bindExpr($0, scope, hook: hook), $0) }
        let type = try Aggregates.resultType(kind, arg?.type, expr: expr)
        return AggregateCall(kind: kind, arg: arg, distinct: f.distinct, filter: filter, type: type,
                             name: Expr.function(f).columnName)
    }

    func aggregateKey(_ a: AggregateCall) -> String {
        "\(a.kind.rawValue)|\(a.distinct)|\(a.arg?.describe([]) ?? "*")|\(a.filter?.describe([]) ?? "")"
    }

    func bindWindow(_ f: FunctionCall, _ scope: Scope, hook: Hook?) throws -> WindowCall {
        let spec = f.over!
        let partition = try spec.partitionBy.map { try bindExpr($0, scope, hook: hook) }
        let order = try spec.orderBy.map {
            SortKey(expr: try bindExpr($0.expr, scope, hook: hook), descending: $0.descending, nullsFirst: $0.nullsFirst ?? false)
        }
        let expr = Expr.function(f).sql
        let name = f.name.lowercased()
        if let kind = WindowCall.Kind(rawValue: name), kind != .aggregate {
            let args = try f.args.map { try bindExpr($0, scope, hook: hook) }
            var type: DataType = .bigint
            switch kind {
            case .lag, .lead, .firstValue, .lastValue:
                guard let first = args.first else { throw QueryError.type("\(name)() needs an argument, in \(expr)") }
                type = first.type
            case .ntile:
                guard args.count == 1 else { throw QueryError.type("ntile() takes the number of buckets, in \(expr)") }
            default:
                guard args.isEmpty else { throw QueryError.type("\(name)() takes no arguments, in \(expr)") }
            }
            return WindowCall(kind: kind, aggregate: nil, args: args, partitionBy: partition, orderBy: order,
                              wholePartition: spec.wholePartition || (order.isEmpty && spec.rows == nil), rows: spec.rows,
                              type: type, name: Expr.function(f).sql)
        }
        guard Aggregates.isAggregate(name) else {
            throw QueryError.type("\(f.name)() is not a window function; use row_number, rank, dense_rank, lag, lead, first_value, last_value, ntile or an aggregate with OVER")
        }
        var plain = f
        plain.over = nil
        let a = try bindAggregate(plain, scope, hook: hook)
        return WindowCall(kind: .aggregate, aggregate: a, args: [], partitionBy: partition, orderBy: order,
                          wholePartition: spec.wholePartition || (order.isEmpty && spec.rows == nil), rows: spec.rows,
                          type: a.type, name: Expr.function(f).sql)
    }
}

/// The columns an expression can name.
struct Scope {
    var fields: [Field]

    /// The position of `a` or `t.a`; throws for unknown or ambiguous names.
    func resolve(_ parts: [String]) throws -> Int {
        let name = parts.last!.lowercased()
        let qualifier = parts.count > 1 ? parts.dropLast().joined(separator: ".").lowercased() : nil
        let matches = fields.indices.filter {
            fields[$0].name.lowercased() == name && (qualifier == nil || fields[$0].table?.lowercased() == qualifier)
        }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            // The same column reached twice (a USING join's two sides): ambiguous only if tables differ.
            let tables = Set(matches.map { fields[$0].table ?? "" })
            if tables.count == 1 { return matches[0] }
            throw QueryError.ambiguousColumn(parts.joined(separator: "."), candidates: matches.map { (fields[$0].table.map { $0 + "." } ?? "") + fields[$0].name })
        }
        let candidates = fields.map(\.name) + fields.compactMap { f in f.table.map { $0 + "." + f.name } }
        let tables = Set(fields.compactMap(\.table)).sorted()
        if let qualifier, !tables.map({ $0.lowercased() }).contains(qualifier) {
            throw QueryError.unknownColumn(parts.joined(separator: "."), suggestion: Suggest.closest(to: parts.joined(separator: "."), in: candidates),
                                           table: "the query (its tables are \(tables.joined(separator: ", ")))")
        }
        throw QueryError.unknownColumn(parts.joined(separator: "."), suggestion: Suggest.closest(to: parts.joined(separator: "."), in: candidates),
                                       table: tables.count == 1 ? tables[0] : nil)
    }
}

extension Expr {
    var children: [Expr] {
        switch self {
        case .column, .literal, .star, .subquery: return []
        case let .unary(_, e), let .cast(e, _), let .isNull(e, _), let .interval(e, _), let .extract(_, e), let .inSubquery(e, _, _): return [e]
        case let .binary(_, a, b), let .like(a, b, _, _): return [a, b]
        case let .function(f):
            return f.args + [f.filter].compactMap { $0 } + (f.over.map { $0.partitionBy + $0.orderBy.map(\.expr) } ?? [])
        case let .caseWhen(operand, whens, otherwise):
            return [operand].compactMap { $0 } + whens.flatMap { [$0.0, $0.1] } + [otherwise].compactMap { $0 }
        case let .between(a, b, c, _): return [a, b, c]
        case let .inList(e, list, _): return [e] + list
        }
    }
}
