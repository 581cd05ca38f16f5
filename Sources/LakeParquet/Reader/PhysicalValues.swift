/// Values of one column chunk as stored (before logical conversion), null rows excluded.
struct PhysicalValues {
    var bools: [Bool] = []
    var ints32: [Int32] = []
    var ints64: [Int64] = []
    var doubles: [Double] = []
    var strings = StringArray()

    var count: Int { Swift.max(bools.count, ints32.count, ints64.count, doubles.count, strings.count) }

    /// Appends entries of `dictionary` chosen by `indices`.
    mutating func gather(_ dictionary: PhysicalValues, _ indices: [UInt32], type: PhysicalType) throws {
        let size = dictionary.count
        for i in indices where Int(i) >= size {
            throw ParquetError.corrupt("dictionary index \(i) is past the dictionary's \(size) entries")
        }
        switch type {
        case .boolean: for i in indices { bools.append(dictionary.bools[Int(i)]) }
        case .int32: for i in indices { ints32.append(dictionary.ints32[Int(i)]) }
        case .int64, .int96: for i in indices { ints64.append(dictionary.ints64[Int(i)]) }
        case .float, .double: for i in indices { doubles.append(dictionary.doubles[Int(i)]) }
        case .byteArray, .fixedLenByteArray:
            let d = dictionary.strings
            d.bytes.withUnsafeBytes { raw in
                for i in indices { strings.append(UnsafeRawBufferPointer(rebasing: raw[d.range(Int(i))])) }
            }
        }
    }
}

/// PLAIN decoding of every physical type.
enum PlainDecoder {
    static func decode(_ b: UnsafeRawBufferPointer, count: Int, type: PhysicalType, typeLength: Int,
                       into v: inout PhysicalValues) throws {
        func need(_ n: Int) throws {
            guard n <= b.count else { throw ParquetError.corrupt("PLAIN values need \(n) bytes, the page has \(b.count)") }
        }
        switch type {
        case .boolean:
            try need((count + 7) / 8)
            v.bools.reserveCapacity(v.bools.count + count)
            for i in 0..<count { v.bools.append(b[i >> 3] >> UInt8(i & 7) & 1 == 1) }
        case .int32:
            try need(count * 4)
            v.ints32.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<(count * 4)]).bindMemoryCopy(Int32.self))
        case .int64:
            try need(count * 8)
            v.ints64.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<(count * 8)]).bindMemoryCopy(Int64.self))
        case .int96:
            try need(count * 12)
            for i in 0..<count {
                let nanos = b.loadUnaligned(fromByteOffset: i * 12, as: Int64.self)
                let julian = Int64(b.loadUnaligned(fromByteOffset: i * 12 + 8, as: Int32.self))
                v.ints64.append((julian - 2_440_588) * 86_400_000_000 + nanos / 1000)
            }
        case .float:
            try need(count * 4)
            for i in 0..<count { v.doubles.append(Double(b.loadUnaligned(fromByteOffset: i * 4, as: Float.self))) }
        case .double:
            try need(count * 8)
            v.doubles.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<(count * 8)]).bindMemoryCopy(Double.self))
        case .byteArray:
            var p = 0
            v.strings.reserve(values: v.strings.count + count, bytes: v.strings.bytes.count + b.count)
            for _ in 0..<count {
                guard p + 4 <= b.count else { throw ParquetError.corrupt("a PLAIN byte array runs past the page") }
                let n = Int(b.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                p += 4
                guard p + n <= b.count else { throw ParquetError.corrupt("a PLAIN byte array runs past the page") }
                v.strings.append(UnsafeRawBufferPointer(rebasing: b[p..<(p + n)]))
                p += n
            }
        case .fixedLenByteArray:
            try need(count * typeLength)
            for i in 0..<count {
                v.strings.append(UnsafeRawBufferPointer(rebasing: b[(i * typeLength)..<((i + 1) * typeLength)]))
            }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Copies little-endian values out of possibly unaligned bytes.
    func bindMemoryCopy<T>(_: T.Type) -> [T] {
        let n = count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: self[0..<(n * MemoryLayout<T>.stride)])) }
            initialized = n
        }
    }
}
