import Foundation
import LakeCore

/// CAST between lake's SQL types, as DuckDB casts: doubles round half away from zero into
/// BIGINT, strings are parsed strictly (an error names the value), TRY_CAST gives null.
enum Cast {
    static func vector(_ v: Vector, to t: DataType, try isTry: Bool) throws -> Vector {
        if v.type == t { return v }
        if case let .nulls(n) = v.storage { return Vector(type: t, storage: .nulls(n)) }
        switch (v.storage, t) {
        case let (.ints(x), .double) where v.type == .bigint:
            return Vector(type: .double, storage: .doubles(x.map(Double.init)), validity: v.validity)
        case let (.ints(x), .timestamp) where v.type == .date, let (.ints(x), .timestamptz) where v.type == .date:
            return Vector(type: t, storage: .ints(x.map { $0 * 86_400_000_000 }), validity: v.validity)
        case (.ints, .timestamp) where v.type == .timestamptz, (.ints, .timestamptz) where v.type == .timestamp:
            return Vector(type: t, storage: v.storage, validity: v.validity)
        case (.strings, .varchar) where v.type == .json, (.strings, .json) where v.type == .varchar,
             (.dictionary, .varchar) where v.type == .json, (.dictionary, .json) where v.type == .varchar:
            return Vector(type: t, storage: v.storage, validity: v.validity)
        default:
            var builder = VectorBuilder(type: t, capacity: v.count)
            for i in 0..<v.count {
                do { builder.append(try value(v.value(i), to: t)) } catch where isTry { builder.appendNull() }
            }
            return builder.finish()
        }
    }

    static func value(_ v: Value, to t: DataType) throws -> Value {
        if v.isNull || t == .null { return .null }
        func fail() -> QueryError {
            .type("could not convert \(v.type.rawValue) \(v.text.map { "'\($0)'" } ?? "") to \(t.rawValue) — check the value, or use TRY_CAST to get NULL instead")
        }
        switch t {
        case .varchar, .json:
            return .string(v.text ?? "")
        case .bigint:
            switch v {
            case let .int(i): return .int(i)
            case let .double(d):
                let r = d.rounded(.toNearestOrAwayFromZero)
                guard r.isFinite, r >= -9.2e18, r <= 9.2e18 else { throw fail() }
                return .int(Int64(r))
            case let .bool(b): return .int(b ? 1 : 0)
            case let .string(s):
                let trimmed = s.trimmingCharacters(in: .whitespaces)
                if let i = Int64(trimmed) { return .int(i) }
                throw fail()
            case let .date(d): return .int(d)
            default: throw fail()
            }
        case .double:
            switch v {
            case let .int(i): return .double(Double(i))
            case let .double(d): return .double(d)
            case let .bool(b): return .double(b ? 1 : 0)
            case let .string(s):
                let trimmed = s.trimmingCharacters(in: .whitespaces).lowercased()
                if let d = Double(trimmed) { return .double(d) }
                if trimmed == "inf" || trimmed == "infinity" { return .double(.infinity) }
                if trimmed == "-inf" || trimmed == "-infinity" { return .double(-.infinity) }
                if trimmed == "nan" { return .double(.nan) }
                throw fail()
            default: throw fail()
            }
        case .boolean:
            switch v {
            case let .bool(b): return .bool(b)
            case let .int(i): return .bool(i != 0)
            case let .double(d): return .bool(d != 0)
            case let .string(s):
                switch s.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true", "t", "1", "yes", "y": return .bool(true)
                case "false", "f", "0", "no", "n": return .bool(false)
                default: throw fail()
                }
            default: throw fail()
            }
        case .date:
            switch v {
            case let .date(d): return .date(d)
            case let .timestamp(t), let .timestamptz(t):
                return .date(Int64((Double(t) / 86_400_000_000).rounded(.down)))
            case let .string(s):
                let text = s.trimmingCharacters(in: .whitespaces)
                if let d = CivilTime.parseDate(Array(text.utf8)[...]) { return .date(Int64(d)) }
                if let t = parseTimestamp(text) { return .date(Int64((Double(t) / 86_400_000_000).rounded(.down))) }
                throw fail()
            default: throw fail()
            }
        case .timestamp, .timestamptz:
            switch v {
            case let .date(d): return t == .timestamp ? .timestamp(d * 86_400_000_000) : .timestamptz(d * 86_400_000_000)
            case let .timestamp(x), let .timestamptz(x): return t == .timestamp ? .timestamp(x) : .timestamptz(x)
            case let .string(s):
                guard let x = parseTimestamp(s.trimmingCharacters(in: .whitespaces)) else { throw fail() }
                return t == .timestamp ? .timestamp(x) : .timestamptz(x)
            default: throw fail()
            }
        case .interval:
            if case let .interval(i) = v { return .interval(i) }
            throw fail()
        case .null:
            return .null
        }
    }

    /// `2024-03-01`, `2024-03-01 10:00:00[.ffffff][Z|+hh[:mm]]`, with `T` or a space.
    static func parseTimestamp(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        if let d = CivilTime.parseDate(bytes[...]) { return Int64(d) * 86_400_000_000 }
        if let t = CivilTime.parseTimestamp(bytes[...]) { return t }
        // Without an offset: read as UTC.
        for suffix in ["Z", "+00:00"] {
            if let t = CivilTime.parseTimestamp(Array((text + suffix).utf8)[...]) { return t }
        }
        if text.hasSuffix("+00"), let t = CivilTime.parseTimestamp(Array((text + ":00").utf8)[...]) { return t }
        return nil
    }
}
