/// Reads one column chunk: walks its pages (dictionary, data v1, data v2), decompresses,
/// decodes definition levels and values, and converts them to the column's lake type.
enum ColumnChunkReader {
    static func read(_ file: UnsafeRawBufferPointer, chunk: ColumnMetaData, leaf: ParquetFile.LeafColumn,
                     schema: ColumnSchema, rows: Int) throws -> Column {
        let element = leaf.element
        let type = element.type!
        let typeLength = Int(element.typeLength ?? 0)
        var values = PhysicalValues()
        var dictionary: PhysicalValues?
        let (validity, hasNull) = try walk(file, chunk: chunk, leaf: leaf, rows: rows, dictionary: { dictionary = $0 }) { raw, count, encoding in
            try decodeValues(raw, count: count, encoding: encoding, type: type, typeLength: typeLength, dictionary: dictionary, into: &values)
        }
        return try convert(values, validity: hasNull ? validity : nil, count: rows, schema: schema, leaf: leaf)
    }

    /// A string column chunk whose data pages are all dictionary-encoded, as its dictionary and
    /// one code per row (0 for nulls); nil when some page is not (the caller reads it plainly).
    static func readCodes(_ file: UnsafeRawBufferPointer, chunk: ColumnMetaData, leaf: ParquetFile.LeafColumn,
                          rows: Int) throws -> (codes: [Int32], dictionary: StringArray, validity: [Bool]?)? {
        guard leaf.element.type == .byteArray, chunk.dictionaryPageOffset != nil || chunk.encodings.contains(.plainDictionary) || chunk.encodings.contains(.rleDictionary) else { return nil }
        var dictionary: PhysicalValues?
        var codes: [Int32] = []
        codes.reserveCapacity(rows)
        var plain = false
        let (validity, hasNull) = try walk(file, chunk: chunk, leaf: leaf, rows: rows, dictionary: { dictionary = $0 }) { raw, count, encoding in
            guard !plain, encoding == .plainDictionary || encoding == .rleDictionary, let dictionary else { plain = true; return }
            guard count > 0 else { return }
            guard raw.count >= 1 else { throw ParquetError.corrupt("a dictionary page has no bit width") }
            let size = UInt32(dictionary.strings.count)
            // Decoded straight into the codes (as unsigned: a code's bits are its index), then
            // checked with one pass for the largest (an append per code was a tenth of a query
            // grouping on the column).
            let first = codes.count
            codes.append(contentsOf: repeatElement(0, count: count))
            let largest = try codes.withUnsafeMutableBufferPointer { all in
                try (all.baseAddress! + first).withMemoryRebound(to: UInt32.self, capacity: count) { indices in
                    try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: raw[1...]), bitWidth: Int(raw[0]), count: count, writingTo: indices)
                    return UnsafeBufferPointer(start: indices, count: count).reduce(0, Swift.max)
                }
            }
            guard largest < size else { throw ParquetError.corrupt("dictionary index \(largest) is past the dictionary's \(size) values") }
        }
        // A chunk of nulls only has an empty dictionary, which its rows' placeholder codes (0) would
        // index past: it is read plainly instead, as empty strings marked null.
        guard !plain, let dictionary, dictionary.strings.count > 0 else { return nil }
        if hasNull, let validity {
            var spread = [Int32](repeating: 0, count: rows)
            var k = 0
            for (row, ok) in validity.enumerated() where ok { spread[row] = codes[k]; k += 1 }
            return (spread, dictionary.strings, validity)
        }
        return (codes, dictionary.strings, nil)
    }

    /// Walks a chunk's pages: hands the dictionary page's values and each data page's values
    /// (with how many are present and their encoding) to the callers; returns the validity.
    private static func walk(_ file: UnsafeRawBufferPointer, chunk: ColumnMetaData, leaf: ParquetFile.LeafColumn, rows: Int,
                             dictionary onDictionary: (PhysicalValues) -> Void,
                             values onValues: (UnsafeRawBufferPointer, Int, Encoding) throws -> Void) throws -> ([Bool]?, Bool) {
        let element = leaf.element
        let type = element.type!
        let typeLength = Int(element.typeLength ?? 0)
        let optional = element.repetition != .required
        var start = Int(chunk.dataPageOffset)
        if let d = chunk.dictionaryPageOffset, d > 0, d < start { start = Int(d) }
        let end = start + Int(chunk.totalCompressedSize)
        guard start >= 4, end <= file.count - 8 else {
            throw ParquetError.corrupt("column chunk \(start)..<\(end) lies outside the file")
        }
        var validity: [Bool]? = optional ? [] : nil
        var hasNull = false
        var seen = 0
        var position = start
        let total = Int(chunk.numValues)

        while seen < total && position < end {
            var r = CompactReader(file, at: position)
            let header = try PageHeader.read(&r)
            let bodyStart = r.position
            let bodyEnd = bodyStart + Int(header.compressedSize)
            guard bodyEnd <= end else { throw ParquetError.corrupt("a page runs past its column chunk") }
            let body = UnsafeRawBufferPointer(rebasing: file[bodyStart..<bodyEnd])
            position = bodyEnd
            switch header.type {
            case .dictionaryPage:
                let page = try Codec.decompress(body, codec: chunk.codec, size: Int(header.uncompressedSize))
                var dict = PhysicalValues()
                try page.withUnsafeBytes { try PlainDecoder.decode($0, count: Int(header.numValues), type: type, typeLength: typeLength, into: &dict) }
                onDictionary(dict)
            case .dataPage:
                let page = try Codec.decompress(body, codec: chunk.codec, size: Int(header.uncompressedSize))
                try page.withUnsafeBytes { raw in
                    var p = 0
                    let n = Int(header.numValues)
                    var present = n
                    if optional {
                        guard header.definitionLevelEncoding == .rle else {
                            throw ParquetError.unsupported("definition levels encoded as \(header.definitionLevelEncoding)")
                        }
                        guard raw.count >= 4 else { throw ParquetError.corrupt("a data page ends before its levels") }
                        let length = Int(raw.loadUnaligned(as: UInt32.self))
                        guard 4 + length <= raw.count else { throw ParquetError.corrupt("definition levels run past the page") }
                        present = try appendLevels(UnsafeRawBufferPointer(rebasing: raw[4..<(4 + length)]), count: n, into: &validity!, hasNull: &hasNull)
                        p = 4 + length
                    }
                    try onValues(UnsafeRawBufferPointer(rebasing: raw[p...]), present, header.encoding)
                    seen += n
                }
            case .dataPageV2:
                let n = Int(header.numValues)
                let repLength = Int(header.repetitionLevelsLength)
                let defLength = Int(header.definitionLevelsLength)
                guard repLength + defLength <= body.count else {
                    throw ParquetError.corrupt("v2 page levels run past the page")
                }
                var present = n
                if optional && defLength > 0 {
                    present = try appendLevels(UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)]),
                                               count: n, into: &validity!, hasNull: &hasNull)
                } else if optional {
                    validity!.append(contentsOf: repeatElement(true, count: n))
                }
                let valuesRaw = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
                let page: [UInt8] = header.isCompressed && chunk.codec != .uncompressed
                    ? try Codec.decompress(valuesRaw, codec: chunk.codec, size: Int(header.uncompressedSize) - repLength - defLength)
                    : Array(valuesRaw)
                try page.withUnsafeBytes { raw in try onValues(raw, present, header.encoding) }
                seen += n
            case .indexPage:
                continue
            }
        }
        guard seen == total else { throw ParquetError.corrupt("column chunk holds \(seen) values, its metadata says \(total)") }
        guard seen == rows else { throw ParquetError.corrupt("column chunk holds \(seen) values for \(rows) rows") }
        return (validity, hasNull)
    }

    /// Appends definition levels (bit width 1) as validity; returns how many values are present.
    private static func appendLevels(_ raw: UnsafeRawBufferPointer, count: Int, into validity: inout [Bool], hasNull: inout Bool) throws -> Int {
        var levels: [UInt32] = []
        try RLEHybrid.decode(raw, bitWidth: 1, count: count, into: &levels)
        var present = 0
        validity.reserveCapacity(validity.count + count)
        for l in levels {
            validity.append(l == 1)
            present += Int(l)
        }
        if present < count { hasNull = true }
        return present
    }

    private static func decodeValues(_ raw: UnsafeRawBufferPointer, count: Int, encoding: Encoding, type: PhysicalType,
                                     typeLength: Int, dictionary: PhysicalValues?, into values: inout PhysicalValues) throws {
        switch encoding {
        case .plain:
            try PlainDecoder.decode(raw, count: count, type: type, typeLength: typeLength, into: &values)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ParquetError.corrupt("a dictionary-encoded page comes before any dictionary page") }
            guard count > 0 else { return }
            guard raw.count >= 1 else { throw ParquetError.corrupt("a dictionary page has no bit width") }
            var indices: [UInt32] = []
            try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: raw[1...]), bitWidth: Int(raw[0]), count: count, into: &indices)
            try values.gather(dictionary, indices, type: type)
        case .rle where type == .boolean:
            guard raw.count >= 4 else { throw ParquetError.corrupt("an RLE boolean page has no length") }
            let length = Int(raw.loadUnaligned(as: UInt32.self))
            var bits: [UInt32] = []
            try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: raw[4..<Swift.min(raw.count, 4 + length)]), bitWidth: 1, count: count, into: &bits)
            values.bools.append(contentsOf: bits.lazy.map { $0 == 1 })
        case .deltaBinaryPacked where type == .int32 || type == .int64:
            let decoded = try DeltaDecoders.binaryPacked(raw, count: count).values.prefix(count)
            if type == .int32 { values.ints32.append(contentsOf: decoded.lazy.map { Int32(truncatingIfNeeded: $0) }) } else { values.ints64.append(contentsOf: decoded) }
        case .deltaLengthByteArray where type == .byteArray:
            try DeltaDecoders.lengthByteArray(raw, count: count, into: &values.strings)
        case .deltaByteArray where type == .byteArray || type == .fixedLenByteArray:
            try DeltaDecoders.byteArray(raw, count: count, into: &values.strings)
        case .byteStreamSplit:
            let width: Int
            switch type {
            case .float, .int32: width = 4
            case .double, .int64: width = 8
            case .fixedLenByteArray: width = typeLength
            default: throw ParquetError.unsupported("BYTE_STREAM_SPLIT for \(type)")
            }
            let bytes = try DeltaDecoders.byteStreamSplit(raw, count: count, width: width)
            try bytes.withUnsafeBytes { try PlainDecoder.decode($0, count: count, type: type, typeLength: typeLength, into: &values) }
        default:
            throw ParquetError.unsupported("encoding \(encoding) for \(type) values")
        }
    }

    /// Spreads present values over rows (nulls get placeholders) and applies the logical conversion.
    static func convert(_ v: PhysicalValues, validity: [Bool]?, count: Int, schema: ColumnSchema,
                        leaf: ParquetFile.LeafColumn) throws -> Column {
        func spread<T>(_ present: [T], _ zero: T) -> [T] {
            guard let validity else { return present }
            var out: [T] = []
            out.reserveCapacity(count)
            var i = 0
            for ok in validity {
                if ok { out.append(present[i]); i += 1 } else { out.append(zero) }
            }
            return out
        }
        let present = validity.map { $0.lazy.filter { $0 }.count } ?? count
        guard v.count == present || (present == 0 && v.count == 0) else {
            throw ParquetError.corrupt("\(v.count) values for \(present) non-null rows")
        }
        let type = leaf.element.type!
        var data: ColumnData
        switch (schema.type, leaf.conversion) {
        case (.boolean, _):
            data = .boolean(spread(v.bools, false))
        case (.date, _), (.int32, _):
            data = .int32(spread(v.ints32, 0))
        case (.int64, .unsigned32):
            data = .int64(spread(v.ints32.map { Int64(UInt32(bitPattern: $0)) }, 0))
        case (.timestamp, .timestampMillis):
            data = .int64(spread(v.ints64.map { $0 &* 1000 }, 0))
        case (.timestamp, .timestampNanos):
            data = .int64(spread(v.ints64.map { Self.floorDiv($0, 1000) }, 0))
        case (.timestamp, _), (.int64, _):
            data = .int64(spread(v.ints64, 0))
        case let (.double, .decimal(scale)):
            let divisor = pow10(Int(scale))
            let unscaled: [Double]
            switch type {
            case .int32: unscaled = v.ints32.map(Double.init)
            case .int64: unscaled = v.ints64.map(Double.init)
            default: unscaled = (0..<v.strings.count).map { bigEndianSigned(v.strings.bytes[v.strings.range($0)]) }
            }
            data = .double(spread(unscaled.map { $0 / divisor }, 0))
        case (.double, .float16):
            data = .double(spread((0..<v.strings.count).map { i in
                let r = v.strings.range(i)
                let bits = UInt16(v.strings.bytes[r.lowerBound]) | UInt16(v.strings.bytes[r.lowerBound + 1]) << 8
                return Double(Float(Float16(bitPattern: bits)))
            }, 0))
        case (.double, _):
            data = .double(spread(v.doubles, 0))
        case (.string, .uuid):
            var text = StringArray()
            var i = 0
            for row in 0..<count {
                guard validity?[row] ?? true else { text.appendEmpty(); continue }
                let bytes = v.strings.bytes[v.strings.range(i)]
                i += 1
                text.append(Self.uuidText(bytes))
            }
            data = .string(text)
        case (.string, _):
            if let validity {
                var s = StringArray()
                s.reserve(values: count, bytes: v.strings.bytes.count)
                var i = 0
                v.strings.bytes.withUnsafeBytes { raw in
                    for ok in validity {
                        if ok { s.append(UnsafeRawBufferPointer(rebasing: raw[v.strings.range(i)])); i += 1 } else { s.appendEmpty() }
                    }
                }
                data = .string(s)
            } else {
                data = .string(v.strings)
            }
        }
        return Column(schema: schema, data: data, validity: validity)
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` for 16 bytes; plain hex for any other length.
    static func uuidText(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (k, b) in bytes.enumerated() {
            if bytes.count == 16 && (k == 4 || k == 6 || k == 8 || k == 10) { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= 10 }
        return r
    }

    static func bigEndianSigned(_ bytes: ArraySlice<UInt8>) -> Double {
        guard let first = bytes.first else { return 0 }
        let negative = first & 0x80 != 0
        var r = 0.0
        for b in bytes { r = r * 256 + Double(negative ? ~b : b) }
        return negative ? -(r + 1) : r
    }
}
