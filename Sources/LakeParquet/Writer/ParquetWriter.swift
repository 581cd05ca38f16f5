import LakeCore

/// Writes one Parquet file: `PAR1`, row groups of column chunks, the Thrift footer, its
/// length and `PAR1` again. Call `write(_:)` with batches of columns (each becomes one or
/// more row groups, bounded by rows and bytes) and `finish()` once.
///
/// ```swift
/// let writer = try ParquetWriter(path: tmp, schema: [ColumnSchema("id", .int64, nullable: false)])
/// try writer.write([idColumn])
/// let written = try writer.finish()
/// ```
public final class ParquetWriter {
    public let path: String
    public let schema: [ColumnSchema]
    public let options: WriterOptions
    public private(set) var rows = 0
    /// Per column, over the whole file.
    public private(set) var stats: [ColumnStats]

    private let sink: FileSink
    private let chunkWriter: ColumnChunkWriter
    private var rowGroups: [RowGroup] = []
    private var offset = 0
    private var chunkBuffer: [UInt8] = []

    public struct Written: Sendable {
        public var rows: Int
        public var bytes: Int
        public var sha256: String
        public var rowGroups: Int
        public var stats: [ColumnStats]
    }

    public init(path: String, schema: [ColumnSchema], options: WriterOptions = WriterOptions()) throws {
        self.path = path
        self.schema = schema
        self.options = options
        stats = schema.map { ColumnStats(name: $0.name) }
        chunkWriter = ColumnChunkWriter(options: options, compressor: try PageCompressor(codec: options.codec, level: options.zstdLevel))
        sink = try FileSink(path: path)
        try sink.write(Array("PAR1".utf8))
        offset = 4
    }

    /// Writes `columns` (in schema order, equal lengths) as one or more row groups.
    public func write(_ columns: [Column]) throws {
        guard columns.count == schema.count else {
            throw ParquetError.unsupported("a batch of \(columns.count) columns for a schema of \(schema.count)")
        }
        let count = columns.first?.count ?? 0
        guard count > 0 else { return }
        for (i, c) in columns.enumerated() where c.count != count || c.schema.type != schema[i].type {
            throw ParquetError.unsupported("column \(c.name) with \(c.count) \(c.schema.type) values in a batch of \(count) \(schema[i].type) rows")
        }
        let bytesPerRow = Swift.max(1, columns.reduce(0) { $0 + Self.estimatedBytes($1) } / count)
        let groupRows = Swift.max(1, Swift.min(options.rowGroupRows, options.rowGroupBytes / bytesPerRow))
        var start = 0
        while start < count {
            let end = Swift.min(count, start + groupRows)
            try writeRowGroup(columns, rows: start..<end)
            start = end
        }
    }

    private func writeRowGroup(_ columns: [Column], rows range: Range<Int>) throws {
        var chunks: [ColumnChunk] = []
        var uncompressed = 0
        let groupOffset = offset
        for (i, column) in columns.enumerated() {
            var c = column
            c.schema = schema[i]
            // Each chunk goes to the file (and its hash) as soon as it is encoded, while its
            // bytes are still in cache, from one buffer reused for every chunk: a row group's
            // worth grown in one array was faulted in and moved at every doubling.
            chunkBuffer.removeAll(keepingCapacity: true)
            let result = try chunkWriter.write(c, rows: range, fileOffset: offset, into: &chunkBuffer)
            try sink.write(chunkBuffer)
            offset += chunkBuffer.count
            chunks.append(result.chunk)
            uncompressed += result.uncompressedBytes
            stats[i].merge(result.stats)
        }
        rows += range.count
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: Int64(uncompressed), numRows: Int64(range.count),
                                  fileOffset: Int64(groupOffset), totalCompressedSize: Int64(offset - groupOffset)))
    }

    /// Writes the footer, fsyncs and closes the file (or hands it to `syncer`, see `FileSink`).
    public func finish(syncer: FileSyncer? = nil) throws -> Written {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(schema.count))]
        for column in schema {
            elements.append(SchemaElement(
                type: column.type.physical, repetition: column.nullable ? .optional : .required, name: column.name,
                convertedType: column.type.converted, logicalType: column.type.logical))
        }
        let meta = FileMetaData(version: 1, schema: elements, numRows: Int64(rows), rowGroups: rowGroups,
                                keyValues: options.keyValues, createdBy: options.createdBy)
        var footer = meta.encoded()
        PlainEncoder.appendLE(UInt32(footer.count), to: &footer)
        footer.append(contentsOf: Array("PAR1".utf8))
        try sink.write(footer)
        let (bytes, sha) = try sink.finish(syncer: syncer)
        return Written(rows: rows, bytes: bytes, sha256: sha, rowGroups: rowGroups.count, stats: stats)
    }

    /// Gives up on the file and removes it.
    public func abort() { sink.abort() }

    static func estimatedBytes(_ c: Column) -> Int {
        switch c.data {
        case let .boolean(v): v.count / 8 + 1
        case let .int32(v): v.count * 4
        case let .int64(v): v.count * 8
        case let .double(v): v.count * 8
        case let .string(s): s.bytes.count + s.count * 4
        }
    }
}
