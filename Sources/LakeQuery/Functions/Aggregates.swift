/// An aggregate call bound to its input: count(*), count(x), count(DISTINCT x), sum, avg,
/// min, max, any_value — with an optional FILTER (WHERE …).
struct AggregateCall: Sendable {
    enum Kind: String, Sendable { case countStar = "count_star", count, sum, avg, min, max, anyValue = "any_value" }
    var kind: Kind
    var arg: BoundExpr?
    var distinct: Bool
    var filter: BoundExpr?
    var type: DataType
    var name: String
}

enum Aggregates {
    static let names = ["count", "sum", "avg", "mean", "min", "max", "any_value", "first", "arbitrary"]

    static func isAggregate(_ name: String) -> Bool { names.contains(name.lowercased()) }

    static func resultType(_ kind: AggregateCall.Kind, _ arg: DataType?, expr: String) throws -> DataType {
        switch kind {
        case .countStar, .count: return .bigint
        case .avg:
            guard let arg, arg.isNumeric || arg == .null else {
                throw QueryError.type("avg() needs a number, not \(arg?.rawValue ?? "nothing"), in \(expr)")
            }
            return .double
        case .sum:
            guard let arg, arg.isNumeric || arg == .null || arg == .boolean else {
                throw QueryError.type("sum() needs a number, not \(arg?.rawValue ?? "nothing"), in \(expr)")
            }
            return arg == .double ? .double : .bigint
        case .min, .max, .anyValue:
            return arg ?? .null
        }
    }

    static func kind(_ name: String) -> AggregateCall.Kind? {
        switch name.lowercased() {
        case "count": .count
        case "sum": .sum
        case "avg", "mean": .avg
        case "min": .min
        case "max": .max
        case "any_value", "first", "arbitrary": .anyValue
        default: nil
        }
    }
}

/// Running state of one aggregate over many groups, indexed by group number.
struct AggregateState {
    let call: AggregateCall
    var counts: [Int64] = []
    var intSums: [Int64] = []
    var doubleSums: [Double] = []
    var values: [Value] = []
    /// DISTINCT aggregates fold each (group, value) pair once.
    var seen = DistinctPairs()

    init(_ call: AggregateCall) { self.call = call }

    mutating func grow(to groups: Int) {
        let add = groups - counts.count
        guard add > 0 else { return }
        counts += repeatElement(0, count: add)
        switch call.kind {
        case .sum where call.type == .bigint: intSums += repeatElement(0, count: add)
        case .sum, .avg: doubleSums += repeatElement(0, count: add)
        case .min, .max, .anyValue: values += repeatElement(.null, count: add)
        default: break
        }
    }

    /// Folds rows into their groups. `input` is the evaluated argument (nil for count(*)).
    mutating func update(groups: [Int], input: Vector?, mask: Vector?) throws {
        guard call.distinct, let input else { return try accumulate(groups: groups, input: input, mask: mask) }
        let maskBools = mask.map(Evaluator.bools)
        let rows = seen.newRows(groups: groups, input: input, skip: maskBools.map { bools in { !bools[$0] || mask!.isNull($0) } })
        guard !rows.isEmpty else { return }
        try accumulate(groups: rows.map { groups[$0] }, input: input.take(rows), mask: nil)
    }

