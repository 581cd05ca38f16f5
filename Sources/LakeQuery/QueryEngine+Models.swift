import LakeParquet

extension QueryEngine {
    /// The tables a query reads (`staged.plays`, `curated.x`, …), CTE names left out.
    public static func referencedTables(_ sql: String) throws -> [[String]] {
        let statement = try Parser.parse(sql)
        var found: [[String]] = []
        func query(_ q: Query, _ ctes: Set<String>) {
            var names = ctes
            for (name, inner) in q.with { query(inner, names); names.insert(name.lowercased()) }
            body(q.body, names)
        }
        func body(_ b: QueryBody, _ ctes: Set<String>) {
            switch b {
            case let .select(core):
                if let from = core.from { table(from, ctes) }
                var exprs = core.items.map(\.expr)
                exprs += [core.filter, core.having, core.qualify].compactMap { $0 }
                for e in exprs { expr(e, ctes) }
            case let .unionAll(x, y), let .union(x, y): body(x, ctes); body(y, ctes)
            case let .nested(q): query(q, ctes)
            }
        }
        func table(_ t: TableRef, _ ctes: Set<String>) {
            switch t {
            case let .named(parts, _, _):
                if !(parts.count == 1 && ctes.contains(parts[0].lowercased())) { found.append(parts) }
            case let .subquery(q, _): query(q, ctes)
            case let .join(l, r, _, on, _): table(l, ctes); table(r, ctes); if let on { expr(on, ctes) }
            default: break
            }
        }
        func expr(_ e: Expr, _ ctes: Set<String>) {
            switch e {
            case let .subquery(q): query(q, ctes)
            case let .inSubquery(x, q, _): expr(x, ctes); query(q, ctes)
            default: for c in e.children { expr(c, ctes) }
            }
        }
        query(statement.query, [])
        return found
    }
}

extension Vector {
    /// This vector as a Parquet column of `schema`'s type (cast as SQL would).
    public func parquetColumn(_ schema: ColumnSchema) throws -> Column {
        let target: DataType
        switch schema.type {
        case .boolean: target = .boolean
        case .int32, .int64: target = .bigint
        case .double: target = .double
        case .string: target = .varchar
        case .date: target = .date
        case .timestamp: target = type == .timestamp ? .timestamp : .timestamptz
        }
        let v = try Cast.vector(self, to: target, try: false).flattened
        let validity: [Bool]? = {
            if case let .nulls(n) = v.storage { return [Bool](repeating: false, count: n) }
            return v.validity
        }()
        let data: ColumnData
        switch (v.storage, schema.type) {
        case let (.bools(x), _): data = .boolean(x)
        case let (.ints(x), .int32), let (.ints(x), .date): data = .int32(x.map { Int32(truncatingIfNeeded: $0) })
        case let (.ints(x), _): data = .int64(x)
        case let (.doubles(x), _): data = .double(x)
        case let (.strings(x), _): data = .string(x)
        case let (.nulls(n), .boolean): data = .boolean([Bool](repeating: false, count: n))
        case let (.nulls(n), .int32), let (.nulls(n), .date): data = .int32([Int32](repeating: 0, count: n))
        case let (.nulls(n), .int64), let (.nulls(n), .timestamp): data = .int64([Int64](repeating: 0, count: n))
        case let (.nulls(n), .double): data = .double([Double](repeating: 0, count: n))
        case let (.nulls(n), .string):
            var s = StringArray()
            for _ in 0..<n { s.appendEmpty() }
            data = .string(s)
        default: throw QueryError.type("cannot store \(type.rawValue) in a \(schema.type.sqlName) column '\(schema.name)'")
        }
        return Column(schema: schema, data: data, validity: validity)
    }

    /// Each value as text (null stays nil), for masking and partition values.
    public func texts() -> [String?] { (0..<count).map { value($0).text } }

    public static func strings(_ values: [String?]) -> Vector {
        var b = VectorBuilder(type: .varchar, capacity: values.count)
        for v in values { if let v { b.append(.string(v)) } else { b.appendNull() } }
        return b.finish()
    }
}
