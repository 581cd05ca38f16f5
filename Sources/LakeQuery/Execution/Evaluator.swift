import Foundation
import LakeParquet

/// Evaluates bound expressions over a batch, one vector per expression node. Comparisons,
/// arithmetic, boolean logic, IN lists and LIKE run as tight loops over the flat storage;
/// functions without a vector form run row by row over `Value`s.
enum Evaluator {
    static func evaluate(_ e: BoundExpr, _ batch: Batch) throws -> Vector {
        switch e {
        case let .column(i, _):
            return batch.columns[i]
        case let .literal(v, t):
            return Vector(repeating: v, type: t, count: batch.count)
        case let .not(inner):
            let v = try evaluate(inner, batch)
            guard case let .bools(b) = v.storage else { return v }
            return Vector(type: .boolean, storage: .bools(b.map { !$0 }), validity: v.validity)
        case let .and(a, b):
            return logical(try evaluate(a, batch), try evaluate(b, batch), and: true)
        case let .or(a, b):
            return logical(try evaluate(a, batch), try evaluate(b, batch), and: false)
        case let .compare(op, a, b):
            if case let .literal(value, _) = b {
                return compare(op, try evaluate(a, batch), scalar: value, count: batch.count)
            }
            return try compare(op, try evaluate(a, batch), try evaluate(b, batch))
        case let .arithmetic(op, a, b, t):
            return try Arithmetic.apply(op, try evaluate(a, batch), try evaluate(b, batch), type: t, expression: e)
        case let .isNull(inner, negated):
            let v = try evaluate(inner, batch)
            var out = [Bool](repeating: negated, count: batch.count)
            if case .nulls = v.storage {
                out = [Bool](repeating: !negated, count: batch.count)
            } else if let valid = v.validity {
                for i in 0..<batch.count { out[i] = negated ? valid[i] : !valid[i] }
            }
            return Vector(type: .boolean, storage: .bools(out))
        case let .inList(inner, list, negated):
            return try inList(try evaluate(inner, batch), list, negated: negated, batch: batch)
        case let .like(a, pattern, negated, ci):
            return try like(try evaluate(a, batch), pattern, negated: negated, caseInsensitive: ci, batch: batch)
        case let .caseWhen(whens, otherwise, t):
            return try caseWhen(whens, otherwise, t, batch)
        case let .cast(inner, t, isTry):
            return try Cast.vector(try evaluate(inner, batch), to: t, try: isTry)
        case let .function(f, args, t):
            let values = try args.map { try evaluate($0, batch) }
            if let fast = f.vector { return try fast(values, batch.count) }
            var builder = VectorBuilder(type: t, capacity: batch.count)
            var row = [Value](repeating: .null, count: values.count)
            for i in 0..<batch.count {
                var anyNull = false
                for (k, v) in values.enumerated() {
                    row[k] = v.value(i)
                    if row[k].isNull { anyNull = true }
                }
                if anyNull && f.propagatesNull { builder.appendNull(); continue }
                builder.append(try f.rowwise(row))
            }
            return builder.finish()
        }
    }

    /// Rows where a boolean vector is true (null counts as false).
    static func selection(_ v: Vector) -> [Int] {
        guard case let .bools(b) = v.storage else { return [] }
        var out: [Int] = []
        out.reserveCapacity(b.count / 4)
        if let valid = v.validity {
            for i in 0..<b.count where b[i] && valid[i] { out.append(i) }
        } else {
            for i in 0..<b.count where b[i] { out.append(i) }
        }
        return out
    }

    // MARK: logic

    static func logical(_ a: Vector, _ b: Vector, and: Bool) -> Vector {
        let n = a.count
        let av = bools(a), bv = bools(b)
        var out = [Bool](repeating: false, count: n)
        var valid: [Bool]? = nil
        if a.validity == nil, b.validity == nil, !isAllNull(a), !isAllNull(b) {
            for i in 0..<n { out[i] = and ? (av[i] && bv[i]) : (av[i] || bv[i]) }
            return Vector(type: .boolean, storage: .bools(out))
        }
        valid = [Bool](repeating: true, count: n)
        for i in 0..<n {
            let an = a.isNull(i), bn = b.isNull(i)
            let x = av[i], y = bv[i]
            if and {
                if (!an && !x) || (!bn && !y) { out[i] = false } else if an || bn { valid![i] = false } else { out[i] = true }
            } else {
                if (!an && x) || (!bn && y) { out[i] = true } else if an || bn { valid![i] = false } else { out[i] = false }
            }
        }
        return Vector(type: .boolean, storage: .bools(out), validity: valid)
    }

