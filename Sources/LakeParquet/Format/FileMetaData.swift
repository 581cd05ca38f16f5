/// A column chunk's metadata: where its pages are, how they are encoded and its statistics.
struct ColumnMetaData {
    var type: PhysicalType
    var encodings: [Encoding]
    var path: [String]
    var codec: CompressionCodec
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: Statistics?

    func write(to w: inout CompactWriter) {
        w.i32(1, type.rawValue)
        w.i32List(2, encodings.map(\.rawValue))
        w.stringList(3, path)
        w.i32(4, codec.rawValue)
        w.i64(5, numValues)
        w.i64(6, totalUncompressedSize)
        w.i64(7, totalCompressedSize)
        w.i64(9, dataPageOffset)
        if let dictionaryPageOffset { w.i64(11, dictionaryPageOffset) }
        if let statistics { w.structure(12) { w in statistics.write(to: &w) } }
    }

    static func read(_ r: inout CompactReader) throws -> ColumnMetaData {
        var m = ColumnMetaData(type: .int32, encodings: [], path: [], codec: .uncompressed, numValues: 0,
                               totalUncompressedSize: 0, totalCompressedSize: 0, dataPageOffset: 0)
        var codec: Int32 = 0
        try r.readStruct { r, id, _ in
            switch id {
            case 1:
                let raw = try r.i32()
                guard let type = PhysicalType(rawValue: raw) else { throw ParquetError.corrupt("physical type \(raw) is unknown") }
                m.type = type
            case 2: m.encodings = try r.list { try $0.i32() }.compactMap(Encoding.init(rawValue:))
            case 3: m.path = try r.list { try $0.string() }
            case 4: codec = try r.i32()
            case 5: m.numValues = try r.i64()
            case 6: m.totalUncompressedSize = try r.i64()
            case 7: m.totalCompressedSize = try r.i64()
            case 9: m.dataPageOffset = try r.i64()
            case 11: m.dictionaryPageOffset = try r.i64()
            case 12: m.statistics = try Statistics.read(&r)
            default: return false
            }
            return true
        }
        guard let known = CompressionCodec(rawValue: codec) else {
            throw ParquetError.unsupported("compression codec \(codec)")
        }
        m.codec = known
        return m
    }
}

struct ColumnChunk {
    var fileOffset: Int64
    var meta: ColumnMetaData

    func write(to w: inout CompactWriter) {
        w.i64(2, fileOffset)
        w.structure(3) { w in meta.write(to: &w) }
    }

    static func read(_ r: inout CompactReader) throws -> ColumnChunk {
        var offset: Int64 = 0
        var meta: ColumnMetaData?
        var external = false
        try r.readStruct { r, id, _ in
            switch id {
            case 1: external = !(try r.string()).isEmpty
            case 2: offset = try r.i64()
            case 3: meta = try ColumnMetaData.read(&r)
            default: return false
            }
            return true
        }
        if external { throw ParquetError.unsupported("a column chunk stored in another file") }
        guard let meta else { throw ParquetError.corrupt("a column chunk has no metadata") }
        return ColumnChunk(fileOffset: offset, meta: meta)
    }
}

struct RowGroup {
    var columns: [ColumnChunk]
    var totalByteSize: Int64
    var numRows: Int64
    var fileOffset: Int64?
    var totalCompressedSize: Int64?

    func write(to w: inout CompactWriter) {
        w.structList(1, columns) { w, c in c.write(to: &w) }
        w.i64(2, totalByteSize)
        w.i64(3, numRows)
        if let fileOffset { w.i64(5, fileOffset) }
        if let totalCompressedSize { w.i64(6, totalCompressedSize) }
    }

    static func read(_ r: inout CompactReader) throws -> RowGroup {
        var g = RowGroup(columns: [], totalByteSize: 0, numRows: 0)
        try r.readStruct { r, id, _ in
            switch id {
            case 1: g.columns = try r.list { try ColumnChunk.read(&$0) }
            case 2: g.totalByteSize = try r.i64()
            case 3: g.numRows = try r.i64()
            case 5: g.fileOffset = try r.i64()
            case 6: g.totalCompressedSize = try r.i64()
            default: return false
            }
            return true
        }
        return g
    }
}

/// The footer: schema, row groups and who wrote the file.
struct FileMetaData {
    var version: Int32
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroup]
    var keyValues: [(String, String)]
    var createdBy: String?

    func encoded() -> [UInt8] {
        var w = CompactWriter()
        w.beginStruct()
        w.i32(1, version)
        w.structList(2, schema) { w, e in e.write(to: &w) }
        w.i64(3, numRows)
        w.structList(4, rowGroups) { w, g in g.write(to: &w) }
        if !keyValues.isEmpty {
            w.structList(5, keyValues) { w, kv in
                w.string(1, kv.0)
                w.string(2, kv.1)
            }
        }
        if let createdBy { w.string(6, createdBy) }
        // One TypeDefinedOrder per leaf column: readers may then trust min_value/max_value.
        let leaves = schema.filter { $0.type != nil }.count
        w.structList(7, Array(repeating: 0, count: leaves)) { w, _ in w.structure(1) { _ in } }
        w.endStruct()
        return w.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> FileMetaData {
        var r = CompactReader(bytes)
        var m = FileMetaData(version: 1, schema: [], numRows: 0, rowGroups: [], keyValues: [], createdBy: nil)
        try r.readStruct { r, id, _ in
            switch id {
            case 1: m.version = try r.i32()
            case 2: m.schema = try r.list { try SchemaElement.read(&$0) }
            case 3: m.numRows = try r.i64()
            case 4: m.rowGroups = try r.list { try RowGroup.read(&$0) }
            case 5:
                m.keyValues = try r.list { r in
                    var key = "", value = ""
                    try r.readStruct { r, id, _ in
                        switch id {
                        case 1: key = try r.string()
                        case 2: value = try r.string()
                        default: return false
                        }
                        return true
                    }
                    return (key, value)
                }
            case 6: m.createdBy = try r.string()
            default: return false
            }
            return true
        }
        return m
    }
}
