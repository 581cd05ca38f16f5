/// + - * / // % over numbers; the binder has already turned date and interval arithmetic
/// into functions, so both sides here are BIGINT or DOUBLE.
enum Arithmetic {
    static func apply(_ op: String, _ a: Vector, _ b: Vector, type: DataType, expression: BoundExpr) throws -> Vector {
        let n = a.count
        if Evaluator.isAllNull(a) || Evaluator.isAllNull(b) { return Vector(type: type, storage: .nulls(n)) }
        var validity = Evaluator.mergeValidity(a, b)
        if type == .bigint, case let .ints(x) = a.storage, case let .ints(y) = b.storage {
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                if let v = validity, !v[i] { continue }
                var overflow = false
                switch op {
                case "+": (out[i], overflow) = x[i].addingReportingOverflow(y[i])
                case "-": (out[i], overflow) = x[i].subtractingReportingOverflow(y[i])
                case "*": (out[i], overflow) = x[i].multipliedReportingOverflow(by: y[i])
                case "//", "%":
                    if y[i] == 0 {
                        if op == "//" { throw QueryError.runtime("division by zero in \(describe(expression))") }
                        if validity == nil { validity = [Bool](repeating: true, count: n) }
                        validity![i] = false
                        continue
                    }
                    if x[i] == .min && y[i] == -1 { overflow = true; break }
                    out[i] = op == "//" ? x[i] / y[i] : x[i] % y[i]
                default: break
                }
                if overflow { throw QueryError.runtime("BIGINT overflow in \(describe(expression)): cast to DOUBLE first") }
            }
            return Vector(type: .bigint, storage: .ints(out), validity: validity)
        }
        let x = doubles(a), y = doubles(b)
        var out = [Double](repeating: 0, count: n)
        switch op {
        case "+": for i in 0..<n { out[i] = x[i] + y[i] }
        case "-": for i in 0..<n { out[i] = x[i] - y[i] }
        case "*": for i in 0..<n { out[i] = x[i] * y[i] }
        case "/": for i in 0..<n { out[i] = x[i] / y[i] }
        case "//": for i in 0..<n { out[i] = (x[i] / y[i]).rounded(.down) }
        case "%": for i in 0..<n { out[i] = x[i].truncatingRemainder(dividingBy: y[i]) }
        default: break
        }
        return Vector(type: .double, storage: .doubles(out), validity: validity)
    }

    static func doubles(_ v: Vector) -> [Double] {
        switch v.storage {
        case let .doubles(d): d
        case let .ints(i): i.map(Double.init)
        default: [Double](repeating: 0, count: v.count)
        }
    }

    static func describe(_ e: BoundExpr) -> String { e.describe([]) }
}