    static func bools(_ v: Vector) -> [Bool] {
        if case let .bools(b) = v.storage { return b }
        return [Bool](repeating: false, count: v.count)
    }

    static func isAllNull(_ v: Vector) -> Bool { if case .nulls = v.storage { true } else { false } }

    // MARK: comparison

    @inline(__always) static func test(_ op: String, _ c: Int) -> Bool {
        switch op {
        case "=": c == 0
        case "<>": c != 0
        case "<": c < 0
        case "<=": c <= 0
        case ">": c > 0
        default: c >= 0
        }
    }

    /// A string test done once per dictionary entry and spread to the rows by their codes.
    static func perEntry(_ v: Vector, _ test: (Vector) throws -> Vector) rethrows -> Vector? {
        guard case let .dictionary(codes, d) = v.storage else { return nil }
        let entries = try test(Vector(type: v.type, storage: .strings(d)))
        let b = bools(entries)
        var out = [Bool](repeating: false, count: codes.count)
        for i in 0..<codes.count { out[i] = b[Int(codes[i])] }
        var validity = v.validity
        if let ev = entries.validity {
            var valid = validity ?? [Bool](repeating: true, count: codes.count)
            for i in 0..<codes.count where !ev[Int(codes[i])] { valid[i] = false }
            validity = valid
        }
        return Vector(type: .boolean, storage: .bools(out), validity: validity)
    }

    static func compare(_ op: String, _ a: Vector, scalar: Value, count n: Int) -> Vector {
        if scalar.isNull, !op.contains("DISTINCT") { return Vector(type: .boolean, storage: .nulls(n)) }
        if !op.contains("DISTINCT"), let out = perEntry(a, { compare(op, $0, scalar: scalar, count: $0.count) }) { return out }
        if op.contains("DISTINCT") {
            return (try? compare(op, a, Vector(repeating: scalar, type: a.type == .null ? scalar.type : a.type, count: n)))
                ?? Vector(type: .boolean, storage: .nulls(n))
        }
        var out = [Bool](repeating: false, count: n)
        switch (a.storage, scalar) {
        case let (.ints(x), .int(s)), let (.ints(x), .date(s)), let (.ints(x), .timestamp(s)), let (.ints(x), .timestamptz(s)):
            switch op {
            case "=": for i in 0..<n { out[i] = x[i] == s }
            case "<>": for i in 0..<n { out[i] = x[i] != s }
            case "<": for i in 0..<n { out[i] = x[i] < s }
            case "<=": for i in 0..<n { out[i] = x[i] <= s }
            case ">": for i in 0..<n { out[i] = x[i] > s }
            default: for i in 0..<n { out[i] = x[i] >= s }
            }
        case let (.doubles(x), .double(s)):
            for i in 0..<n { out[i] = test(op, x[i] < s ? -1 : (x[i] > s ? 1 : 0)) }
        case let (.strings(x), .string(s)):
            let needle = Array(s.utf8)
            x.bytes.withUnsafeBufferPointer { bytes in
                needle.withUnsafeBufferPointer { nb in
                    for i in 0..<n {
                        let start = Int(x.offsets[i]), end = Int(x.offsets[i + 1])
                        if op == "=" || op == "<>" {
                            let eq = end - start == nb.count && (nb.count == 0 || memcmp(bytes.baseAddress! + start, nb.baseAddress!, nb.count) == 0)
                            out[i] = (op == "=") == eq
                        } else {
                            out[i] = test(op, compareBytes(bytes.baseAddress! + start, end - start, nb.baseAddress, nb.count))
                        }
                    }
                }
            }
        case let (.bools(x), .bool(s)):
            for i in 0..<n { out[i] = test(op, x[i] == s ? 0 : (!x[i] ? -1 : 1)) }
        default:
            return (try? compare(op, a, Vector(repeating: scalar, type: a.type, count: n))) ?? Vector(type: .boolean, storage: .nulls(n))
        }
        return Vector(type: .boolean, storage: .bools(out), validity: a.validity)
    }

