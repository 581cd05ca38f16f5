/// The parsed form of a query, before names are resolved.
indirect enum Expr: Sendable, Equatable {
    case column([String])                       // a, t.a
    case literal(Value)
    case star(String?)                          // *, t.*
    case unary(String, Expr)                    // -, NOT
    case binary(String, Expr, Expr)             // + - * / // % || = <> < <= > >= AND OR
    case function(FunctionCall)
    case caseWhen(operand: Expr?, whens: [(Expr, Expr)], otherwise: Expr?)
    case cast(Expr, DataType)
    case between(Expr, Expr, Expr, negated: Bool)
    case inList(Expr, [Expr], negated: Bool)
    case like(Expr, Expr, negated: Bool, caseInsensitive: Bool)
    case isNull(Expr, negated: Bool)
    case interval(Expr, String)                 // INTERVAL 7 DAY, INTERVAL '7 days'
    case extract(String, Expr)
    case subquery(Query)                        // scalar subquery
    case inSubquery(Expr, Query, negated: Bool)

    static func == (a: Expr, b: Expr) -> Bool { a.sql == b.sql }
}

struct FunctionCall: Sendable {
    var name: String
    var args: [Expr]
    var distinct = false
    var star = false
    var over: WindowSpec?
    var filter: Expr?
}

struct WindowSpec: Sendable {
    var partitionBy: [Expr] = []
    var orderBy: [OrderItem] = []
    /// ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (the default with ORDER BY) or the whole partition.
    var wholePartition = false
    /// `ROWS BETWEEN <start> AND <end>`: offsets from the current row (negative: preceding);
    /// nil is unbounded. Absent: DuckDB's default RANGE frame.
    var rows: RowsFrame?
}

struct RowsFrame: Sendable, Equatable {
    var start: Int?
    var end: Int?
}

struct OrderItem: Sendable {
    var expr: Expr
    var descending = false
    /// nil: DuckDB's default (NULLS LAST).
    var nullsFirst: Bool?
}

struct SelectItem: Sendable {
    var expr: Expr
    var alias: String?
}

enum GroupBy: Sendable {
    case none
    case exprs([Expr])
    case all
}

indirect enum TableRef: Sendable {
    case named([String], alias: String?, at: TimeTravel?)
    case path(String, alias: String?)
    case tableFunction(String, [Expr], named: [(String, Expr)], alias: String?)
    case subquery(Query, alias: String?)
    case join(TableRef, TableRef, kind: JoinKind, on: Expr?, using: [String])
    case values([[Expr]], alias: String?, columns: [String])
    /// `… AS alias(a, b)`: the table's columns renamed.
    case renamed(TableRef, alias: String, columns: [String])
}

enum JoinKind: String, Sendable { case inner = "INNER", left = "LEFT", right = "RIGHT", full = "FULL", cross = "CROSS" }

/// `AT (VERSION => n)` or `AT (TIMESTAMP => '…')`.
public enum TimeTravel: Sendable {
    case version(Int)
    case timestamp(String)
}

struct SelectCore: Sendable {
    var distinct = false
    var items: [SelectItem] = []
    var from: TableRef?
    var filter: Expr?
    var groupBy: GroupBy = .none
    var having: Expr?
    var qualify: Expr?
}

indirect enum QueryBody: Sendable {
    case select(SelectCore)
    case unionAll(QueryBody, QueryBody)
    case union(QueryBody, QueryBody)
    case nested(Query)
}

struct Query: Sendable {
    var with: [(name: String, query: Query)] = []
    var body: QueryBody
    var orderBy: [OrderItem] = []
    var limit: Expr?
    var offset: Expr?
}

struct Statement: Sendable {
    var query: Query
    var explain = false
}
