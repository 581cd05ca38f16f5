/// One output column of a plan node: its name, the table (alias) it came from, its type.
struct Field: Sendable {
    var name: String
    var table: String?
    var type: DataType
}

struct SortKey: Sendable {
    var expr: BoundExpr
    var descending: Bool
    var nullsFirst: Bool
}

/// What a scan reads: a source, the columns it outputs (positions in `source.fields`), and
/// the filters it applies (over `source.fields`), which also prune files and row groups.
struct ScanSpec: Sendable {
    var source: TableSource
    var columns: [Int]
    var filters: [BoundExpr] = []
    var alias: String?
}

struct JoinSpec: Sendable {
    var left: LogicalPlan
    var right: LogicalPlan
    var kind: JoinKind
    /// Equality keys: left expressions over the left input, right over the right input.
    var leftKeys: [BoundExpr]
    var rightKeys: [BoundExpr]
    /// The rest of the ON condition, over left fields followed by right fields.
    var residual: BoundExpr?
    /// Output positions no later node reads (set by column pruning): emitted as null placeholders.
    var unused: Set<Int> = []
}

/// A window function's output column.
struct WindowCall: Sendable {
    enum Kind: String, Sendable { case rowNumber = "row_number", rank, denseRank = "dense_rank", aggregate, lag, lead, firstValue = "first_value", lastValue = "last_value", ntile }
    var kind: Kind
    var aggregate: AggregateCall?
    var args: [BoundExpr]
    var partitionBy: [BoundExpr]
    var orderBy: [SortKey]
    var wholePartition: Bool
    var rows: RowsFrame? = nil
    var type: DataType
    var name: String
    /// row_number() whose query keeps only the first n of each partition (a QUALIFY): the
    /// others are numbered n + 1 without being ordered.
    var perPartitionLimit: Int? = nil
}

/// The logical plan: what to compute, before the optimizer and the operators.
indirect enum LogicalPlan: Sendable {
    case scan(ScanSpec)
    case values([[Value]], [Field])
    case filter(LogicalPlan, BoundExpr)
    case project(LogicalPlan, [BoundExpr], [Field])
    case aggregate(LogicalPlan, groups: [BoundExpr], aggregates: [AggregateCall], [Field])
    case window(LogicalPlan, [WindowCall], [Field])
    case join(JoinSpec, [Field])
    case sort(LogicalPlan, [SortKey])
    case topN(LogicalPlan, [SortKey], Int)
    case limit(LogicalPlan, limit: Int?, offset: Int)
    case distinct(LogicalPlan)
    case unionAll([LogicalPlan], [Field])

    var fields: [Field] {
        switch self {
        case let .scan(s):
            return s.columns.map { var f = s.source.fields[$0]; f.table = s.alias ?? f.table; return f }
        case let .values(_, f), let .project(_, _, f), let .aggregate(_, _, _, f), let .window(_, _, f), let .join(_, f), let .unionAll(_, f):
            return f
        case let .filter(p, _), let .sort(p, _), let .topN(p, _, _), let .limit(p, _, _), let .distinct(p):
            return p.fields
        }
    }
}
