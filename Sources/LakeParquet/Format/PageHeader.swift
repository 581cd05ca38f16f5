/// The header in front of every page of a column chunk.
struct PageHeader {
    var type: PageType
    var uncompressedSize: Int32
    var compressedSize: Int32
    var numValues: Int32 = 0
    var encoding: Encoding = .plain
    var definitionLevelEncoding: Encoding = .rle
    /// Data page v2 only: levels are stored uncompressed ahead of the values.
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsLength: Int32 = 0
    var repetitionLevelsLength: Int32 = 0
    var isCompressed = true

    /// Writes a v1 data page or a dictionary page header.
    func encoded() -> [UInt8] {
        var w = CompactWriter()
        w.beginStruct()
        w.i32(1, type.rawValue)
        w.i32(2, uncompressedSize)
        w.i32(3, compressedSize)
        switch type {
        case .dataPage:
            w.structure(5) { w in
                w.i32(1, numValues)
                w.i32(2, encoding.rawValue)
                w.i32(3, definitionLevelEncoding.rawValue)
                w.i32(4, Encoding.rle.rawValue)
            }
        case .dictionaryPage:
            w.structure(7) { w in
                w.i32(1, numValues)
                w.i32(2, Encoding.plain.rawValue)
            }
        default:
            break
        }
        w.endStruct()
        return w.bytes
    }

    static func read(_ r: inout CompactReader) throws -> PageHeader {
        var h = PageHeader(type: .dataPage, uncompressedSize: 0, compressedSize: 0)
        var rawType: Int32 = 0
        func encoding(_ raw: Int32) throws -> Encoding {
            guard let e = Encoding(rawValue: raw) else { throw ParquetError.unsupported("page encoding \(raw)") }
            return e
        }
        try r.readStruct { r, id, _ in
            switch id {
            case 1: rawType = try r.i32()
            case 2: h.uncompressedSize = try r.i32()
            case 3: h.compressedSize = try r.i32()
            case 5:
                try r.readStruct { r, id, _ in
                    switch id {
                    case 1: h.numValues = try r.i32()
                    case 2: h.encoding = try encoding(try r.i32())
                    case 3: h.definitionLevelEncoding = try encoding(try r.i32())
                    default: return false
                    }
                    return true
                }
            case 7:
                try r.readStruct { r, id, _ in
                    switch id {
                    case 1: h.numValues = try r.i32()
                    case 2: h.encoding = try encoding(try r.i32())
                    default: return false
                    }
                    return true
                }
            case 8:
                try r.readStruct { r, id, _ in
                    switch id {
                    case 1: h.numValues = try r.i32()
                    case 2: h.numNulls = try r.i32()
                    case 3: h.numRows = try r.i32()
                    case 4: h.encoding = try encoding(try r.i32())
                    case 5: h.definitionLevelsLength = try r.i32()
                    case 6: h.repetitionLevelsLength = try r.i32()
                    case 7: h.isCompressed = r.lastBool
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard let type = PageType(rawValue: rawType) else { throw ParquetError.corrupt("page type \(rawType) is unknown") }
        h.type = type
        guard h.compressedSize >= 0, h.uncompressedSize >= 0 else { throw ParquetError.corrupt("a page has a negative size") }
        return h
    }
}