    static func compare(_ op: String, _ a: Vector, _ b: Vector) throws -> Vector {
        let n = a.count
        var out = [Bool](repeating: false, count: n)
        if op == "IS DISTINCT FROM" || op == "IS NOT DISTINCT FROM" {
            for i in 0..<n {
                let an = a.isNull(i), bn = b.isNull(i)
                let same = an && bn ? true : (an || bn ? false : Compare.values(a.value(i), b.value(i)) == 0)
                out[i] = op == "IS DISTINCT FROM" ? !same : same
            }
            return Vector(type: .boolean, storage: .bools(out))
        }
        if isAllNull(a) || isAllNull(b) { return Vector(type: .boolean, storage: .nulls(n)) }
        switch (a.storage, b.storage) {
        case let (.ints(x), .ints(y)):
            for i in 0..<n { out[i] = test(op, x[i] < y[i] ? -1 : (x[i] > y[i] ? 1 : 0)) }
        case let (.doubles(x), .doubles(y)):
            for i in 0..<n { out[i] = test(op, Compare.doubles(x[i], y[i])) }
        case let (.strings(x), .strings(y)):
            x.bytes.withUnsafeBufferPointer { xb in
                y.bytes.withUnsafeBufferPointer { yb in
                    for i in 0..<n {
                        let xs = Int(x.offsets[i]), ys = Int(y.offsets[i])
                        out[i] = test(op, compareBytes(xb.baseAddress.map { $0 + xs }, Int(x.offsets[i + 1]) - xs,
                                                       yb.baseAddress.map { $0 + ys }, Int(y.offsets[i + 1]) - ys))
                    }
                }
            }
        default:
            for i in 0..<n { out[i] = test(op, Compare.values(a.value(i), b.value(i))) }
        }
        return Vector(type: .boolean, storage: .bools(out), validity: mergeValidity(a, b))
    }

    @inline(__always) static func compareBytes(_ a: UnsafePointer<UInt8>?, _ an: Int, _ b: UnsafePointer<UInt8>?, _ bn: Int) -> Int {
        let m = min(an, bn)
        if m > 0, let a, let b {
            let c = memcmp(a, b, m)
            if c != 0 { return Int(c) }
        }
        return an - bn
    }

    static func mergeValidity(_ a: Vector, _ b: Vector) -> [Bool]? {
        switch (a.validity, b.validity) {
        case (nil, nil): return nil
        case let (x?, nil): return x
        case let (nil, y?): return y
        case let (x?, y?): return zip(x, y).map { $0 && $1 }
        }
    }

    // MARK: IN, LIKE, CASE

    static func inList(_ v: Vector, _ list: [BoundExpr], negated: Bool, batch: Batch) throws -> Vector {
        if list.allSatisfy({ if case .literal = $0 { true } else { false } }),
           let out = try perEntry(v, { try inList($0, list, negated: negated, batch: Batch(columns: [], count: $0.count)) }) {
            return out
        }
        let n = v.count
        var out = [Bool](repeating: false, count: n)
        var valid = [Bool](repeating: true, count: n)
        let literals = list.compactMap { e -> Value? in if case let .literal(x, _) = e { return x } else { return nil } }
        let listHasNull = literals.contains { $0.isNull }
        if literals.count == list.count, case let .strings(x) = v.storage {
            let needles = literals.compactMap { $0.text.map { Array($0.utf8) } }
            x.bytes.withUnsafeBufferPointer { bytes in
                for i in 0..<n {
                    let start = Int(x.offsets[i]), len = Int(x.offsets[i + 1]) - start
                    for needle in needles where needle.count == len {
                        if len == 0 || needle.withUnsafeBufferPointer({ memcmp(bytes.baseAddress! + start, $0.baseAddress!, len) == 0 }) {
                            out[i] = true
                            break
                        }
                    }
                }
            }
        } else if literals.count == list.count, case let .ints(x) = v.storage {
            let set = Set(literals.compactMap { value -> Int64? in
                switch value { case let .int(i), let .date(i), let .timestamp(i), let .timestamptz(i): i; default: nil }
            })
            for i in 0..<n { out[i] = set.contains(x[i]) }
        } else {
            let values = try list.map { try evaluate($0, batch) }
            for i in 0..<n {
                let left = v.value(i)
                for w in values where Compare.values(left, w.value(i)) == 0 && !w.isNull(i) { out[i] = true; break }
            }
        }
        for i in 0..<n {
            if v.isNull(i) { valid[i] = false } else if !out[i] && listHasNull { valid[i] = false }
            if negated { out[i].toggle() }
        }
        return Vector(type: .boolean, storage: .bools(out), validity: valid)
    }

