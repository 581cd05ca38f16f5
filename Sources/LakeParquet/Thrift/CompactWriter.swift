/// Writes Thrift's compact protocol, the encoding of every Parquet footer and page header.
///
/// Structs are written field by field with `field(_:_:)` headers that carry the delta from
/// the previous field id; `beginStruct`/`endStruct` keep that id per nesting level.
struct CompactWriter {
    enum WireType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    init() { bytes.reserveCapacity(256) }

    mutating func beginStruct() { lastField.append(0) }

    mutating func endStruct() {
        bytes.append(0)
        lastField.removeLast()
    }

    mutating func fieldHeader(_ id: Int16, _ type: WireType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func bool(_ id: Int16, _ value: Bool) {
        fieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func binary(_ id: Int16, _ value: [UInt8]) {
        fieldHeader(id, .binary)
        rawBinary(value)
    }

    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    /// A struct field: `body` writes the inner fields.
    mutating func structure(_ id: Int16, _ body: (inout CompactWriter) -> Void) {
        fieldHeader(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    mutating func listHeader(_ id: Int16, count: Int, of type: WireType) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, count: values.count, of: .i32)
        for value in values { varint(zigzag(Int64(value))) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, count: values.count, of: .binary)
        for value in values { rawBinary(Array(value.utf8)) }
    }

    /// A list of structs: `body` writes one element's fields.
    mutating func structList<T>(_ id: Int16, _ values: [T], _ body: (inout CompactWriter, T) -> Void) {
        listHeader(id, count: values.count, of: .structure)
        for value in values {
            beginStruct()
            body(&self, value)
            endStruct()
        }
    }

    mutating func bytesAppend(_ byte: UInt8) { bytes.append(byte) }

    mutating func rawBinary(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
}
