/// Kafka's primitive types, big-endian, as the protocol guide defines them: fixed-width
/// integers, strings and byte arrays with INT16/INT32 lengths (-1 for null), arrays with an
/// INT32 count, and the varints of record batches (zig-zag for signed values).
struct KafkaWriter {
    private(set) var bytes: [UInt8] = []

    mutating func int8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    mutating func int16(_ v: Int16) { append(UInt16(bitPattern: v)) }
    mutating func int32(_ v: Int32) { append(UInt32(bitPattern: v)) }
    mutating func int64(_ v: Int64) { append(UInt64(bitPattern: v)) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    private mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        int16(Int16(utf8.count))
        bytes += utf8
    }

    mutating func nullableString(_ s: String?) {
        guard let s else { return int16(-1) }
        string(s)
    }

    mutating func bytes(_ b: [UInt8]) {
        int32(Int32(b.count))
        bytes += b
    }

    mutating func nullableBytes(_ b: [UInt8]?) {
        guard let b else { return int32(-1) }
        bytes(b)
    }

    mutating func array<T>(_ items: [T], _ write: (inout KafkaWriter, T) -> Void) {
        int32(Int32(items.count))
        for item in items { write(&self, item) }
    }

    mutating func raw(_ b: [UInt8]) { bytes += b }
}

/// Reads Kafka's primitive types; a short buffer or a negative length where none may be is
/// `KafkaError.malformed`, naming what was being read.
struct KafkaReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }
    var atEnd: Bool { position >= end }

    private mutating func take(_ n: Int, _ what: String) throws -> Int {
        guard n >= 0, position + n <= end else {
            throw KafkaError.malformed("\(what): needs \(n) bytes, \(end - position) left at byte \(position)")
        }
        defer { position += n }
        return position
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        let at = try take(MemoryLayout<T>.size, what)
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v = v << 8 | T(truncatingIfNeeded: bytes[at + i]) }
        return v
    }

    mutating func int8(_ what: String = "INT8") throws -> Int8 { Int8(bitPattern: try integer(UInt8.self, what)) }
    mutating func int16(_ what: String = "INT16") throws -> Int16 { Int16(bitPattern: try integer(UInt16.self, what)) }
    mutating func int32(_ what: String = "INT32") throws -> Int32 { Int32(bitPattern: try integer(UInt32.self, what)) }
    mutating func uint32(_ what: String = "UINT32") throws -> UInt32 { try integer(UInt32.self, what) }
    mutating func int64(_ what: String = "INT64") throws -> Int64 { Int64(bitPattern: try integer(UInt64.self, what)) }
    mutating func bool(_ what: String = "BOOLEAN") throws -> Bool { try int8(what) != 0 }

    mutating func string(_ what: String = "STRING") throws -> String {
        guard let s = try nullableString(what) else { throw KafkaError.malformed("\(what): null where a string must be") }
        return s
    }

    mutating func nullableString(_ what: String = "NULLABLE_STRING") throws -> String? {
        let n = Int(try int16(what))
        if n < 0 { return nil }
        let at = try take(n, what)
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }

    mutating func bytes(_ what: String = "BYTES") throws -> [UInt8] {
        try nullableBytes(what) ?? []
    }

    mutating func nullableBytes(_ what: String = "NULLABLE_BYTES") throws -> [UInt8]? {
        let n = Int(try int32(what))
        if n < 0 { return nil }
        let at = try take(n, what)
        return Array(bytes[at..<(at + n)])
    }

    /// A byte range of the buffer (record sets are decoded in place).
    mutating func slice(_ n: Int, _ what: String) throws -> Range<Int> {
        let at = try take(n, what)
        return at..<(at + n)
    }

    mutating func array<T>(_ what: String, _ read: (inout KafkaReader) throws -> T) throws -> [T] {
        let n = Int(try int32(what))
        guard n >= 0 else { return [] }
        guard n <= remaining else { throw KafkaError.malformed("\(what): \(n) items in \(remaining) bytes") }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }

    // MARK: varints (record batches)

    mutating func unsignedVarint(_ what: String) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let at = try take(1, what)
            let b = bytes[at]
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw KafkaError.malformed("\(what): a varint longer than 10 bytes at byte \(at)") }
        }
    }

    /// Zig-zag signed varint (Kafka's varint and varlong).
    mutating func varint(_ what: String) throws -> Int64 {
        let u = try unsignedVarint(what)
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// Bytes with a zig-zag varint length (-1: null), as records hold keys, values and headers.
    mutating func varintBytes(_ what: String) throws -> Range<Int>? {
        let n = Int(try varint(what))
        if n < 0 { return nil }
        return try slice(n, what)
    }
}

extension KafkaWriter {
    /// Zig-zag varint, for tests that build record batches.
    mutating func varint(_ v: Int64) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while u >= 0x80 { bytes.append(UInt8(u & 0x7F) | 0x80); u >>= 7 }
        bytes.append(UInt8(u))
    }
}
