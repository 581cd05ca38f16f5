import LakeCore

/// Page compression and decompression for the codecs lake reads (UNCOMPRESSED, SNAPPY, GZIP,
/// ZSTD) and writes (ZSTD, SNAPPY, UNCOMPRESSED).
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
        default:
            throw ParquetError.unsupported("compression codec \(codec)")
        }
    }
}

/// Compresses pages for one writer (a ZSTD context is not shared between threads).
final class PageCompressor {
    let codec: CompressionCodec
    private let zstd: Zstd.Compressor?

    init(codec: CompressionCodec, level: Int32 = 1) throws {
        self.codec = codec
        switch codec {
        case .zstd: zstd = Zstd.Compressor(try Zstd.shared.get(), level: level)
        case .snappy, .uncompressed: zstd = nil
        default: throw ParquetError.unsupported("writing with codec \(codec)")
        }
    }

    func compress(_ input: [UInt8], into out: inout [UInt8]) throws {
        try input.withUnsafeBytes { raw in
            switch codec {
            case .zstd: try zstd!.compress(raw, into: &out)
            case .snappy: Snappy.compress(raw, into: &out)
            default: out.append(contentsOf: raw)
            }
        }
    }
}