    private mutating func accumulate(groups: [Int], input: Vector?, mask: Vector?) throws {
        if mask == nil, input?.validity == nil, try accumulateDense(groups: groups, input: input) { return }
        let n = groups.count
        let maskBools = mask.map(Evaluator.bools)
        @inline(__always) func masked(_ i: Int) -> Bool {
            guard let maskBools else { return false }
            return !maskBools[i] || mask!.isNull(i)
        }
        guard let input else {
            for i in 0..<n where !masked(i) { counts[groups[i]] += 1 }
            return
        }
        switch (call.kind, input.storage) {
        case let (.count, storage):
            if case .nulls = storage { return }
            for i in 0..<n where !masked(i) && !input.isNull(i) { counts[groups[i]] += 1 }
        case let (.sum, .ints(x)) where call.type == .bigint:
            for i in 0..<n where !masked(i) && !input.isNull(i) {
                let g = groups[i]
                let (s, overflow) = intSums[g].addingReportingOverflow(x[i])
                if overflow { throw QueryError.runtime("sum() overflowed BIGINT: sum a CAST(… AS DOUBLE) instead") }
                intSums[g] = s
                counts[g] += 1
            }
        case let (.sum, .bools(x)):
            for i in 0..<n where !masked(i) && !input.isNull(i) { intSums[groups[i]] += x[i] ? 1 : 0; counts[groups[i]] += 1 }
        case (.sum, _), (.avg, _):
            let x = Arithmetic.doubles(input)
            if case .nulls = input.storage { return }
            for i in 0..<n where !masked(i) && !input.isNull(i) {
                doubleSums[groups[i]] += x[i]
                counts[groups[i]] += 1
            }
        case let (.min, .ints(x)), let (.max, .ints(x)):
            let isMin = call.kind == .min
            for i in 0..<n where !masked(i) && !input.isNull(i) {
                let g = groups[i]
                switch values[g] {
                case .null: values[g] = input.value(i)
                case let .int(c), let .date(c), let .timestamp(c), let .timestamptz(c):
                    if isMin ? x[i] < c : x[i] > c { values[g] = input.value(i) }
                default: break
                }
            }
        case (.min, _), (.max, _):
            let isMin = call.kind == .min
            for i in 0..<n where !masked(i) && !input.isNull(i) {
                let g = groups[i]
                let v = input.value(i)
                if values[g].isNull { values[g] = v; continue }
                let c = Compare.values(v, values[g])
                if isMin ? c < 0 : c > 0 { values[g] = v }
            }
        case (.anyValue, _):
            for i in 0..<n where !masked(i) && !input.isNull(i) && values[groups[i]].isNull { values[groups[i]] = input.value(i) }
        case (.countStar, _):
            for i in 0..<n where !masked(i) { counts[groups[i]] += 1 }
        }
    }

    /// count and sum over rows with no mask and no nulls, the bulk of a scan: plain loops over
    /// the buffers, where the general loop pays a bounds check, a uniqueness check and a null
    /// test per row. False when the call takes the general loop.
    private mutating func accumulateDense(groups: [Int], input: Vector?) throws -> Bool {
        switch (call.kind, input?.storage) {
        case (.countStar, _), (.count, _) where !(input.map(Evaluator.isAllNull) ?? true):
            counts.withUnsafeMutableBufferPointer { c in for g in groups { c[g] += 1 } }
            return true
        case let (.sum, .ints(x)?) where call.type == .bigint:
            var overflow = false
            counts.withUnsafeMutableBufferPointer { c in
                intSums.withUnsafeMutableBufferPointer { sums in
                    for (i, g) in groups.enumerated() {
                        let (s, o) = sums[g].addingReportingOverflow(x[i])
                        sums[g] = s
                        overflow = overflow || o
                        c[g] += 1
                    }
                }
            }
            if overflow { throw QueryError.runtime("sum() overflowed BIGINT: sum a CAST(… AS DOUBLE) instead") }
            return true
        case let (.sum, .doubles(x)?), let (.avg, .doubles(x)?):
            counts.withUnsafeMutableBufferPointer { c in
                doubleSums.withUnsafeMutableBufferPointer { sums in
                    for (i, g) in groups.enumerated() {
                        sums[g] += x[i]
                        c[g] += 1
                    }
                }
            }
            return true
        default:
            return false
        }
    }

    func result(groups: Int) -> Vector {
        var builder = VectorBuilder(type: call.type, capacity: groups)
        for g in 0..<groups {
            switch call.kind {
            case .countStar, .count: builder.append(.int(counts[g]))
            case .sum:
                if counts[g] == 0 { builder.appendNull() } else if call.type == .bigint { builder.append(.int(intSums[g])) } else { builder.append(.double(doubleSums[g])) }
            case .avg:
                if counts[g] == 0 { builder.appendNull() } else { builder.append(.double(doubleSums[g] / Double(counts[g]))) }
            case .min, .max, .anyValue:
                builder.append(values[g])
            }
        }
        return builder.finish()
    }
}
