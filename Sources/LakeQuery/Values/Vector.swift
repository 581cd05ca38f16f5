import LakeParquet

/// One column of a batch: values of one type, stored flat, with a validity mask.
///
/// Integral types (BIGINT, DATE, TIMESTAMP) share `.ints`; strings are one contiguous byte
/// buffer with offsets, as the Parquet reader produces them.
public struct Vector: Sendable {
    public enum Storage: Sendable {
        case bools([Bool])
        case ints([Int64])
        case doubles([Double])
        case strings(StringArray)
        /// Strings as codes into a dictionary (Parquet dictionary pages, constant partition
        /// values): filters and group-by work per dictionary entry, not per row.
        case dictionary([Int32], StringArray)
        case intervals([Interval])
        /// Every value null (the NULL type).
        case nulls(Int)
    }

    public var type: DataType
    public var storage: Storage
    /// nil when no value is null; otherwise `true` where the value is present.
    public var validity: [Bool]?
    /// A dictionary's entries as a scan worker numbered them for the consumer (kept by `take`,
    /// which keeps the dictionary; any other vector made from this one starts without).
    var prenumbered: Prenumbered?

    public init(type: DataType, storage: Storage, validity: [Bool]? = nil) {
        self.type = type
        self.storage = storage
        self.validity = validity.flatMap { $0.contains(false) ? $0 : nil }
    }

    public var count: Int {
        switch storage {
        case let .bools(v): v.count
        case let .ints(v): v.count
        case let .doubles(v): v.count
        case let .strings(v): v.count
        case let .dictionary(codes, _): codes.count
        case let .intervals(v): v.count
        case let .nulls(n): n
        }
    }

    @inline(__always) public func isNull(_ i: Int) -> Bool {
        if case .nulls = storage { return true }
        return validity.map { !$0[i] } ?? false
    }

    /// The value at row `i` (row-at-a-time paths and output).
    public func value(_ i: Int) -> Value {
        if isNull(i) { return .null }
        switch storage {
        case let .bools(v): return .bool(v[i])
        case let .ints(v):
            switch type {
            case .date: return .date(v[i])
            case .timestamp: return .timestamp(v[i])
            case .timestamptz: return .timestamptz(v[i])
            default: return .int(v[i])
            }
        case let .doubles(v): return .double(v[i])
        case let .strings(v): return .string(v[i])
        case let .dictionary(codes, d): return .string(d[Int(codes[i])])
        case let .intervals(v): return .interval(v[i])
        case .nulls: return .null
        }
    }

    /// The rows at `indices`, in that order.
    public func take(_ indices: [Int]) -> Vector {
        let valid = validity.map { v in indices.map { v[$0] } }
        switch storage {
        case let .bools(v): return Vector(type: type, storage: .bools(indices.map { v[$0] }), validity: valid)
        case let .ints(v): return Vector(type: type, storage: .ints(indices.map { v[$0] }), validity: valid)
        case let .doubles(v): return Vector(type: type, storage: .doubles(indices.map { v[$0] }), validity: valid)
        case let .intervals(v): return Vector(type: type, storage: .intervals(indices.map { v[$0] }), validity: valid)
        case .nulls: return Vector(type: type, storage: .nulls(indices.count))
        case let .dictionary(codes, d):
            var out = Vector(type: type, storage: .dictionary(indices.map { codes[$0] }, d), validity: valid)
            out.prenumbered = prenumbered
            return out
        case let .strings(v):
            var out = StringArray()
            var total = 0
            for i in indices { total += Int(v.offsets[i + 1] - v.offsets[i]) }
            out.reserve(values: indices.count, bytes: total)
            v.bytes.withUnsafeBytes { raw in
                for i in indices {
                    let start = Int(v.offsets[i]), end = Int(v.offsets[i + 1])
                    out.append(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                }
            }
            return Vector(type: type, storage: .strings(out), validity: valid)
        }
    }

    /// The same strings with one entry per row (for operators without a dictionary path).
    public var flattened: Vector {
        guard case let .dictionary(codes, d) = storage else { return self }
        var out = StringArray()
        var total = 0
        for c in codes { total += Int(d.offsets[Int(c) + 1] - d.offsets[Int(c)]) }
        out.reserve(values: codes.count, bytes: total)
        d.bytes.withUnsafeBytes { raw in
            for c in codes { out.append(UnsafeRawBufferPointer(rebasing: raw[Int(d.offsets[Int(c)])..<Int(d.offsets[Int(c) + 1])])) }
        }
        return Vector(type: type, storage: .strings(out), validity: validity)
    }

    /// Dictionary codes and entries: a dictionary vector's own, or one entry for a column whose
    /// values are all equal (a partition column); nil otherwise.
    var dictionaryView: (codes: [Int32], entries: Vector)? {
        switch storage {
        case let .dictionary(codes, d):
            return (codes, Vector(type: type, storage: .strings(d)))
        case let .ints(x) where validity == nil && !x.isEmpty:
            let first = x[0]
            for v in x where v != first { return nil }
            return ([Int32](repeating: 0, count: x.count), Vector(type: type, storage: .ints([first])))
        default:
            return nil
        }
    }

    /// `value` repeated `count` times.
    public init(repeating value: Value, type: DataType, count: Int) {
        switch (value, type) {
        case let (.string(s), .varchar), let (.string(s), .json):
            var d = StringArray()
            d.append(s)
            self.init(type: type, storage: .dictionary([Int32](repeating: 0, count: count), d))
            return
        case let (.int(i), .bigint), let (.date(i), .date), let (.timestamp(i), .timestamp), let (.timestamptz(i), .timestamptz):
            self.init(type: type, storage: .ints([Int64](repeating: i, count: count)))
            return
        case let (.double(d), .double):
            self.init(type: type, storage: .doubles([Double](repeating: d, count: count)))
            return
        case let (.bool(b), .boolean):
            self.init(type: type, storage: .bools([Bool](repeating: b, count: count)))
            return
        case (.null, _):
            if type == .null { self.init(type: type, storage: .nulls(count)); return }
        default: break
        }
        var builder = VectorBuilder(type: type, capacity: count)
        for _ in 0..<count { builder.append(value) }
        self = builder.finish()
    }

    /// Concatenates vectors of one type.
    public static func concat(_ parts: [Vector], type: DataType) -> Vector {
        if parts.count == 1 { return parts[0] }
        var builder = VectorBuilder(type: type, capacity: parts.reduce(0) { $0 + $1.count })
        for p in parts { builder.append(contentsOf: p) }
        return builder.finish()
    }
}

/// Builds a vector value by value (row-at-a-time operators, casts, outputs of functions).
public struct VectorBuilder {
    public let type: DataType
    var bools: [Bool] = []
    var ints: [Int64] = []
    var doubles: [Double] = []
    var strings = StringArray()
    var intervals: [Interval] = []
    var validity: [Bool] = []
    var anyNull = false

