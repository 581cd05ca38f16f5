/// Min, max and null count of a column chunk or page, as plain-encoded bytes.
struct Statistics: Equatable {
    var nullCount: Int64?
    var distinctCount: Int64?
    var minValue: [UInt8]?
    var maxValue: [UInt8]?
    /// The deprecated min/max (fields 1–2), whose order was signed-byte for strings; read only as a fallback.
    var legacyMin: [UInt8]?
    var legacyMax: [UInt8]?

    func write(to w: inout CompactWriter) {
        if let nullCount { w.i64(3, nullCount) }
        if let distinctCount { w.i64(4, distinctCount) }
        if let maxValue { w.binary(5, maxValue) }
        if let minValue { w.binary(6, minValue) }
    }

    static func read(_ r: inout CompactReader) throws -> Statistics {
        var s = Statistics()
        try r.readStruct { r, id, _ in
            switch id {
            case 1: s.legacyMax = try r.binary()
            case 2: s.legacyMin = try r.binary()
            case 3: s.nullCount = try r.i64()
            case 4: s.distinctCount = try r.i64()
            case 5: s.maxValue = try r.binary()
            case 6: s.minValue = try r.binary()
            default: return false
            }
            return true
        }
        return s
    }
}
