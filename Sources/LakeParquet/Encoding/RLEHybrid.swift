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

    static func writeRLE(value: UInt32, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        varint(UInt64(count) << 1, into: &out)
        let bytes = (bitWidth + 7) / 8
        for b in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(b)))) }
    }

    /// Bit-packs `count` values, padding the last group of 8 with zeros. Whole groups of 8 fill
    /// `bitWidth` bytes each: room for them is made once and written through one borrow (an
    /// append per byte was 1.4% of a promotion).
    private static func bitPack(_ values: UnsafeBufferPointer<UInt32>, from start: Int, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        let groups = (count + 7) / 8
        varint(UInt64(groups) << 1 | 1, into: &out)
        let first = out.count
        out.append(contentsOf: repeatElement(0, count: groups * bitWidth))
        out.withUnsafeMutableBufferPointer { out in
            var q = first
            var buffer: UInt64 = 0
            var bits = 0
            for k in 0..<(groups * 8) {
                let v = k < count ? UInt64(values[start + k]) : 0
                buffer |= v << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    out[q] = UInt8(truncatingIfNeeded: buffer)
                    q += 1
                    buffer >>= 8
                    bits -= 8
                }
            }
        }
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
        // Room for all the values first, written through one borrow: an append per value
        // checked the array's uniqueness and capacity each time (a twelfth of a query grouping
        // on a dictionary-coded string).
        let first = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        try out.withUnsafeMutableBufferPointer { out in
            try decode(bytes, bitWidth: bitWidth, count: count, writingTo: out.baseAddress! + first)
        }
    }

    /// Decodes `count` values from `bytes` into the memory at `out`, which holds room for them
    /// (a label of its own: `into: &array` must not turn into a pointer to the array's storage).
    static func decode(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, writingTo out: UnsafeMutablePointer<UInt32>) throws {
        if let failure = decoded(bytes, bitWidth: bitWidth, count: count, writingTo: out) { throw failure }
    }

    /// The decoder, its failure returned rather than thrown. As a throwing function, Swift
    /// 6.3's release build zero-filled a bit width 0 chunk with `memset` as a tail call, which
    /// left the count in the register that carries a thrown error: every caller then saw an
    /// error that was not one, and crashed on it (any chunk whose dictionary has one value).
    /// A function that does not throw has no error register to leave dirty.
    @inline(never)
    private static func decoded(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
                                writingTo out: UnsafeMutablePointer<UInt32>) -> ParquetError? {
        if bitWidth == 0 {
            out.update(repeating: 0, count: count)
            return nil
        }
        guard bitWidth <= 32 else { return ParquetError.corrupt("bit width \(bitWidth) is above 32") }
        var p = 0
        var written = 0
        let mask: UInt64 = (1 << UInt64(bitWidth)) - 1
        let valueBytes = (bitWidth + 7) / 8
        while written < count {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard p < bytes.count else { return ParquetError.corrupt("RLE data ends \(count - written) values early") }
                let b = bytes[p]
                p += 1
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift < 64 else { return ParquetError.corrupt("RLE run header is too long") }
            }
            if header & 1 == 1 {
                let values = Int(header >> 1) * 8
                let byteCount = (values * bitWidth + 7) / 8
                guard p + byteCount <= bytes.count || values >= count - written else {
                    return ParquetError.corrupt("bit-packed run runs past the end")
                }
                let take = min(values, count - written)
                // Each value from one 8-byte load at its first byte, while 8 bytes remain
                // (a value spans at most 7 + 32 bits); the last few byte by byte.
                var k = 0
                while k < take {
                    let bit = k * bitWidth
                    let byte = p + bit >> 3
                    guard byte + 8 <= bytes.count else { break }
                    let word = bytes.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
                    out[written + k] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
                    k += 1
                }
                while k < take {
                    var value: UInt64 = 0
                    let bit = k * bitWidth
                    for b in 0..<((bit & 7) + bitWidth + 7) / 8 {
                        let q = p + bit >> 3 + b
                        value |= UInt64(q < bytes.count ? bytes[q] : 0) << UInt64(8 * b)
                    }
                    out[written + k] = UInt32(truncatingIfNeeded: (value >> UInt64(bit & 7)) & mask)
                    k += 1
                }
                p += byteCount
                written += take
            } else {
                let run = Int(header >> 1)
                guard p + valueBytes <= bytes.count else { return ParquetError.corrupt("RLE run runs past the end") }
                var v: UInt32 = 0
                for b in 0..<valueBytes { v |= UInt32(bytes[p + b]) << (8 * UInt32(b)) }
                p += valueBytes
                if run == 0 { return ParquetError.corrupt("RLE run of length 0") }
                let take = min(run, count - written)
                (out + written).update(repeating: v, count: take)
                written += take
            }
        }
        return nil
    }
}
