/// A recursive-descent parser for lake's DuckDB-compatible SQL subset.
///
/// Precedence, loosest first: OR, AND, NOT, comparisons (= <> < <= > >= IS LIKE ILIKE IN
/// BETWEEN), ||, + -, * / // %, unary minus, ::, -> ->>.
struct Parser {
    private var tokens: [Token]
    private var at = 0
    private let sql: String

    static let reserved: Set<String> = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "QUALIFY", "ORDER", "LIMIT", "OFFSET", "UNION", "ALL",
        "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "ON", "USING", "AS", "AND", "OR", "NOT", "WITH",
        "DISTINCT", "CASE", "WHEN", "THEN", "ELSE", "END", "IS", "NULL", "IN", "BETWEEN", "LIKE", "ILIKE", "EXPLAIN",
        "OVER", "PARTITION", "WINDOW", "ASC", "DESC", "NULLS", "INTERVAL", "AT", "EXCEPT", "INTERSECT", "FILTER",
        "VALUES", "LATERAL", "NATURAL",
    ]

    init(_ sql: String) throws {
        self.sql = sql
        tokens = try Lexer.tokenize(sql)
    }

    static func parse(_ sql: String) throws -> Statement {
        var parser = try Parser(sql)
        return try parser.statement()
    }

    // MARK: statements

    mutating func statement() throws -> Statement {
        var explain = false
        if accept("EXPLAIN") { explain = true; _ = accept("ANALYZE") }
        guard peek.isKeyword("SELECT") || peek.isKeyword("WITH") || peek.isKeyword("FROM") || peek.isSymbol("(") || peek.isKeyword("VALUES") else {
            if peek.kind == .end { throw error("empty query: write a SELECT") }
            throw error("expected SELECT or WITH, found \(describe(peek)) — lake runs queries, not \(peek.text.uppercased()) statements")
        }
        let q = try query()
        while acceptSymbol(";") {}
        guard peek.kind == .end else { throw error("unexpected \(describe(peek)) after the end of the query") }
        return Statement(query: q, explain: explain)
    }

    mutating func query() throws -> Query {
        var with: [(String, Query)] = []
        if accept("WITH") {
            _ = accept("RECURSIVE")
            repeat {
                let name = try identifier("a name for the WITH query")
                if acceptSymbol("(") {
                    throw error("column lists on WITH queries are not supported: alias the columns inside the query")
                }
                try expect("AS")
                _ = accept("MATERIALIZED")
                try expectSymbol("(")
                let q = try query()
                try expectSymbol(")")
                with.append((name, q))
            } while acceptSymbol(",")
        }
        var body = try queryTerm()
        while peek.isKeyword("UNION") || peek.isKeyword("EXCEPT") || peek.isKeyword("INTERSECT") {
            if accept("UNION") {
                if accept("ALL") {
                    body = .unionAll(body, try queryTerm())
                } else {
                    _ = accept("DISTINCT")
                    body = .union(body, try queryTerm())
                }
            } else {
                throw error("\(peek.text.uppercased()) is not supported; use UNION ALL, or a join / NOT IN")
            }
        }
        var q = Query(with: with, body: body)
        if accept("ORDER") {
            try expect("BY")
            if accept("ALL") {
                q.orderBy = [OrderItem(expr: .star(nil))]
                if accept("DESC") { q.orderBy[0].descending = true } else { _ = accept("ASC") }
                if accept("NULLS") {
                    if accept("FIRST") { q.orderBy[0].nullsFirst = true } else { try expect("LAST"); q.orderBy[0].nullsFirst = false }
                }
            } else {
                q.orderBy = try orderItems()
            }
        }
        if accept("LIMIT") {
            q.limit = try expression()
            if acceptSymbol(",") { q.offset = q.limit; q.limit = try expression() }
        }
        if accept("OFFSET") { q.offset = try expression(); _ = accept("ROWS") }
        if q.limit == nil, accept("LIMIT") { q.limit = try expression() }
        return q
    }

    mutating func queryTerm() throws -> QueryBody {
        if acceptSymbol("(") {
            let q = try query()
            try expectSymbol(")")
            return .nested(q)
        }
        if peek.isKeyword("VALUES") {
            var core = SelectCore()
            core.items = [SelectItem(expr: .star(nil))]
            core.from = try valuesClause(alias: nil)
            return .select(core)
        }
        return .select(try selectCore())
    }

    mutating func selectCore() throws -> SelectCore {
        var core = SelectCore()
        if accept("FROM") {
            // DuckDB's FROM-first: `FROM t` alone means SELECT *.
            core.from = try tableRef()
            if accept("SELECT") {
                core.distinct = accept("DISTINCT")
                _ = core.distinct || accept("ALL")
                core.items = try selectItems()
            } else {
                core.items = [SelectItem(expr: .star(nil))]
            }
        } else {
            try expect("SELECT")
            if accept("DISTINCT") {
                core.distinct = true
                if accept("ON") { throw error("DISTINCT ON is not supported; use row_number() with QUALIFY") }
            } else { _ = accept("ALL") }
            core.items = try selectItems()
            if accept("FROM") { core.from = try tableRef() }
        }
        if accept("WHERE") { core.filter = try expression() }
        if accept("GROUP") {
            try expect("BY")
            if accept("ALL") {
                core.groupBy = .all
            } else {
                var exprs: [Expr] = []
                repeat { exprs.append(try expression()) } while acceptSymbol(",")
                core.groupBy = .exprs(exprs)
            }
        }
        if accept("HAVING") { core.having = try expression() }
        if accept("WINDOW") { throw error("named WINDOW clauses are not supported; write the window in OVER (…)") }
        if accept("QUALIFY") { core.qualify = try expression() }
        return core
    }

    mutating func selectItems() throws -> [SelectItem] {
        var items: [SelectItem] = []
        repeat {
            if peek.isKeyword("FROM") && !items.isEmpty { throw error("unexpected FROM after ',' — remove the trailing comma") }
            let expr = try expression()
            var alias: String?
            if accept("AS") {
                alias = try identifier("a column alias")
            } else if peek.kind == .quotedIdentifier || (peek.kind == .identifier && !Self.reserved.contains(peek.text.uppercased())) {
                alias = advance().text
            }
            items.append(SelectItem(expr: expr, alias: alias))
        } while acceptSymbol(",") && !(peek.isKeyword("FROM") || peek.kind == .end)
        return items
    }

    mutating func orderItems() throws -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            var item = OrderItem(expr: try expression())
            if accept("DESC") { item.descending = true } else { _ = accept("ASC") }
            if accept("NULLS") {
                if accept("FIRST") { item.nullsFirst = true } else { try expect("LAST"); item.nullsFirst = false }
            }
            items.append(item)
        } while acceptSymbol(",")
        return items
    }

    // MARK: FROM

    mutating func tableRef() throws -> TableRef {
        var left = try tablePrimary()
        while true {
            if acceptSymbol(",") {
                left = .join(left, try tablePrimary(), kind: .cross, on: nil, using: [])
                continue
            }
            var kind: JoinKind?
            if accept("JOIN") { kind = .inner }
            else if accept("INNER") { try expect("JOIN"); kind = .inner }
            else if accept("LEFT") { _ = accept("OUTER"); try expect("JOIN"); kind = .left }
            else if accept("RIGHT") { _ = accept("OUTER"); try expect("JOIN"); kind = .right }
            else if accept("FULL") { _ = accept("OUTER"); try expect("JOIN"); kind = .full }
            else if accept("CROSS") { try expect("JOIN"); kind = .cross }
            else if peek.isKeyword("NATURAL") { throw error("NATURAL JOIN is not supported; write JOIN … USING (…) or ON …") }
            guard let kind else { return left }
            let right = try tablePrimary()
            if kind == .cross {
                left = .join(left, right, kind: .cross, on: nil, using: [])
            } else if accept("USING") {
                try expectSymbol("(")
                var names: [String] = []
                repeat { names.append(try identifier("a column name")) } while acceptSymbol(",")
                try expectSymbol(")")
                left = .join(left, right, kind: kind, on: nil, using: names)
            } else {
                guard accept("ON") else { throw error("expected ON or USING after JOIN \(describe(previous))") }
                left = .join(left, right, kind: kind, on: try expression(), using: [])
            }
        }
    }

    mutating func tablePrimary() throws -> TableRef {
        if acceptSymbol("(") {
            if peek.isKeyword("SELECT") || peek.isKeyword("WITH") || peek.isKeyword("FROM") || peek.isSymbol("(") || peek.isKeyword("VALUES") {
                let q = try query()
                try expectSymbol(")")
                return try aliased { .subquery(q, alias: $0) }
            }
            let inner = try tableRef()
            try expectSymbol(")")
            return inner
        }
        if peek.isKeyword("VALUES") { return try valuesClause(alias: nil) }
        if peek.kind == .string {
            let path = advance().text
            return try aliased { .path(path, alias: $0) }
        }
        var parts = [try identifier("a table name, a quoted file path or a subquery")]
        if acceptSymbol("(") {
            // A table function: read_parquet('…', hive_partitioning = true), read_json_auto(…), …
            var args: [Expr] = []
            var named: [(String, Expr)] = []
            if !peek.isSymbol(")") {
                repeat {
                    if peek.kind == .identifier, peekAhead.isSymbol("=") || peekAhead.isSymbol(":=") {
                        let name = advance().text
                        _ = advance()
                        named.append((name.lowercased(), try expression()))
                    } else {
                        args.append(try expression())
                    }
                } while acceptSymbol(",")
            }
            try expectSymbol(")")
            return try aliased { .tableFunction(parts[0].lowercased(), args, named: named, alias: $0) }
        }
        while acceptSymbol(".") { parts.append(try identifier("a table name after '.'")) }
        var travel: TimeTravel?
        if accept("AT") {
            try expectSymbol("(")
            let kind = try identifier("VERSION or TIMESTAMP").uppercased()
            try expectSymbol("=>")
            let value = try expression()
            try expectSymbol(")")
            switch (kind, value) {
            case let ("VERSION", .literal(.int(v))): travel = .version(Int(v))
            case let ("TIMESTAMP", .literal(.string(s))): travel = .timestamp(s)
            case let ("TIMESTAMP", .cast(.literal(.string(s)), _)): travel = .timestamp(s)
            default: throw error("AT takes (VERSION => <number>) or (TIMESTAMP => '<time>')")
            }
        }
        return try aliased { .named(parts, alias: $0, at: travel) }
    }

    mutating func valuesClause(alias: String?) throws -> TableRef {
        try expect("VALUES")
        var rows: [[Expr]] = []
        repeat {
            try expectSymbol("(")
            var row: [Expr] = []
            repeat { row.append(try expression()) } while acceptSymbol(",")
            try expectSymbol(")")
            rows.append(row)
        } while acceptSymbol(",")
        return .values(rows, alias: nil, columns: [])
    }

    mutating func tableAlias() throws -> String? {
        if accept("AS") { return try identifier("a table alias") }
        if peek.kind == .quotedIdentifier || (peek.kind == .identifier && !Self.reserved.contains(peek.text.uppercased())) {
            return advance().text
        }
        return nil
    }

    /// `(a, b)` after a table alias, if present.
    mutating func columnAliases() throws -> [String] {
        guard acceptSymbol("(") else { return [] }
        var names: [String] = []
        repeat { names.append(try identifier("a column name")) } while acceptSymbol(",")
        try expectSymbol(")")
        return names
    }

    /// Wraps `ref` when an alias with a column list follows.
    mutating func aliased(_ make: (String?) -> TableRef) throws -> TableRef {
        let alias = try tableAlias()
        let columns = alias == nil ? [] : try columnAliases()
        if let alias, !columns.isEmpty { return .renamed(make(nil), alias: alias, columns: columns) }
        return make(alias)
    }

    // MARK: expressions

    mutating func expression() throws -> Expr { try or() }

    mutating func or() throws -> Expr {
        var left = try and()
        while accept("OR") { left = .binary("OR", left, try and()) }
        return left
    }

    mutating func and() throws -> Expr {
        var left = try not()
        while accept("AND") { left = .binary("AND", left, try not()) }
        return left
    }

    mutating func not() throws -> Expr {
        if accept("NOT") { return .unary("NOT", try not()) }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        var left = try concat()
        while true {
            if peek.kind == .symbol, ["=", "==", "<>", "!=", "<", "<=", ">", ">="].contains(peek.text) {
                var op = advance().text
                if op == "==" { op = "=" }
                if op == "!=" { op = "<>" }
                left = .binary(op, left, try concat())
                continue
            }
            if accept("IS") {
                let negated = accept("NOT")
                if accept("NULL") { left = .isNull(left, negated: negated); continue }
                if accept("DISTINCT") {
                    try expect("FROM")
                    left = .binary(negated ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM", left, try concat())
                    continue
                }
                if accept("TRUE") { left = .binary(negated ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM", left, .literal(.bool(true))); continue }
                if accept("FALSE") { left = .binary(negated ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM", left, .literal(.bool(false))); continue }
                throw error("expected NULL, NOT NULL, TRUE, FALSE or DISTINCT FROM after IS")
            }
            let negated = peek.isKeyword("NOT") && (peekAhead.isKeyword("IN") || peekAhead.isKeyword("BETWEEN") || peekAhead.isKeyword("LIKE") || peekAhead.isKeyword("ILIKE"))
            if negated { _ = advance() }
            if accept("IN") {
                try expectSymbol("(")
                if peek.isKeyword("SELECT") || peek.isKeyword("WITH") {
                    let q = try query()
                    try expectSymbol(")")
                    left = .inSubquery(left, q, negated: negated)
                    continue
                }
                var list: [Expr] = []
                if !peek.isSymbol(")") { repeat { list.append(try expression()) } while acceptSymbol(",") }
                try expectSymbol(")")
                left = .inList(left, list, negated: negated)
                continue
            }
            if accept("BETWEEN") {
                let lo = try concat()
                try expect("AND")
                let hi = try concat()
                left = .between(left, lo, hi, negated: negated)
                continue
            }
            if accept("LIKE") { left = .like(left, try concat(), negated: negated, caseInsensitive: false); continue }
            if accept("ILIKE") { left = .like(left, try concat(), negated: negated, caseInsensitive: true); continue }
            if negated { throw error("expected IN, BETWEEN, LIKE or ILIKE after NOT") }
            return left
        }
    }

    mutating func concat() throws -> Expr {
        var left = try additive()
        while acceptSymbol("||") { left = .binary("||", left, try additive()) }
        return left
    }

    mutating func additive() throws -> Expr {
        var left = try multiplicative()
        while peek.isSymbol("+") || peek.isSymbol("-") {
            let op = advance().text
            left = .binary(op, left, try multiplicative())
        }
        return left
    }

    mutating func multiplicative() throws -> Expr {
        var left = try unary()
        while peek.isSymbol("*") || peek.isSymbol("/") || peek.isSymbol("//") || peek.isSymbol("%") {
            let op = advance().text
            left = .binary(op, left, try unary())
        }
        return left
    }

    mutating func unary() throws -> Expr {
        if acceptSymbol("-") {
            let operand = try unary()
            if case let .literal(.int(i)) = operand { return .literal(.int(-i)) }
            if case let .literal(.double(d)) = operand { return .literal(.double(-d)) }
            return .unary("-", operand)
        }
        if acceptSymbol("+") { return try unary() }
        return try postfix()
    }

    mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if acceptSymbol("::") {
                e = .cast(e, try typeName())
            } else if peek.isSymbol("->>") || peek.isSymbol("->") {
                let op = advance().text
                let key = try primary()
                e = .function(FunctionCall(name: op == "->>" ? "json_extract_string" : "json_extract", args: [e, key]))
            } else if acceptSymbol("[") {
                let index = try expression()
                try expectSymbol("]")
                e = .function(FunctionCall(name: "list_extract", args: [e, index]))
            } else {
                return e
            }
        }
    }

    mutating func typeName() throws -> DataType {
        let start = peek
        var name = try identifier("a type name").uppercased()
        if name == "TIMESTAMP", accept("WITH") {
            try expect("TIME"); try expect("ZONE")
            name = "TIMESTAMPTZ"
        } else if name == "DOUBLE", accept("PRECISION") {}
        if acceptSymbol("(") {
            while !acceptSymbol(")") { _ = advance(); if peek.kind == .end { break } }
        }
        guard let type = DataType.named(name) else {
            throw error("unknown type \(name) in CAST: use BIGINT, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP or TIMESTAMPTZ", token: start)
        }
        return type
    }

    mutating func primary() throws -> Expr {
        let token = peek
        switch token.kind {
        case .integer:
            _ = advance()
            guard let v = Int64(token.text) else {
                guard let d = Double(token.text) else { throw error("number \(token.text) is out of range", token: token) }
                return .literal(.double(d))
            }
            return .literal(.int(v))
        case .decimal:
            _ = advance()
            return .literal(.double(Double(token.text)!))
        case .string:
            _ = advance()
            return .literal(.string(token.text))
        case .quotedIdentifier:
            return try columnReference()
        case .symbol:
            if acceptSymbol("(") {
                if peek.isKeyword("SELECT") || peek.isKeyword("WITH") {
                    let q = try query()
                    try expectSymbol(")")
                    return .subquery(q)
                }
                let e = try expression()
                if peek.isSymbol(",") { throw error("row values (a, b) are not supported") }
                try expectSymbol(")")
                return e
            }
            if acceptSymbol("*") { return .star(nil) }
            throw error("expected an expression, found \(describe(token))")
        case .end:
            throw error("the query ends where an expression was expected")
        case .parameter:
            throw error("query parameters are not supported")
        case .identifier:
            break
        }
        let word = token.text.uppercased()
        switch word {
        case "NULL": _ = advance(); return .literal(.null)
        case "TRUE": _ = advance(); return .literal(.bool(true))
        case "FALSE": _ = advance(); return .literal(.bool(false))
        case "CASE": _ = advance(); return try caseExpression()
        case "CAST", "TRY_CAST":
            _ = advance()
            try expectSymbol("(")
            let e = try expression()
            try expect("AS")
            let t = try typeName()
            try expectSymbol(")")
            return word == "TRY_CAST" ? .function(FunctionCall(name: "try_cast", args: [e, .literal(.string(t.rawValue))])) : .cast(e, t)
        case "INTERVAL":
            _ = advance()
            let value: Expr
            if peek.kind == .string {
                let text = advance().text
                let parts = text.split(separator: " ")
                if parts.count == 2, let n = Int64(parts[0]) {
                    return .interval(.literal(.int(n)), Self.intervalUnit(String(parts[1])) ?? String(parts[1]).uppercased())
                }
                value = .literal(.string(text))
                if let unit = peekIntervalUnit() { _ = advance(); return .interval(value, unit) }
                throw error("INTERVAL '\(text)': write it as INTERVAL 7 DAY or INTERVAL '7 days'", token: token)
            } else if acceptSymbol("(") {
                value = try expression()
                try expectSymbol(")")
            } else {
                value = try unary()
            }
            guard let unit = peekIntervalUnit() else {
                throw error("expected a unit (DAY, HOUR, MONTH, …) after INTERVAL \(value.sql)")
            }
            _ = advance()
            return .interval(value, unit)
        case "EXTRACT":
            _ = advance()
            try expectSymbol("(")
            let field = try identifier("a date part (year, month, day, hour, …)").lowercased()
            try expect("FROM")
            let e = try expression()
            try expectSymbol(")")
            return .extract(field, e)
        case "DATE", "TIMESTAMP", "TIMESTAMPTZ":
            if peekAhead.kind == .string {
                _ = advance()
                let text = advance().text
                return .cast(.literal(.string(text)), DataType.named(word)!)
            }
        case "EXISTS":
            throw error("EXISTS subqueries are not supported; use IN (SELECT …) or a join")
        default:
            break
        }
        if Self.reserved.contains(word), !peekAhead.isSymbol("(") || ["AND", "OR", "NOT", "IN", "IS", "LIKE", "FROM", "WHERE", "SELECT"].contains(word) {
            throw error("expected an expression, found the keyword \(word)")
        }
        if peekAhead.isSymbol("(") { return try functionCall() }
        return try columnReference()
    }

    mutating func peekIntervalUnit() -> String? {
        guard peek.kind == .identifier else { return nil }
        return Self.intervalUnit(peek.text)
    }

    static func intervalUnit(_ text: String) -> String? {
        let u = text.uppercased()
        let singular = u.hasSuffix("S") ? String(u.dropLast()) : u
        return ["YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"].contains(singular) ? singular : nil
    }

    mutating func columnReference() throws -> Expr {
        var parts = [try identifier("a column name")]
        while acceptSymbol(".") {
            if acceptSymbol("*") { return .star(parts.joined(separator: ".")) }
            parts.append(try identifier("a column name after '.'"))
        }
        return .column(parts)
    }

    mutating func functionCall() throws -> Expr {
        let name = advance().text
        try expectSymbol("(")
        if name.lowercased() == "position", !peek.isSymbol(")") {
            let needle = try concat()
            if accept("IN") {
                let haystack = try concat()
                try expectSymbol(")")
                return .function(FunctionCall(name: "strpos", args: [haystack, needle]))
            }
            var args = [needle]
            while acceptSymbol(",") { args.append(try expression()) }
            try expectSymbol(")")
            return .function(FunctionCall(name: "position", args: args))
        }
        var call = FunctionCall(name: name.lowercased(), args: [])
        if acceptSymbol("*") {
            call.star = true
        } else if !peek.isSymbol(")") {
            call.distinct = accept("DISTINCT")
            if !call.distinct { _ = accept("ALL") }
            repeat { call.args.append(try expression()) } while acceptSymbol(",")
            if accept("ORDER") { throw error("ORDER BY inside \(name)(…) is not supported") }
        }
        try expectSymbol(")")
        if accept("FILTER") {
            try expectSymbol("(")
            try expect("WHERE")
            call.filter = try expression()
            try expectSymbol(")")
        }
        if accept("OVER") {
            try expectSymbol("(")
            var spec = WindowSpec()
            if accept("PARTITION") {
                try expect("BY")
                repeat { spec.partitionBy.append(try expression()) } while acceptSymbol(",")
            }
            if accept("ORDER") {
                try expect("BY")
                spec.orderBy = try orderItems()
            }
            if accept("ROWS") {
                // ROWS BETWEEN <bound> AND <bound>, or ROWS <bound> (… AND CURRENT ROW).
                if accept("BETWEEN") {
                    let start = try frameBound()
                    try expect("AND")
                    spec.rows = RowsFrame(start: start, end: try frameBound())
                } else {
                    spec.rows = RowsFrame(start: try frameBound(), end: 0)
                }
                if spec.rows == RowsFrame(start: nil, end: nil) { spec.wholePartition = true; spec.rows = nil }
            } else if accept("RANGE") {
                try expect("BETWEEN")
                guard accept("UNBOUNDED") else {
                    throw error("RANGE frames with offsets are not supported; use ROWS BETWEEN n PRECEDING AND …")
                }
                try expect("PRECEDING"); try expect("AND")
                if accept("UNBOUNDED") { try expect("FOLLOWING"); spec.wholePartition = true } else {
                    guard accept("CURRENT") else { throw error("RANGE frames with offsets are not supported; use ROWS BETWEEN n PRECEDING AND …") }
                    try expect("ROW")
                }
            }
            try expectSymbol(")")
            call.over = spec
        }
        return .function(call)
    }

    /// A ROWS frame bound as an offset from the current row; nil for UNBOUNDED.
    mutating func frameBound() throws -> Int? {
        if accept("UNBOUNDED") {
            guard accept("PRECEDING") || accept("FOLLOWING") else { throw error("expected PRECEDING or FOLLOWING after UNBOUNDED") }
            return nil
        }
        if accept("CURRENT") { try expect("ROW"); return 0 }
        guard peek.kind == .integer, let n = Int(advance().text) else { throw error("expected a number of rows, UNBOUNDED or CURRENT ROW in the window frame") }
        if accept("PRECEDING") { return -n }
        try expect("FOLLOWING")
        return n
    }

    mutating func caseExpression() throws -> Expr {
        var operand: Expr?
        if !peek.isKeyword("WHEN") { operand = try expression() }
        var whens: [(Expr, Expr)] = []
        while accept("WHEN") {
            let w = try expression()
            try expect("THEN")
            whens.append((w, try expression()))
        }
        guard !whens.isEmpty else { throw error("CASE needs at least one WHEN … THEN …") }
        var otherwise: Expr?
        if accept("ELSE") { otherwise = try expression() }
        try expect("END")
        return .caseWhen(operand: operand, whens: whens, otherwise: otherwise)
    }

    // MARK: tokens

    var peek: Token { tokens[at] }
    var peekAhead: Token { tokens[min(at + 1, tokens.count - 1)] }
    var previous: Token { tokens[max(at - 1, 0)] }

    mutating func advance() -> Token {
        let t = tokens[at]
        if at < tokens.count - 1 { at += 1 }
        return t
    }

    mutating func accept(_ keyword: String) -> Bool {
        if peek.isKeyword(keyword) { at += 1; return true }
        return false
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        if peek.isSymbol(s) { at += 1; return true }
        return false
    }

    mutating func expect(_ keyword: String) throws {
        guard accept(keyword) else { throw error("expected \(keyword), found \(describe(peek))") }
    }

    mutating func expectSymbol(_ s: String) throws {
        guard acceptSymbol(s) else {
            if s == ")" { throw error("expected ')' to close the '(' — found \(describe(peek))") }
            throw error("expected '\(s)', found \(describe(peek))")
        }
    }

    mutating func identifier(_ what: String) throws -> String {
        let t = peek
        if t.kind == .quotedIdentifier { at += 1; return t.text }
        guard t.kind == .identifier else { throw error("expected \(what), found \(describe(t))") }
        at += 1
        return t.text
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: return "the end of the query"
        case .string: return "'\(t.text)'"
        case .identifier where Self.reserved.contains(t.text.uppercased()): return t.text.uppercased()
        default: return "'\(t.text)'"
        }
    }

    func error(_ message: String, token: Token? = nil) -> QueryError {
        let t = token ?? peek
        return .syntax(message, line: t.line, column: t.column, sql: sql)
    }
}
