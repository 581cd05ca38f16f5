/// Raw copies of a schema's plans and names and of the `_meta` names, for the scanner's per-row
/// reads (see `RecordReader.tables`). Immutable once made; freed with the last reader.
final class ScanTables {
    let plans: UnsafeBufferPointer<StagedSchema.Plan>
    let planNames: UnsafeBufferPointer<UInt8>
    let metaNames: UnsafeBufferPointer<UInt8>
    let metaRanges: UnsafeBufferPointer<Range<Int>>

    init(schema: StagedSchema, meta: PackedBytes) {
        plans = Self.copy(schema.plans)
        planNames = Self.copy(schema.planNames)
        metaNames = Self.copy(meta.bytes)
        metaRanges = Self.copy(meta.ranges.map { $0! })
    }

    private static func copy<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
        let memory = UnsafeMutableBufferPointer<T>.allocate(capacity: Swift.max(array.count, 1))
        _ = memory.initialize(from: array)
        return UnsafeBufferPointer(start: memory.baseAddress, count: array.count)
    }

    deinit {
        for memory in [UnsafeMutableRawPointer(mutating: plans.baseAddress), UnsafeMutableRawPointer(mutating: planNames.baseAddress),
                       UnsafeMutableRawPointer(mutating: metaNames.baseAddress), UnsafeMutableRawPointer(mutating: metaRanges.baseAddress)] {
            memory?.deallocate()
        }
    }
}
