/// One node of a Parquet schema: the root, a group or a leaf column.
struct SchemaElement {
    var type: PhysicalType?
    var typeLength: Int32?
    var repetition: Repetition?
    var name: String
    var numChildren: Int32?
    var convertedType: ConvertedType?
    var scale: Int32?
    var precision: Int32?
    var logicalType: LogicalType?

    func write(to w: inout CompactWriter) {
        if let type { w.i32(1, type.rawValue) }
        if let typeLength { w.i32(2, typeLength) }
        if let repetition { w.i32(3, repetition.rawValue) }
        w.string(4, name)
        if let numChildren { w.i32(5, numChildren) }
        if let convertedType { w.i32(6, convertedType.rawValue) }
        if let scale { w.i32(7, scale) }
        if let precision { w.i32(8, precision) }
        if let logicalType {
            w.structure(10) { w in logicalType.write(to: &w) }
        }
    }

    static func read(_ r: inout CompactReader) throws -> SchemaElement {
        var e = SchemaElement(name: "")
        try r.readStruct { r, id, _ in
            switch id {
            case 1: e.type = PhysicalType(rawValue: try r.i32())
            case 2: e.typeLength = try r.i32()
            case 3: e.repetition = Repetition(rawValue: try r.i32())
            case 4: e.name = try r.string()
            case 5: e.numChildren = try r.i32()
            case 6: e.convertedType = ConvertedType(rawValue: try r.i32())
            case 7: e.scale = try r.i32()
            case 8: e.precision = try r.i32()
            case 10: e.logicalType = try LogicalType.read(&r)
            default: return false
            }
            return true
        }
        return e
    }
}

extension LogicalType {
    func write(to w: inout CompactWriter) {
        switch self {
        case .string: w.structure(1) { _ in }
        case .enumeration: w.structure(4) { _ in }
        case .date: w.structure(6) { _ in }
        case let .timestamp(utc, unit):
            w.structure(8) { w in
                w.bool(1, utc)
                w.structure(2) { w in
                    switch unit {
                    case .millis: w.structure(1) { _ in }
                    case .micros: w.structure(2) { _ in }
                    case .nanos: w.structure(3) { _ in }
                    }
                }
            }
        case let .integer(bits, signed):
            w.structure(10) { w in
                w.fieldHeader(1, .byte)
                w.bytesAppend(UInt8(bitPattern: bits))
                w.bool(2, signed)
            }
        case let .decimal(scale, precision):
            w.structure(5) { w in
                w.i32(1, scale)
                w.i32(2, precision)
            }
        case .json: w.structure(12) { _ in }
        case .other: break
        }
    }

    static func read(_ r: inout CompactReader) throws -> LogicalType? {
        var result: LogicalType?
        try r.readStruct { r, id, _ in
            switch id {
            case 1: result = .string; return false
            case 4: result = .enumeration; return false
            case 6: result = .date; return false
            case 12: result = .json; return false
            case 5:
                var scale: Int32 = 0, precision: Int32 = 0
                try r.readStruct { r, id, _ in
                    switch id {
                    case 1: scale = try r.i32()
                    case 2: precision = try r.i32()
                    default: return false
                    }
                    return true
                }
                result = .decimal(scale: scale, precision: precision)
            case 8:
                var utc = false
                var unit = TimeUnit.micros
                try r.readStruct { r, id, _ in
                    switch id {
                    case 1: utc = r.lastBool
                    case 2:
                        try r.readStruct { _, id, _ in
                            unit = id == 1 ? .millis : id == 3 ? .nanos : .micros
                            return false
                        }
                    default: return false
                    }
                    return true
                }
                result = .timestamp(utc: utc, unit: unit)
            case 10:
                var bits: Int8 = 64, signed = true
                try r.readStruct { r, id, _ in
                    switch id {
                    case 1: bits = Int8(bitPattern: try r.byte())
                    case 2: signed = r.lastBool
                    default: return false
                    }
                    return true
                }
                result = .integer(bits: bits, signed: signed)
            default:
                result = .other(id)
                return false
            }
            return true
        }
        return result
    }
}
