/// What a column chunk (or a whole file) holds: min, max and null count. Written into the
/// footer and handed to the catalog.
public struct ColumnStats: Sendable, Equatable {
    public var name: String
    public var min: ColumnValue?
    public var max: ColumnValue?
    public var nullCount: Int
    public var valueCount: Int

    public init(name: String, min: ColumnValue? = nil, max: ColumnValue? = nil, nullCount: Int = 0, valueCount: Int = 0) {
        self.name = name
        self.min = min
        self.max = max
        self.nullCount = nullCount
        self.valueCount = valueCount
    }

    /// Folds another chunk's statistics into these.
    public mutating func merge(_ other: ColumnStats) {
        nullCount += other.nullCount
        valueCount += other.valueCount
        if let m = other.min { min = min.map { ColumnValue.less($0, m) ? $0 : m } ?? m }
        if let m = other.max { max = max.map { ColumnValue.less(m, $0) ? $0 : m } ?? m }
    }
}

extension ColumnValue {
    /// Parquet's type-defined order: signed for numbers, unsigned bytes for strings.
    public static func less(_ a: ColumnValue, _ b: ColumnValue) -> Bool {
        switch (a, b) {
        case let (.boolean(x), .boolean(y)): return !x && y
        case let (.int(x), .int(y)): return x < y
        case let (.double(x), .double(y)): return x < y
        case let (.date(x), .date(y)): return x < y
        case let (.timestamp(x), .timestamp(y)): return x < y
        case let (.string(x), .string(y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        default: return false
        }
    }
}
