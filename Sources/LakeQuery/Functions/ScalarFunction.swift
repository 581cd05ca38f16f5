import Foundation
import LakeCatalog
import LakeCore

/// A scalar function: evaluated row by row over `Value`s, or over whole vectors when it has
/// a fast path.
struct ScalarFunction: Sendable {
    let name: String
    /// Null in, null out without calling `rowwise` (most functions; not coalesce or concat).
    var propagatesNull = true
    let rowwise: @Sendable ([Value]) throws -> Value
    var vector: (@Sendable ([Vector], Int) throws -> Vector)?

    init(_ name: String, propagatesNull: Bool = true, vector: (@Sendable ([Vector], Int) throws -> Vector)? = nil,
         _ rowwise: @escaping @Sendable ([Value]) throws -> Value) {
        self.name = name
        self.propagatesNull = propagatesNull
        self.rowwise = rowwise
        self.vector = vector
    }
}

/// What a call to a scalar function binds to: the function, its result type, and the types
/// its arguments are cast to first.
struct ResolvedFunction {
    var function: ScalarFunction
    var type: DataType
    var argTypes: [DataType?]
}

/// The scalar functions lake knows, by name, with DuckDB's result types.
enum Functions {
    static let names: [String] = [
        "lower", "upper", "length", "strlen", "substr", "substring", "concat", "round", "abs", "date_trunc", "year", "month",
        "day", "hour", "minute", "second", "dayofweek", "dayofyear", "quarter", "week", "current_date", "today",
        "strftime", "coalesce", "ifnull", "nullif", "greatest", "least", "json_extract_string", "json_extract",
        "try_cast", "date_part", "datepart", "trim", "ltrim", "rtrim", "replace", "starts_with", "ends_with",
        "contains", "left", "right", "floor", "ceil", "ceiling", "sqrt", "ln", "log10", "exp", "pow", "power",
        "now", "current_timestamp", "date_diff", "datediff", "date_add", "epoch", "epoch_ms", "sign", "reverse",
        "lpad", "rpad", "repeat", "position", "strpos", "instr", "regexp_matches", "split_part",
        "to_timestamp", "make_date", "last_day", "monthname", "dayname", "typeof", "if", "iff", "list_extract", "mod",
    ]

