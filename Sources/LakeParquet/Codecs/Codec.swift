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
            case .lz4Raw: try lz4!.compress(raw, into: &out, scratch: &scratch)
            case .snappy: Snappy.compress(raw, into: &out)
            default: out.append(contentsOf: raw)
            }
        }
    }
}
