import LakeCore

/// Page compression and decompression for the codecs lake reads (UNCOMPRESSED, SNAPPY, GZIP,
/// ZSTD, LZ4_RAW) and writes (LZ4_RAW, ZSTD, SNAPPY, UNCOMPRESSED).
enum Codec {
    static func decompress(_ input: UnsafeRawBufferPointer, codec: CompressionCodec, size: Int) throws -> [UInt8] {
        switch codec {
        case .uncompressed:
            return Array(input)
        case .snappy:
            return try Snappy.decompress(input)
        case .gzip:
            return try GzipReader.decompress(Array(input), name: "a GZIP page")
        case .zstd:
            return try Zstd.shared.get().decompress(input, size: size)
        case .lz4Raw:
            return try LZ4Block.shared?.decompress(input, size: size) ?? LZ4Block.decompressPortable(input, size: size)
        default:
            throw ParquetError.unsupported("compression codec \(codec)")
        }
    }
}

/// Compresses pages for one writer (a ZSTD context is not shared between threads).
final class PageCompressor {
    /// The codec the pages are written with: LZ4_RAW becomes ZSTD on a machine without liblz4.
    let codec: CompressionCodec
    private let zstd: Zstd.Compressor?
    private let lz4: LZ4Block?
    private var scratch: [UInt8] = []
    /// LZ4_RAW: whether the current chunk's first page paid for compressing; a chunk whose
    /// first page LZ4 shrinks by less than an eighth (random ids, UUIDs: LZ4 finds little more
    /// than their length prefixes, 2-9%) is written uncompressed, which saves compressing its
    /// other pages and decoding all of them. At 3% the event ids and listeners of a listening
    /// log still paid 6% of a promotion's CPU to save 4% of their bytes.
    private var chunkPays: Bool?

    /// The codec of the chunk being written: UNCOMPRESSED for a chunk LZ4 would not shrink.
    var chunkCodec: CompressionCodec { codec == .lz4Raw && chunkPays == false ? .uncompressed : codec }

    /// A new column chunk starts: its first page decides again.
    func beginChunk() { chunkPays = nil }

    init(codec requested: CompressionCodec, level: Int32 = 1) throws {
        lz4 = requested == .lz4Raw ? LZ4Block.shared : nil
        codec = requested == .lz4Raw && lz4 == nil ? .zstd : requested
        switch codec {
        case .zstd: zstd = Zstd.Compressor(try Zstd.shared.get(), level: level)
        case .snappy, .uncompressed, .lz4Raw: zstd = nil
        default: throw ParquetError.unsupported("writing with codec \(codec)")
        }
    }

    func compress(_ input: [UInt8], into out: inout [UInt8]) throws {
        try input.withUnsafeBytes { raw in
            switch codec {
            case .zstd: try zstd!.compress(raw, into: &out)
            case .lz4Raw where chunkPays == false: out.append(contentsOf: raw)
            case .lz4Raw:
                let start = out.count
                try lz4!.compress(raw, into: &out, scratch: &scratch)
                if chunkPays == nil {
                    chunkPays = (out.count - start) * 8 < raw.count * 7
                    if chunkPays == false { out.removeSubrange(start...); out.append(contentsOf: raw) }
                }
            case .snappy: Snappy.compress(raw, into: &out)
            default: out.append(contentsOf: raw)
            }
        }
    }
}