    public init(type: DataType, capacity: Int = 0) {
        self.type = type
        validity.reserveCapacity(capacity)
        switch type {
        case .boolean: bools.reserveCapacity(capacity)
        case .double: doubles.reserveCapacity(capacity)
        case .varchar, .json: strings.offsets.reserveCapacity(capacity + 1)
        case .interval: intervals.reserveCapacity(capacity)
        case .null: break
        default: ints.reserveCapacity(capacity)
        }
    }

    public var count: Int { validity.count }

    public mutating func appendNull() {
        validity.append(false)
        anyNull = true
        switch type {
        case .boolean: bools.append(false)
        case .double: doubles.append(0)
        case .varchar, .json: strings.appendEmpty()
        case .interval: intervals.append(Interval(months: 0, days: 0, micros: 0))
        case .null: break
        default: ints.append(0)
        }
    }

    /// Appends a value already of this builder's type (or null).
    public mutating func append(_ value: Value) {
        switch value {
        case .null: appendNull(); return
        case let .bool(b): bools.append(b)
        case let .int(i): if type == .double { doubles.append(Double(i)) } else { ints.append(i) }
        case let .double(d): doubles.append(d)
        case let .string(s): strings.append(s)
        case let .date(d): ints.append(type == .date ? d : d * 86_400_000_000)
        case let .timestamp(t), let .timestamptz(t): ints.append(t)
        case let .interval(i): intervals.append(i)
        }
        validity.append(true)
    }

    /// Appends row `i` of `v` (of this type): strings are copied as bytes, with no `Value`
    /// boxed on the way (a group-by appends each new group's key).
    public mutating func append(_ v: Vector, row i: Int) {
        if v.isNull(i) { return appendNull() }
        switch v.storage {
        case let .strings(x):
            x.bytes.withUnsafeBytes { strings.append(UnsafeRawBufferPointer(rebasing: $0[Int(x.offsets[i])..<Int(x.offsets[i + 1])])) }
        case let .dictionary(codes, d):
            let c = Int(codes[i])
            d.bytes.withUnsafeBytes { strings.append(UnsafeRawBufferPointer(rebasing: $0[Int(d.offsets[c])..<Int(d.offsets[c + 1])])) }
        default:
            return append(v.value(i))
        }
        validity.append(true)
    }

    public mutating func append(contentsOf v: Vector) {
        switch v.storage {
        case let .bools(x): bools += x
        case let .ints(x): ints += x
        case let .doubles(x): doubles += x
        case let .intervals(x): intervals += x
        case let .nulls(n):
            for _ in 0..<n { appendNull() }
            return
        case .dictionary:
            append(contentsOf: v.flattened)
            return
        case let .strings(x):
            let base = Int32(strings.bytes.count)
            strings.bytes += x.bytes
            strings.offsets += x.offsets.dropFirst().map { $0 + base }
        }
        if let valid = v.validity {
            validity += valid
            anyNull = true
        } else {
            validity += repeatElement(true, count: v.count)
        }
    }

    public func finish() -> Vector {
        let valid = anyNull ? validity : nil
        switch type {
        case .boolean: return Vector(type: type, storage: .bools(bools), validity: valid)
        case .double: return Vector(type: type, storage: .doubles(doubles), validity: valid)
        case .varchar, .json: return Vector(type: type, storage: .strings(strings), validity: valid)
        case .interval: return Vector(type: type, storage: .intervals(intervals), validity: valid)
        case .null: return Vector(type: type, storage: .nulls(validity.count))
        default: return Vector(type: type, storage: .ints(ints), validity: valid)
        }
    }
}

/// Rows flowing between operators: one vector per column, all of `count` rows.
public struct Batch: Sendable {
    public var columns: [Vector]
    public var count: Int

    public init(columns: [Vector], count: Int) {
        self.columns = columns
        self.count = count
    }

    public func take(_ indices: [Int]) -> Batch {
        Batch(columns: columns.map { $0.take(indices) }, count: indices.count)
    }
}
