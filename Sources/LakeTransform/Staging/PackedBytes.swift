/// Byte strings in one array, each at its range (nil for a missing string). The fast reader
/// reads these once per value: an element of a `[[UInt8]]` is retained and released at every
/// read, a range is not.
struct PackedBytes {
    let bytes: [UInt8]
    let ranges: [Range<Int>?]

    init(_ strings: [[UInt8]?]) {
        var packed: [UInt8] = []
        ranges = strings.map { s in
            guard let s else { return nil }
            packed += s
            return (packed.count - s.count)..<packed.count
        }
        bytes = packed
    }
}
