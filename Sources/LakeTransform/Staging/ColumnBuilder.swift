import LakeParquet

/// Appends one column's values row by row, with nulls; `truncate` takes back a row that
/// turned out invalid half-way through.
struct ColumnBuilder {
    let schema: ColumnSchema
    private(set) var count = 0
    private var bools: [Bool] = []
    private var ints32: [Int32] = []
    private var ints64: [Int64] = []
    private var doubles: [Double] = []
    private var strings = StringArray()
    /// Empty until the first null: most columns never hold one, and a flag per value cost an
    /// append per value.
    private var valid: [Bool] = []
    private var nulls = 0

    init(_ schema: ColumnSchema) { self.schema = schema }

    var byteEstimate: Int {
        switch schema.type {
        case .string: strings.bytes.count + count * 5
        case .boolean: count * 2
        case .int32, .date: count * 5
        default: count * 9
        }
    }

    @inline(__always) mutating func appendNull() {
        switch schema.type {
        case .boolean: bools.append(false)
        case .int32, .date: ints32.append(0)
        case .int64, .timestamp: ints64.append(0)
        case .double: doubles.append(0)
        case .string: strings.appendEmpty()
        }
        if nulls == 0 { valid = [Bool](repeating: true, count: count) }
        valid.append(false)
        nulls += 1
        count += 1
    }

    @inline(__always) mutating func append(int64 v: Int64) { ints64.append(v); appendValid() }
    @inline(__always) mutating func append(int32 v: Int32) { ints32.append(v); appendValid() }
    @inline(__always) mutating func append(double v: Double) { doubles.append(v); appendValid() }
    @inline(__always) mutating func append(bool v: Bool) { bools.append(v); appendValid() }

    @inline(__always) private mutating func appendValid() {
        if nulls > 0 { valid.append(true) }
        count += 1
    }

    @inline(__always) mutating func append(bytes: ArraySlice<UInt8>) {
        strings.append(contentsOf: bytes)
        appendValid()
    }

    @inline(__always) mutating func append(bytes: [UInt8]) {
        strings.append(contentsOf: bytes)
        appendValid()
    }

    @inline(__always) mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        strings.append(UnsafeRawBufferPointer(bytes))
        appendValid()
    }

    mutating func truncate(to n: Int) {
        guard n < count else { return }
        switch schema.type {
        case .boolean: bools.removeLast(count - n)
        case .int32, .date: ints32.removeLast(count - n)
        case .int64, .timestamp: ints64.removeLast(count - n)
        case .double: doubles.removeLast(count - n)
        case .string:
            strings.offsets.removeLast(count - n)
            strings.bytes.removeLast(strings.bytes.count - Int(strings.offsets[n]))
        }
        if nulls > 0 {
            nulls -= valid[n...].lazy.filter { !$0 }.count
            valid.removeLast(count - n)
            if nulls == 0 { valid = [] }
        }
        count = n
    }

    /// The buffered rows as a column; the builder starts over empty.
    mutating func take() -> Column {
        let data: ColumnData
        switch schema.type {
        case .boolean: data = .boolean(bools)
        case .int32, .date: data = .int32(ints32)
        case .int64, .timestamp: data = .int64(ints64)
        case .double: data = .double(doubles)
        case .string: data = .string(strings)
        }
        let column = Column(schema: schema, data: data, validity: nulls > 0 ? valid : nil)
        self = ColumnBuilder(schema)
        return column
    }
}

extension ColumnBuilder {
    /// The canonical bytes of row `row`'s value, as a primary key part (see `KeyBytes`).
    func keyBytes(row: Int, into out: inout [UInt8]) {
        guard nulls == 0 || valid[row] else { out.append(0); return }
        switch schema.type {
        case .string: out += strings.bytes[strings.range(row)]
        case .boolean: out.append(bools[row] ? 1 : 2)
        case .int32, .date: out += String(ints32[row]).utf8
        case .int64, .timestamp: out += String(ints64[row]).utf8
        case .double: out += String(doubles[row]).utf8
        }
    }
}

extension Column {
    /// The same bytes as `ColumnBuilder.keyBytes`, for rows already in Parquet files.
    func keyBytes(row: Int, into out: inout [UInt8]) {
        if isNull(row) { out.append(0); return }
        switch data {
        case let .string(s): out += s.bytes[s.range(row)]
        case let .boolean(v): out.append(v[row] ? 1 : 2)
        case let .int32(v): out += String(v[row]).utf8
        case let .int64(v): out += String(v[row]).utf8
        case let .double(v): out += String(v[row]).utf8
        }
    }
}

extension ColumnBuilder {
    func isNull(_ row: Int) -> Bool { nulls > 0 && !valid[row] }
}
