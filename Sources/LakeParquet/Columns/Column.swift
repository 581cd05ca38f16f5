/// Variable-length strings as one byte buffer and `count + 1` offsets: what a BYTE_ARRAY
/// column decodes to without one allocation per value.
public struct StringArray: Sendable, Equatable {
    public var offsets: [Int32] = [0]
    public var bytes: [UInt8] = []

    public init() {}

    public var count: Int { offsets.count - 1 }

    @inlinable
    public mutating func append(_ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
        offsets.append(Int32(bytes.count))
    }

    @inlinable
    public mutating func append(contentsOf value: ArraySlice<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(Int32(bytes.count))
    }

    @inlinable
    public mutating func append(contentsOf value: [UInt8]) {
        bytes.append(contentsOf: value)
        offsets.append(Int32(bytes.count))
    }

    public mutating func append(_ value: String) {
        var v = value
        v.withUTF8 { bytes.append(contentsOf: $0) }
        offsets.append(Int32(bytes.count))
    }

    @inlinable
    public mutating func appendEmpty() { offsets.append(Int32(bytes.count)) }

    public func range(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    public subscript(i: Int) -> String {
        String(decoding: bytes[range(i)], as: UTF8.self)
    }

    public mutating func reserve(values: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(values + 1)
        bytes.reserveCapacity(byteCount)
    }
}

/// The values of one column in a batch.
public enum ColumnData: Sendable, Equatable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case double([Double])
    case string(StringArray)

    public var count: Int {
        switch self {
        case let .boolean(v): v.count
        case let .int32(v): v.count
        case let .int64(v): v.count
        case let .double(v): v.count
        case let .string(v): v.count
        }
    }

    static func empty(_ type: ColumnType) -> ColumnData {
        switch type.physical {
        case .boolean: .boolean([])
        case .int32: .int32([])
        case .int64: .int64([])
        case .double: .double([])
        default: .string(StringArray())
        }
    }
}

/// One column of a batch: its schema, values and which rows are null. A null row holds a
/// zero or empty placeholder in `data`, so every row has a slot.
public struct Column: Sendable, Equatable {
    public var schema: ColumnSchema
    public var data: ColumnData
    /// nil when no row is null.
    public var validity: [Bool]?

    public init(schema: ColumnSchema, data: ColumnData, validity: [Bool]? = nil) {
        self.schema = schema
        self.data = data
        self.validity = validity
    }

    public init(_ schema: ColumnSchema) {
        self.init(schema: schema, data: .empty(schema.type))
    }

    public var name: String { schema.name }
    public var count: Int { data.count }
    public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }
    public var nullCount: Int { validity.map { $0.lazy.filter { !$0 }.count } ?? 0 }

    /// The value at `row` as a Swift value (nil for null): for tests and small outputs, not bulk work.
    public func value(_ row: Int) -> ColumnValue? {
        if isNull(row) { return nil }
        switch data {
        case let .boolean(v): return .boolean(v[row])
        case let .int32(v): return schema.type == .date ? .date(v[row]) : .int(Int64(v[row]))
        case let .int64(v): return schema.type == .timestamp ? .timestamp(v[row]) : .int(v[row])
        case let .double(v): return .double(v[row])
        case let .string(v): return .string(v[row])
        }
    }
}

/// One value of a column, for tests and row-at-a-time consumers.
public enum ColumnValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case boolean(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)

    public var description: String {
        switch self {
        case let .boolean(b): "\(b)"
        case let .int(i): "\(i)"
        case let .double(d): "\(d)"
        case let .string(s): s
        case let .date(d): "date:\(d)"
        case let .timestamp(t): "ts:\(t)"
        }
    }
}

extension Column {
    /// Appends another column's rows (same type).
    public mutating func append(_ other: Column) {
        let before = count
        switch (data, other.data) {
        case (.boolean(var a), .boolean(let b)): a.append(contentsOf: b); data = .boolean(a)
        case (.int32(var a), .int32(let b)): a.append(contentsOf: b); data = .int32(a)
        case (.int64(var a), .int64(let b)): a.append(contentsOf: b); data = .int64(a)
        case (.double(var a), .double(let b)): a.append(contentsOf: b); data = .double(a)
        case (.string(var a), .string(let b)):
            let shift = Int32(a.bytes.count)
            a.bytes.append(contentsOf: b.bytes)
            a.offsets.append(contentsOf: b.offsets.dropFirst().lazy.map { $0 + shift })
            data = .string(a)
        default:
            preconditionFailure("appending a \(other.schema.type) column to a \(schema.type) column")
        }
        if validity != nil || other.validity != nil {
            var v = validity ?? [Bool](repeating: true, count: before)
            v.append(contentsOf: other.validity ?? [Bool](repeating: true, count: other.count))
            validity = v
        }
    }
}

extension Column {
    /// The rows at `rows`, in that order.
    public func selecting(_ rows: [Int]) -> Column {
        var out = self
        switch data {
        case let .boolean(v): out.data = .boolean(rows.map { v[$0] })
        case let .int32(v): out.data = .int32(rows.map { v[$0] })
        case let .int64(v): out.data = .int64(rows.map { v[$0] })
        case let .double(v): out.data = .double(rows.map { v[$0] })
        case let .string(v):
            var s = StringArray()
            for r in rows { s.append(contentsOf: v.bytes[v.range(r)]) }
            out.data = .string(s)
        }
        out.validity = validity.map { valid in rows.map { valid[$0] } }
        return out
    }
}