    static func resolve(_ name: String, _ args: [DataType], expr: String) throws -> ResolvedFunction {
        func sig(_ t: DataType, _ a: [DataType?], _ f: ScalarFunction) -> ResolvedFunction { ResolvedFunction(function: f, type: t, argTypes: a) }
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(args.count) else {
                throw QueryError.type("\(name)() takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument\(range.upperBound == 1 ? "" : "s"), not \(args.count), in \(expr)")
            }
        }
        func needText(_ i: Int) throws {
            guard args[i] == .varchar || args[i] == .json || args[i] == .null else {
                throw QueryError.type("\(name)() needs text, but its argument \(i + 1) is \(args[i].rawValue), in \(expr) — CAST it to VARCHAR")
            }
        }
        func needNumber(_ i: Int) throws {
            guard args[i].isNumeric || args[i] == .null else {
                throw QueryError.type("\(name)() needs a number, but its argument is \(args[i].rawValue), in \(expr)")
            }
        }
        func needTemporal(_ i: Int) throws {
            guard args[i].isTemporal || args[i] == .null || args[i] == .varchar else {
                throw QueryError.type("\(name)() needs a DATE or TIMESTAMP, but its argument is \(args[i].rawValue), in \(expr)")
            }
        }
        let n = name.lowercased()
        switch n {
        case "lower", "upper":
            try arity(1...1); try needText(0)
            return sig(.varchar, [.varchar], ScalarFunction(n) { v in .string(n == "lower" ? v[0].text!.lowercased() : v[0].text!.uppercased()) })
        case "length", "strlen":
            try arity(1...1); try needText(0)
            return sig(.bigint, [.varchar], ScalarFunction(n) { v in .int(Int64(n == "strlen" ? v[0].text!.utf8.count : v[0].text!.unicodeScalars.count)) })
        case "reverse":
            try arity(1...1); try needText(0)
            return sig(.varchar, [.varchar], ScalarFunction(n) { v in .string(String(v[0].text!.reversed())) })
        case "substr", "substring":
            try arity(2...3); try needText(0)
            return sig(.varchar, [.varchar, .bigint, .bigint], ScalarFunction(n) { v in
                let chars = Array(v[0].text!.unicodeScalars)
                guard case let .int(start) = v[1] else { return .null }
                var length = Int64(chars.count) + 1
                if v.count == 3 { guard case let .int(l) = v[2] else { return .null }; length = l }
                var from = start > 0 ? start - 1 : (start < 0 ? Int64(chars.count) + start : 0)
                var to = start == 0 ? from + length - 1 : from + length
                if length < 0 { to = from; from = max(0, from + length) }
                let lo = max(0, min(Int64(chars.count), from)), hi = max(lo, min(Int64(chars.count), to))
                return .string(String(String.UnicodeScalarView(chars[Int(lo)..<Int(hi)])))
            })
        case "left", "right":
            try arity(2...2); try needText(0)
            return sig(.varchar, [.varchar, .bigint], ScalarFunction(n) { v in
                guard case let .int(k) = v[1] else { return .null }
                let chars = Array(v[0].text!.unicodeScalars)
                let count = k >= 0 ? min(Int(k), chars.count) : max(0, chars.count + Int(k))
                let slice = n == "left" ? chars.prefix(count) : chars.suffix(count)
                return .string(String(String.UnicodeScalarView(slice)))
            })
        case "concat":
            return sig(.varchar, args.map { _ in .varchar }, ScalarFunction(n, propagatesNull: false) { v in
                .string(v.compactMap(\.text).joined())
            })
        case "trim", "ltrim", "rtrim":
            try arity(1...1); try needText(0)
            return sig(.varchar, [.varchar], ScalarFunction(n) { v in
                var s = Substring(v[0].text!)
                if n != "rtrim" { while s.first == " " { s.removeFirst() } }
                if n != "ltrim" { while s.last == " " { s.removeLast() } }
                return .string(String(s))
            })
        case "replace":
            try arity(3...3); try needText(0)
            return sig(.varchar, [.varchar, .varchar, .varchar], ScalarFunction(n) { v in
                .string(v[1].text!.isEmpty ? v[0].text! : v[0].text!.replacingOccurrences(of: v[1].text!, with: v[2].text!))
            })
        case "starts_with", "ends_with", "contains":
            try arity(2...2); try needText(0)
            return sig(.boolean, [.varchar, .varchar], ScalarFunction(n) { v in
                let s = v[0].text!, p = v[1].text!
                return .bool(n == "starts_with" ? s.hasPrefix(p) : n == "ends_with" ? s.hasSuffix(p) : (p.isEmpty || s.contains(p)))
            })
        case "position", "strpos", "instr":
            try arity(2...2); try needText(0)
            return sig(.bigint, [.varchar, .varchar], ScalarFunction(n) { v in
                let s = Array(v[0].text!.unicodeScalars), p = Array(v[1].text!.unicodeScalars)
                if p.isEmpty { return .int(1) }
                guard s.count >= p.count else { return .int(0) }
                for i in 0...(s.count - p.count) where Array(s[i..<i + p.count]) == p { return .int(Int64(i + 1)) }
                return .int(0)
            })
        case "split_part":
            try arity(3...3); try needText(0)
            return sig(.varchar, [.varchar, .varchar, .bigint], ScalarFunction(n) { v in
                guard case let .int(k) = v[2] else { return .null }
                let parts = v[1].text!.isEmpty ? [v[0].text!] : v[0].text!.components(separatedBy: v[1].text!)
                let index = k > 0 ? Int(k) - 1 : parts.count + Int(k)
                return .string(index >= 0 && index < parts.count ? parts[index] : "")
            })
        case "lpad", "rpad":
            try arity(3...3); try needText(0)
            return sig(.varchar, [.varchar, .bigint, .varchar], ScalarFunction(n) { v in
                guard case let .int(width) = v[1] else { return .null }
                var s = Array(v[0].text!)
                let pad = Array(v[2].text!)
                if s.count >= width { return .string(String(s.prefix(Int(width)))) }
                if pad.isEmpty { return .string(String(s)) }
                var fill: [Character] = []
                while fill.count < Int(width) - s.count { fill.append(pad[fill.count % pad.count]) }
                s = n == "lpad" ? fill + s : s + fill
                return .string(String(s))
            })
        case "repeat":
            try arity(2...2); try needText(0)
            return sig(.varchar, [.varchar, .bigint], ScalarFunction(n) { v in
                guard case let .int(k) = v[1] else { return .null }
                return .string(String(repeating: v[0].text!, count: max(0, Int(k))))
            })
        case "regexp_matches":
            try arity(2...2); try needText(0)
            return sig(.boolean, [.varchar, .varchar], ScalarFunction(n) { v in
                .bool(v[0].text!.range(of: v[1].text!, options: .regularExpression) != nil)
            })
        case "round":
            try arity(1...2); try needNumber(0)
            if args[0] == .bigint && args.count == 1 { return sig(.bigint, [.bigint], ScalarFunction(n) { $0[0] }) }
            return sig(.double, [.double, .bigint], ScalarFunction(n) { v in
                guard case let .double(x) = v[0] else { return .null }
                var digits: Int64 = 0
                if v.count == 2 { guard case let .int(d) = v[1] else { return .null }; digits = d }
                let scale = pow(10.0, Double(digits))
                let r = (x * scale).rounded(.toNearestOrAwayFromZero) / scale
                return .double(r.isFinite ? r : x)
            })
        case "floor", "ceil", "ceiling":
            try arity(1...1); try needNumber(0)
            if args[0] == .bigint { return sig(.bigint, [.bigint], ScalarFunction(n) { $0[0] }) }
            return sig(.double, [.double], ScalarFunction(n) { v in
                guard case let .double(x) = v[0] else { return .null }
                return .double(n == "floor" ? x.rounded(.down) : x.rounded(.up))
            })
        case "abs", "sign":
            try arity(1...1); try needNumber(0)
            if args[0] == .bigint {
                return sig(.bigint, [.bigint], ScalarFunction(n) { v in
                    guard case let .int(x) = v[0] else { return .null }
                    if n == "sign" { return .int(x.signum()) }
                    guard x != .min else { throw QueryError.runtime("BIGINT overflow in abs(\(x))") }
                    return .int(abs(x))
                })
            }
            return sig(.double, [.double], ScalarFunction(n) { v in
                guard case let .double(x) = v[0] else { return .null }
                return .double(n == "sign" ? (x > 0 ? 1 : (x < 0 ? -1 : 0)) : abs(x))
            })
        case "sqrt", "ln", "log10", "exp":
            try arity(1...1); try needNumber(0)
            return sig(.double, [.double], ScalarFunction(n) { v in
                guard case let .double(x) = v[0] else { return .null }
                switch n {
                case "sqrt": return .double(sqrt(x))
                case "ln": return .double(log(x))
                case "log10": return .double(log10(x))
                default: return .double(exp(x))
                }
            })
        case "pow", "power":
            try arity(2...2); try needNumber(0); try needNumber(1)
            return sig(.double, [.double, .double], ScalarFunction(n) { v in
                guard case let .double(x) = v[0], case let .double(y) = v[1] else { return .null }
                return .double(pow(x, y))
            })
        case "mod":
            try arity(2...2); try needNumber(0); try needNumber(1)
            let t: DataType = args.contains(.double) ? .double : .bigint
            return sig(t, [t, t], ScalarFunction(n) { v in
                switch (v[0], v[1]) {
                case let (.int(a), .int(b)): return b == 0 ? .null : .int(a % b)
                case let (.double(a), .double(b)): return .double(a.truncatingRemainder(dividingBy: b))
                default: return .null
                }
            })
        case "coalesce", "ifnull", "greatest", "least", "if", "iff":
            let values = n == "if" || n == "iff" ? Array(args.dropFirst()) : args
            if n == "if" || n == "iff" { try arity(3...3) } else if n == "ifnull" { try arity(2...2) } else { try arity(1...64) }
            var t: DataType = .null
            for a in values {
                guard let c = DataType.common(t, a) else {
                    throw QueryError.type("\(name)() mixes \(t.rawValue) and \(a.rawValue) in \(expr) — CAST them to one type")
                }
                t = c
            }
            let argTypes: [DataType?] = n == "if" || n == "iff" ? [.boolean, t, t] : args.map { _ in t }
            return sig(t, argTypes, ScalarFunction(n, propagatesNull: false) { v in
                switch n {
                case "coalesce", "ifnull": return v.first { !$0.isNull } ?? .null
                case "if", "iff":
                    if case .bool(true) = v[0] { return v[1] }
                    return v[2]
                default:
                    let present = v.filter { !$0.isNull }
                    guard var best = present.first else { return .null }
                    for x in present.dropFirst() where (Compare.values(x, best) > 0) == (n == "greatest") && Compare.values(x, best) != 0 { best = x }
                    return best
                }
            })
        case "nullif":
            try arity(2...2)
            guard let t = DataType.common(args[0], args[1]) else {
                throw QueryError.type("nullif() compares \(args[0].rawValue) with \(args[1].rawValue) in \(expr)")
            }
            return sig(t, [t, t], ScalarFunction(n, propagatesNull: false) { v in
                v[0].isNull ? .null : (Compare.values(v[0], v[1]) == 0 && !v[1].isNull ? .null : v[0])
            })
        case "typeof":
            try arity(1...1)
            let t = args[0]
            return sig(.varchar, [nil], ScalarFunction(n, propagatesNull: false) { _ in .string(t.rawValue) })
        default:
            return try DateFunctions.resolve(n, args, expr: expr, needTemporal: needTemporal)
                ?? JSONFunctions.resolve(n, args, expr: expr)
                ?? { throw unknown(name) }()
        }
    }

    static func unknown(_ name: String) -> QueryError {
        let known = names + Aggregates.names + ["row_number", "rank", "dense_rank", "lag", "lead", "first_value", "last_value", "ntile"]
        let suggestion = Suggest.closest(to: name, in: known)
        return .type("unknown function \(name)()" + (suggestion.map { " — did you mean \($0)()?" } ?? ""))
    }
}
