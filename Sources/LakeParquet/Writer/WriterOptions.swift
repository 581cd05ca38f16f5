/// How a `ParquetWriter` lays out a file.
public struct WriterOptions: Sendable {
    /// ZSTD (level 1) by default: close to SNAPPY's speed at a better ratio.
    public var codec: CompressionCodec = .zstd
    public var zstdLevel: Int32 = 1
    /// A row group ends at whichever comes first.
    public var rowGroupRows = 1_000_000
    public var rowGroupBytes = 128 << 20
    /// Target size of one data page before compression.
    public var pageBytes = 1 << 20
    /// Strings are dictionary-encoded until the dictionary passes this size; the chunk is then PLAIN.
    public var dictionaryBytes = 1 << 20
    public var dictionary = true
    public var createdBy = "lake (Swift)"
    public var keyValues: [(String, String)] = []

    public init() {}
}
