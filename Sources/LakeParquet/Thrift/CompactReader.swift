/// Reads Thrift's compact protocol: the footer and page headers of any Parquet file.
///
/// Callers walk a struct with `readStruct`, handling the field ids they know; every other
/// field is skipped whatever its type, so files from newer writers still read.
struct CompactReader {
    typealias WireType = CompactWriter.WireType

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// The value of a boolean field, which compact protocol folds into the field header.
    private(set) var lastBool = false

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Moves past `n` bytes the caller has read itself.
    mutating func advance(_ n: Int) { position += n }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw ParquetError.corrupt("Thrift data ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError.corrupt("Thrift varint is too long") }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    mutating func i32() throws -> Int32 { Int32(truncatingIfNeeded: try zigzag()) }
    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func binary() throws -> [UInt8] {
        let count = Int(try varint())
        guard count >= 0, position + count <= bytes.count else {
            throw ParquetError.corrupt("Thrift binary of \(count) bytes runs past the end")
        }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func string() throws -> String { String(decoding: try binary(), as: UTF8.self) }

    mutating func double() throws -> Double {
        guard position + 8 <= bytes.count else { throw ParquetError.corrupt("Thrift double runs past the end") }
        var raw: UInt64 = 0
        for i in 0..<8 { raw |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: raw)
    }

    /// Reads one struct, calling `field` with each field id and wire type. `field` returns
    /// false for a field it does not know, which is then skipped.
    mutating func readStruct(_ field: (inout CompactReader, Int16, WireType) throws -> Bool) throws {
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return }
            guard let type = WireType(rawValue: header & 0x0F) else {
                throw ParquetError.corrupt("Thrift field type \(header & 0x0F) is unknown")
            }
            let delta = Int16(header >> 4)
            let id = delta == 0 ? Int16(truncatingIfNeeded: try zigzag()) : last + delta
            last = id
            if type == .boolTrue || type == .boolFalse { lastBool = type == .boolTrue }
            if try !field(&self, id, type) { try skip(type) }
        }
    }

    /// A list header: the element count and type.
    mutating func listHeader() throws -> (count: Int, type: WireType) {
        let header = try byte()
        var count = Int(header >> 4)
        if count == 15 { count = Int(try varint()) }
        guard let type = WireType(rawValue: header & 0x0F) else {
            throw ParquetError.corrupt("Thrift list element type \(header & 0x0F) is unknown")
        }
        return (count, type)
    }

    mutating func list<T>(_ element: (inout CompactReader) throws -> T) throws -> [T] {
        let (count, _) = try listHeader()
        var result: [T] = []
        result.reserveCapacity(min(count, 1 << 16))
        for _ in 0..<count { result.append(try element(&self)) }
        return result
    }

    mutating func skip(_ type: WireType) throws {
        switch type {
        case .boolTrue, .boolFalse: return
        case .byte: position += 1
        case .i16, .i32, .i64: _ = try varint()
        case .double: position += 8
        case .binary: _ = try binary()
        case .list, .set:
            let (count, element) = try listHeader()
            for _ in 0..<count {
                if element == .boolTrue || element == .boolFalse { position += 1 } else { try skip(element) }
            }
        case .map:
            let count = Int(try varint())
            if count > 0 {
                let types = try byte()
                guard let k = WireType(rawValue: types >> 4), let v = WireType(rawValue: types & 0x0F) else {
                    throw ParquetError.corrupt("Thrift map types are unknown")
                }
                for _ in 0..<count { try skip(k); try skip(v) }
            }
        case .structure:
            try readStruct { _, _, _ in false }
        }
        if position > bytes.count { throw ParquetError.corrupt("Thrift data ends early") }
    }
}