    static func like(_ v: Vector, _ pattern: BoundExpr, negated: Bool, caseInsensitive: Bool, batch: Batch) throws -> Vector {
        if case .literal = pattern,
           let out = try perEntry(v, { try like($0, pattern, negated: negated, caseInsensitive: caseInsensitive, batch: Batch(columns: [], count: $0.count)) }) {
            return out
        }
        let v = v.flattened
        let n = v.count
        var out = [Bool](repeating: false, count: n)
        guard case let .strings(x) = v.storage else {
            return Vector(type: .boolean, storage: .nulls(n))
        }
        if case let .literal(.string(p), _) = pattern {
            let matcher = LikeMatcher(pattern: p, caseInsensitive: caseInsensitive)
            x.bytes.withUnsafeBufferPointer { bytes in
                for i in 0..<n {
                    let start = Int(x.offsets[i])
                    out[i] = matcher.matches(UnsafeBufferPointer(rebasing: bytes[start..<Int(x.offsets[i + 1])])) != negated
                }
            }
            return Vector(type: .boolean, storage: .bools(out), validity: v.validity)
        }
        let patterns = try evaluate(pattern, batch)
        var valid = [Bool](repeating: true, count: n)
        for i in 0..<n {
            guard case let .string(p) = patterns.value(i), case let .string(s) = v.value(i) else { valid[i] = false; continue }
            let bytes = Array(s.utf8)
            out[i] = bytes.withUnsafeBufferPointer { LikeMatcher(pattern: p, caseInsensitive: caseInsensitive).matches($0) } != negated
        }
        return Vector(type: .boolean, storage: .bools(out), validity: valid)
    }

    static func caseWhen(_ whens: [(BoundExpr, BoundExpr)], _ otherwise: BoundExpr?, _ t: DataType, _ batch: Batch) throws -> Vector {
        let n = batch.count
        var chosen = [Int](repeating: whens.count, count: n)
        var undecided = n
        for (k, (condition, _)) in whens.enumerated() where undecided > 0 {
            let c = try evaluate(condition, batch)
            let b = bools(c)
            for i in 0..<n where chosen[i] == whens.count && b[i] && !c.isNull(i) {
                chosen[i] = k
                undecided -= 1
            }
        }
        let results = try whens.map { try Cast.vector(try evaluate($0.1, batch), to: t, try: false) }
        let other = try otherwise.map { try Cast.vector(try evaluate($0, batch), to: t, try: false) }
        var builder = VectorBuilder(type: t, capacity: n)
        for i in 0..<n {
            let k = chosen[i]
            if k < whens.count { builder.append(results[k].value(i)) } else if let other { builder.append(other.value(i)) } else { builder.appendNull() }
        }
        return builder.finish()
    }
}

/// SQL LIKE over UTF-8 bytes: `%` any run, `_` one character (no escape character, as in
/// DuckDB without ESCAPE).
struct LikeMatcher {
    enum Shape { case exact([UInt8]), prefix([UInt8]), suffix([UInt8]), contains([UInt8]), general }
    let pattern: [UInt8]
    let caseInsensitive: Bool
    let shape: Shape

    init(pattern p: String, caseInsensitive: Bool) {
        self.caseInsensitive = caseInsensitive
        pattern = Array((caseInsensitive ? p.lowercased() : p).utf8)
        let body = pattern.filter { $0 != UInt8(ascii: "%") }
        let special = pattern.contains(UInt8(ascii: "_"))
        let percents = pattern.enumerated().filter { $0.element == UInt8(ascii: "%") }.map(\.offset)
        if special || caseInsensitive {
            shape = .general
        } else if percents.isEmpty {
            shape = .exact(pattern)
        } else if percents == [pattern.count - 1] {
            shape = .prefix(body)
        } else if percents == [0] {
            shape = .suffix(body)
        } else if percents == [0, pattern.count - 1], pattern.count >= 2 {
            shape = .contains(body)
        } else {
            shape = .general
        }
    }

    func matches(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        switch shape {
        case let .exact(b): return s.count == b.count && s.elementsEqual(b)
        case let .prefix(b): return s.count >= b.count && s.prefix(b.count).elementsEqual(b)
        case let .suffix(b): return s.count >= b.count && s.suffix(b.count).elementsEqual(b)
        case let .contains(b):
            if b.isEmpty { return true }
            guard s.count >= b.count else { return false }
            for i in 0...(s.count - b.count) where s[i] == b[0] {
                if s[i..<i + b.count].elementsEqual(b) { return true }
            }
            return false
        case .general:
            let text: [UInt8] = caseInsensitive ? Array(String(decoding: s, as: UTF8.self).lowercased().utf8) : Array(s)
            return Self.match(Array(String(decoding: text, as: UTF8.self).unicodeScalars), Array(String(decoding: pattern, as: UTF8.self).unicodeScalars))
        }
    }

    /// Iterative wildcard matching with backtracking to the last `%`.
    static func match(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
        var si = 0, pi = 0, starP = -1, starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == "_" || (p[pi] == s[si] && p[pi] != "%") {
                si += 1; pi += 1
            } else if pi < p.count, p[pi] == "%" {
                starP = pi; starS = si; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starS += 1; si = starS
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "%" { pi += 1 }
        return pi == p.count
    }
}
