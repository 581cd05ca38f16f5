/// Encodes one column's rows as a column chunk: an optional dictionary page, then v1 data
/// pages of RLE definition levels and PLAIN or RLE_DICTIONARY values, each compressed.
struct ColumnChunkWriter {
    let options: WriterOptions
    let compressor: PageCompressor

    struct Result {
        var chunk: ColumnChunk
        var stats: ColumnStats
        var uncompressedBytes: Int
    }

    /// Appends the chunk to `out`, whose first byte sits at `fileOffset` in the file.
    func write(_ column: Column, rows: Range<Int>, fileOffset: Int, into out: inout [UInt8]) throws -> Result {
        compressor.beginChunk()
        let start = out.count
        let schema = column.schema
        let nullable = schema.nullable || column.validity != nil
        let valid = column.validity
        var nonNull: [Int] = []
        var nulls = 0
        if let valid {
            nonNull.reserveCapacity(rows.count)
            for r in rows { if valid[r] { nonNull.append(r) } else { nulls += 1 } }
        }
        func forEachRow(_ body: (Int) -> Void) {
            if valid != nil { for r in nonNull { body(r) } } else { for r in rows { body(r) } }
        }

        var stats = ColumnStats(name: schema.name, nullCount: nulls, valueCount: rows.count)
        var minBytes: [UInt8]?
        var maxBytes: [UInt8]?
        var dictionary: DictionaryEncoding?
        let type = schema.type

        switch column.data {
        case let .boolean(v):
            var lo = true, hi = false, any = false
            forEachRow { r in any = true; lo = lo && v[r]; hi = hi || v[r] }
            if any {
                stats.min = .boolean(lo); stats.max = .boolean(hi)
                minBytes = [lo ? 1 : 0]; maxBytes = [hi ? 1 : 0]
            }
        case let .int32(v):
            var lo = Int32.max, hi = Int32.min, any = false
            forEachRow { r in any = true; lo = Swift.min(lo, v[r]); hi = Swift.max(hi, v[r]) }
            if any {
                stats.min = type == .date ? .date(lo) : .int(Int64(lo))
                stats.max = type == .date ? .date(hi) : .int(Int64(hi))
                minBytes = PlainEncoder.bytes(of: lo); maxBytes = PlainEncoder.bytes(of: hi)
            }
        case let .int64(v):
            var lo = Int64.max, hi = Int64.min, any = false
            forEachRow { r in any = true; lo = Swift.min(lo, v[r]); hi = Swift.max(hi, v[r]) }
            if any {
                stats.min = type == .timestamp ? .timestamp(lo) : .int(lo)
                stats.max = type == .timestamp ? .timestamp(hi) : .int(hi)
                minBytes = PlainEncoder.bytes(of: lo); maxBytes = PlainEncoder.bytes(of: hi)
            }
        case let .double(v):
            var lo = Double.infinity, hi = -Double.infinity, any = false
            forEachRow { r in if !v[r].isNaN { any = true; lo = Swift.min(lo, v[r]); hi = Swift.max(hi, v[r]) } }
            if any {
                stats.min = .double(lo); stats.max = .double(hi)
                minBytes = PlainEncoder.bytes(of: lo.bitPattern); maxBytes = PlainEncoder.bytes(of: hi.bitPattern)
            }
        case let .string(s):
            if options.dictionary {
                dictionary = valid != nil
                    ? DictionaryEncoding.build(s, rows: nonNull, maxBytes: options.dictionaryBytes, plainWhenUnique: options.plainWhenUnique)
                    : DictionaryEncoding.build(s, rows: rows, maxBytes: options.dictionaryBytes, plainWhenUnique: options.plainWhenUnique)
            }
            var lo: Range<Int>?, hi: Range<Int>?
            s.bytes.withUnsafeBufferPointer { b in
                func less(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
                    // Eight bytes at a time as one big-endian number: ids differ in their first
                    // word, and values with a common prefix (`spotify:album:…`, a raw file's
                    // path) within a few more, where a memcmp call per comparison was 2% of a
                    // promotion.
                    let n = Swift.min(x.count, y.count)
                    var k = 0
                    if let raw = UnsafeRawPointer(b.baseAddress) {
                        while k + 8 <= n {
                            let p = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: x.lowerBound + k, as: UInt64.self))
                            let q = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: y.lowerBound + k, as: UInt64.self))
                            if p != q { return p < q }
                            k += 8
                        }
                    }
                    while k < n {
                        let p = b[x.lowerBound + k], q = b[y.lowerBound + k]
                        if p != q { return p < q }
                        k += 1
                    }
                    return x.count < y.count
                }
                func consider(_ r: Int) {
                    let range = s.range(r)
                    if lo == nil || less(range, lo!) { lo = range }
                    if hi == nil || less(hi!, range) { hi = range }
                }
                // A dictionary holds each distinct value once: the bounds are among its entries.
                if let dictionary { for r in dictionary.entries { consider(r) } } else { forEachRow(consider) }
            }
            if let lo, let hi {
                minBytes = Array(s.bytes[lo]); maxBytes = Array(s.bytes[hi])
                stats.min = .string(String(decoding: minBytes!, as: UTF8.self))
                stats.max = .string(String(decoding: maxBytes!, as: UTF8.self))
            }
        }

        var uncompressedTotal = 0
        var encodings: [Encoding] = [.rle]
        var dictionaryOffset: Int?
        if let dictionary {
            dictionaryOffset = fileOffset + out.count - start
            let body = dictionary.dictionaryPage(column.data)
            uncompressedTotal += try writePage(type: .dictionaryPage, body: body, values: dictionary.entries.count, encoding: .plain, into: &out)
            encodings = [.plain, .rle, .rleDictionary]
        } else {
            encodings = [.plain, .rle]
        }
        let dataOffset = fileOffset + out.count - start

        // Pages: split rows so each page's values come near `pageBytes`.
        let valueWidth: Int
        switch column.data {
        case .boolean: valueWidth = 1
        case .int32: valueWidth = 4
        case let .string(s): valueWidth = dictionary != nil ? 2 : Swift.max(1, s.bytes.count / Swift.max(1, s.count)) + 4
        default: valueWidth = 8
        }
        let rowsPerPage = Swift.max(1024, options.pageBytes / valueWidth)
        var pageStart = rows.lowerBound
        var nonNullCursor = 0
        var dictCursor = 0
        repeat {
            let pageEnd = Swift.min(rows.upperBound, pageStart + rowsPerPage)
            var body: [UInt8] = []
            body.reserveCapacity((pageEnd - pageStart) * valueWidth + 64)
            var pageRows: [Int] = []
            if nullable {
                var encoded: [UInt8] = []
                if valid == nil && pageEnd - pageStart >= 8 {
                    // No nulls: the levels are one run of 1s, as the general encoder would write it.
                    RLEHybrid.writeRLE(value: 1, count: pageEnd - pageStart, bitWidth: 1, into: &encoded)
                } else {
                    var levels = [UInt32](repeating: 1, count: pageEnd - pageStart)
                    if let valid {
                        for r in pageStart..<pageEnd where !valid[r] { levels[r - pageStart] = 0 }
                    }
                    RLEHybrid.encode(levels, bitWidth: 1, into: &encoded)
                }
                PlainEncoder.appendLE(UInt32(encoded.count), to: &body)
                body.append(contentsOf: encoded)
            }
            if valid != nil {
                let from = nonNullCursor
                while nonNullCursor < nonNull.count && nonNull[nonNullCursor] < pageEnd { nonNullCursor += 1 }
                pageRows = Array(nonNull[from..<nonNullCursor])
            }
            let count = valid != nil ? pageRows.count : pageEnd - pageStart
            if let dictionary {
                let indices = Array(dictionary.indices[dictCursor..<(dictCursor + count)])
                dictCursor += count
                let width = RLEHybrid.bitWidth(forMax: dictionary.entries.count - 1)
                body.append(UInt8(width))
                RLEHybrid.encode(indices, bitWidth: width, into: &body)
            } else if valid != nil {
                PlainEncoder.append(column.data, rows: pageRows, to: &body)
            } else {
                PlainEncoder.append(column.data, range: pageStart..<pageEnd, to: &body)
            }
            uncompressedTotal += try writePage(type: .dataPage, body: body, values: pageEnd - pageStart,
                                               encoding: dictionary != nil ? .rleDictionary : .plain, into: &out)
            pageStart = pageEnd
        } while pageStart < rows.upperBound

        var statistics = Statistics(nullCount: Int64(nulls))
        statistics.minValue = minBytes
        statistics.maxValue = maxBytes
        let meta = ColumnMetaData(
            type: type.physical, encodings: encodings, path: [schema.name], codec: compressor.chunkCodec,
            numValues: Int64(rows.count), totalUncompressedSize: Int64(uncompressedTotal),
            totalCompressedSize: Int64(out.count - start), dataPageOffset: Int64(dataOffset),
            dictionaryPageOffset: dictionaryOffset.map(Int64.init), statistics: statistics)
        return Result(chunk: ColumnChunk(fileOffset: Int64(fileOffset), meta: meta), stats: stats,
                      uncompressedBytes: uncompressedTotal)
    }

    /// Compresses `body` behind its page header; returns the page's uncompressed size with header.
    private func writePage(type: PageType, body: [UInt8], values: Int, encoding: Encoding, into out: inout [UInt8]) throws -> Int {
        var compressed: [UInt8] = []
        compressed.reserveCapacity(body.count / 2 + 64)
        try compressor.compress(body, into: &compressed)
        var header = PageHeader(type: type, uncompressedSize: Int32(body.count), compressedSize: Int32(compressed.count))
        header.numValues = Int32(values)
        header.encoding = encoding
        let headerBytes = header.encoded()
        out.append(contentsOf: headerBytes)
        out.append(contentsOf: compressed)
        return headerBytes.count + body.count
    }
}

#if canImport(Glibc)
import Glibc
#endif
