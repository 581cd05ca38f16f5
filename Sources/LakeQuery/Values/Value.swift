import Foundation
import LakeCore
import LakeParquet

/// One SQL value: literals, constants folded at plan time, and row-at-a-time paths.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case date(Int64)
    case timestamp(Int64)
    case timestamptz(Int64)
    case interval(Interval)

    public var isNull: Bool { if case .null = self { true } else { false } }

    var type: DataType {
        switch self {
        case .null: .null
        case .bool: .boolean
        case .int: .bigint
        case .double: .double
        case .string: .varchar
        case .date: .date
        case .timestamp: .timestamp
        case .timestamptz: .timestamptz
        case .interval: .interval
        }
    }

    /// The value as text, as DuckDB casts it to VARCHAR.
    public var text: String? {
        switch self {
        case .null: nil
        case let .bool(b): b ? "true" : "false"
        case let .int(i): String(i)
        case let .double(d): Value.format(d)
        case let .string(s): s
        case let .date(d): CivilTime.dateString(days: Int(d))
        case let .timestamp(t): Value.timestampText(t, zone: false)
        case let .timestamptz(t): Value.timestampText(t, zone: true)
        case let .interval(i): i.description
        }
    }

    /// A double as DuckDB prints it: shortest round-trip digits, `inf`, `nan`.
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    /// `2024-03-01 10:00:05.123` (and `+00` with a zone), as DuckDB prints timestamps.
    static func timestampText(_ micros: Int64, zone: Bool) -> String {
        let days = Int64((Double(micros) / 86_400_000_000).rounded(.down))
        var rest = micros - days * 86_400_000_000
        let h = rest / 3_600_000_000; rest -= h * 3_600_000_000
        let m = rest / 60_000_000; rest -= m * 60_000_000
        let s = rest / 1_000_000; rest -= s * 1_000_000
        var out = CivilTime.dateString(days: Int(days)) + String(format: " %02d:%02d:%02d", h, m, s)
        if rest > 0 {
            var frac = String(format: "%06d", rest)
            while frac.hasSuffix("0") { frac.removeLast() }
            out += "." + frac
        }
        return zone ? out + "+00" : out
    }
}

/// An INTERVAL: months, days and microseconds, kept apart as DuckDB keeps them.
public struct Interval: Sendable, Hashable, CustomStringConvertible {
    public var months: Int64
    public var days: Int64
    public var micros: Int64

    public var description: String {
        var parts: [String] = []
        if months != 0 {
            let y = months / 12, m = months % 12
            if y != 0 { parts.append("\(y) year\(abs(y) == 1 ? "" : "s")") }
            if m != 0 { parts.append("\(m) month\(abs(m) == 1 ? "" : "s")") }
        }
        if days != 0 { parts.append("\(days) day\(abs(days) == 1 ? "" : "s")") }
        if micros != 0 || parts.isEmpty {
            let total = abs(micros)
            let h = total / 3_600_000_000, m = total / 60_000_000 % 60, s = total / 1_000_000 % 60, f = total % 1_000_000
            var t = String(format: "%@%02lld:%02lld:%02lld", micros < 0 ? "-" : "", h, m, s)
            if f > 0 { t += String(format: ".%06lld", f) }
            parts.append(t)
        }
        return parts.joined(separator: " ")
    }
}

extension Value {
    /// A Parquet value (a statistic): Parquet timestamps are UTC instants.
    public init(parquet c: ColumnValue) {
        switch c {
        case let .boolean(b): self = .bool(b)
        case let .int(i): self = .int(i)
        case let .double(d): self = .double(d)
        case let .string(s): self = .string(s)
        case let .date(d): self = .date(Int64(d))
        case let .timestamp(t): self = .timestamptz(t)
        }
    }
}
