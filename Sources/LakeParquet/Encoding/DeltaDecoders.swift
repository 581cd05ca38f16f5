/// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT
/// decoding (Encodings.md), which DuckDB and pyarrow write when asked for Parquet v2 pages.
///
/// Their headers are ULEB128 varints and zigzag integers, the same as Thrift's compact
/// protocol, so `CompactReader` reads them.
enum DeltaDecoders {
    /// Decodes `count` integers; returns them and the bytes consumed.
    static func binaryPacked(_ b: UnsafeRawBufferPointer, count wanted: Int?) throws -> (values: [Int64], consumed: Int) {
        var c = CompactReader(b)
        let blockSize = Int(try c.varint())
        let miniblocks = Int(try c.varint())
        let total = Int(try c.varint())
        var last = try c.zigzag()
        guard blockSize > 0, miniblocks > 0, blockSize % miniblocks == 0 else {
            throw ParquetError.corrupt("delta block of \(blockSize) values in \(miniblocks) miniblocks")
        }
        let perMini = blockSize / miniblocks
        var values: [Int64] = []
        values.reserveCapacity(total)
        if total > 0 { values.append(last) }
        while values.count < total {
            let minDelta = try c.zigzag()
            guard c.position + miniblocks <= b.count else { throw ParquetError.corrupt("delta bit widths run past the page") }
            let widths = (0..<miniblocks).map { Int(b[c.position + $0]) }
            c.advance(miniblocks)
            for width in widths {
                guard values.count < total else { break }
                guard width <= 64 else { throw ParquetError.corrupt("delta bit width \(width)") }
                let bytes = perMini * width / 8
                guard c.position + bytes <= b.count else { throw ParquetError.corrupt("delta miniblock runs past the page") }
                var buffer: UInt64 = 0
                var bits = 0
                var q = c.position
                for _ in 0..<perMini {
                    var delta: UInt64 = 0
                    if width > 0 {
                        var got = 0
                        while got < width {
                            if bits == 0 {
                                buffer = UInt64(b[q]); q += 1; bits = 8
                            }
                            let take = Swift.min(width - got, bits)
                            delta |= (buffer & ((1 << UInt64(take)) - 1)) << UInt64(got)
                            buffer >>= UInt64(take)
                            bits -= take
                            got += take
                        }
                    }
                    if values.count < total {
                        last = last &+ minDelta &+ Int64(bitPattern: delta)
                        values.append(last)
                    }
                }
                c.advance(bytes)
            }
        }
        if let wanted, values.count < wanted { throw ParquetError.corrupt("delta page has \(values.count) values, expected \(wanted)") }
        return (values, c.position)
    }

    static func lengthByteArray(_ b: UnsafeRawBufferPointer, count: Int, into out: inout StringArray) throws {
        let (lengths, consumed) = try binaryPacked(b, count: count)
        var p = consumed
        for n in lengths.prefix(count) {
            let n = Int(n)
            guard n >= 0, p + n <= b.count else { throw ParquetError.corrupt("a delta byte array runs past the page") }
            out.append(UnsafeRawBufferPointer(rebasing: b[p..<(p + n)]))
            p += n
        }
    }

    static func byteArray(_ b: UnsafeRawBufferPointer, count: Int, into out: inout StringArray) throws {
        let (prefixes, consumed) = try binaryPacked(b, count: count)
        var suffixes = StringArray()
        try lengthByteArray(UnsafeRawBufferPointer(rebasing: b[consumed...]), count: count, into: &suffixes)
        var previous: [UInt8] = []
        for i in 0..<count {
            let prefix = Int(prefixes[i])
            guard prefix >= 0, prefix <= previous.count else { throw ParquetError.corrupt("a delta prefix is longer than the value before it") }
            var value = Array(previous[0..<prefix])
            value.append(contentsOf: suffixes.bytes[suffixes.range(i)])
            out.append(contentsOf: value)
            previous = value
        }
    }

    static func byteStreamSplit(_ b: UnsafeRawBufferPointer, count: Int, width: Int) throws -> [UInt8] {
        guard count * width <= b.count else { throw ParquetError.corrupt("BYTE_STREAM_SPLIT data runs past the page") }
        var out = [UInt8](repeating: 0, count: count * width)
        for i in 0..<count { for k in 0..<width { out[i * width + k] = b[k * count + i] } }
        return out
    }
}
