import LakeCatalog
import LakeParquet

/// How `lake promote` runs.
public struct PromoteOptions: Sendable {
    /// Rebuild the dataset from all of raw instead of only raw files not yet promoted.
    public var fullRefresh = false
    /// Raw files are read one per worker; both cores by default.
    public var workers = 2
    /// A row group ends at this many rows (or `writer.rowGroupBytes`).
    public var rowGroupRows = 500_000
    /// Rows buffered per worker across partitions before the largest buffer is written out.
    public var bufferBytes = 64 << 20
    public var writer = WriterOptions()
    public var command = "lake promote"
    /// Captured tables also keep `<table>_history` (SCD type 2).
    public var history = false
    /// Primary keys deduplicated in memory; past this many the key index spills to `_tmp/`.
    public var keysInMemory = KeyIndex.inMemoryLimit

    public init() {}

    /// The writer for the lake's storage: LZ4_RAW pages on this machine's disk, where a query
    /// decodes them about five times as fast as ZSTD's; ZSTD on S3, where each byte crosses
    /// the network and costs more than decoding it.
    public func writer(for catalog: Catalog) -> WriterOptions {
        var w = writer
        if catalog.objects != nil, w.codec == .lz4Raw { w.codec = .zstd }
        return w
    }
}
