/// The RLE / bit-packing hybrid of parquet-format's Encodings.md, used for definition levels,
/// dictionary indices and RLE booleans.
///
/// A run is either `(count << 1)` then one value in ceil(bitWidth/8) bytes, or
/// `(groups << 1) | 1` then groups of 8 values bit-packed, least significant bit first.
enum RLEHybrid {
    static func bitWidth(forMax value: Int) -> Int {
        value <= 0 ? 0 : Int.bitWidth - value.leadingZeroBitCount
    }

    /// Encodes `values` (each below 2^bitWidth) using RLE runs where 8 or more repeat.
    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: inout [UInt8]) {
        let n = values.count
        var pendingStart = 0   // values[pendingStart..<i] wait to be bit-packed
        var i = 0
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            var run = j - i
            if run >= 8 {
                // Bit-packed groups must be whole: lend the run enough values to fill the last group.
                let pending = i - pendingStart
                let fill = (8 - pending % 8) % 8
                if pending > 0 {
                    let take = min(fill, run)
                    bitPack(values, from: pendingStart, count: pending + take, bitWidth: bitWidth, into: &out)
                    i += take
                    run -= take
                    pendingStart = i
                }
                if run >= 8 {
                    writeRLE(value: v, count: run, bitWidth: bitWidth, into: &out)
                    i += run
                    pendingStart = i
                } else {
                    i += run
                }
            } else {
                i = j
            }
        }
        if pendingStart < n {
            bitPack(values, from: pendingStart, count: n - pendingStart, bitWidth: bitWidth, into: &out)
        }
    }

    static func encode(_ values: [UInt32], bitWidth: Int, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
    }

    private static func writeRLE(value: UInt32, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        varint(UInt64(count) << 1, into: &out)
        let bytes = (bitWidth + 7) / 8
        for b in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(b)))) }
    }

    /// Bit-packs `count` values, padding the last group of 8 with zeros.
    private static func bitPack(_ values: UnsafeBufferPointer<UInt32>, from start: Int, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        let groups = (count + 7) / 8
        varint(UInt64(groups) << 1 | 1, into: &out)
        var buffer: UInt64 = 0
        var bits = 0
        for k in 0..<(groups * 8) {
            let v = k < count ? UInt64(values[start + k]) : 0
            buffer |= v << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: buffer)) }
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Decodes `count` values from `bytes` into `out`.
    static func decode(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, into out: inout [UInt32]) throws {
        out.reserveCapacity(out.count + count)
        if bitWidth == 0 {
            out.append(contentsOf: repeatElement(0, count: count))
            return
        }
        guard bitWidth <= 32 else { throw ParquetError.corrupt("bit width \(bitWidth) is above 32") }
        var p = 0
        var remaining = count
        let mask: UInt64 = bitWidth == 64 ? ~0 : (1 << UInt64(bitWidth)) - 1
        let valueBytes = (bitWidth + 7) / 8
        while remaining > 0 {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard p < bytes.count else { throw ParquetError.corrupt("RLE data ends \(remaining) values early") }
                let b = bytes[p]
                p += 1
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift < 64 else { throw ParquetError.corrupt("RLE run header is too long") }
            }
            if header & 1 == 1 {
                let values = Int(header >> 1) * 8
                let byteCount = (values * bitWidth + 7) / 8
                guard p + byteCount <= bytes.count || values >= remaining else {
                    throw ParquetError.corrupt("bit-packed run runs past the end")
                }
                let take = min(values, remaining)
                var buffer: UInt64 = 0
                var bits = 0
                var q = p
                for _ in 0..<take {
                    while bits < bitWidth {
                        let b: UInt64 = q < bytes.count ? UInt64(bytes[q]) : 0
                        buffer |= b << UInt64(bits)
                        q += 1
                        bits += 8
                    }
                    out.append(UInt32(truncatingIfNeeded: buffer & mask))
                    buffer >>= UInt64(bitWidth)
                    bits -= bitWidth
                }
                p += byteCount
                remaining -= take
            } else {
                let run = Int(header >> 1)
                guard p + valueBytes <= bytes.count else { throw ParquetError.corrupt("RLE run runs past the end") }
                var v: UInt32 = 0
                for b in 0..<valueBytes { v |= UInt32(bytes[p + b]) << (8 * UInt32(b)) }
                p += valueBytes
                let take = min(run, remaining)
                guard take > 0 || run == 0 else { break }
                if run == 0 { throw ParquetError.corrupt("RLE run of length 0") }
                out.append(contentsOf: repeatElement(v, count: take))
                remaining -= take
            }
        }
    }
}
