import Foundation

/// Orders values as DuckDB does: numbers by value (BIGINT against DOUBLE too), strings by
/// bytes, NaN above every other double; null handled by callers.
public enum Compare {
    @inline(__always) static func doubles(_ a: Double, _ b: Double) -> Int {
        if a < b { return -1 }
        if a > b { return 1 }
        if a == b { return 0 }
        return a.isNaN ? (b.isNaN ? 0 : 1) : -1
    }

    public static func values(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return 1
        case (_, .null): return -1
        case let (.int(x), .int(y)), let (.date(x), .date(y)), let (.timestamp(x), .timestamp(y)),
             let (.timestamptz(x), .timestamptz(y)), let (.timestamp(x), .timestamptz(y)), let (.timestamptz(x), .timestamp(y)):
            return x < y ? -1 : (x > y ? 1 : 0)
        case let (.double(x), .double(y)): return doubles(x, y)
        case let (.int(x), .double(y)): return doubles(Double(x), y)
        case let (.double(x), .int(y)): return doubles(x, Double(y))
        case let (.date(d), .timestamp(t)), let (.date(d), .timestamptz(t)):
            let x = d * 86_400_000_000
            return x < t ? -1 : (x > t ? 1 : 0)
        case let (.timestamp(t), .date(d)), let (.timestamptz(t), .date(d)):
            let y = d * 86_400_000_000
            return t < y ? -1 : (t > y ? 1 : 0)
        case let (.string(x), .string(y)):
            if x == y { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case let (.bool(x), .bool(y)): return x == y ? 0 : (!x ? -1 : 1)
        case let (.interval(x), .interval(y)):
            let xs = (x.months * 30 + x.days) * 86_400_000_000 + x.micros, ys = (y.months * 30 + y.days) * 86_400_000_000 + y.micros
            return xs < ys ? -1 : (xs > ys ? 1 : 0)
        default:
            let x = a.text ?? "", y = b.text ?? ""
            return x == y ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        }
    }
}
