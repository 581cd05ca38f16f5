import CZlib

/// Reads gzip (or zlib) data, including files of several concatenated gzip members.
public enum GzipReader {
    /// The decompressed bytes of the gzip file at `path`.
    public static func read(path: String) throws -> [UInt8] {
        try decompress(FileSystem.readFile(path), name: path)
    }

    /// The decompressed lines of the file at `path`, without their `\n`.
    public static func lines(path: String) throws -> [String] {
        let bytes = try read(path: path)
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    public static func decompress(_ compressed: [UInt8], name: String = "<memory>") throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: detect gzip or zlib headers.
        var rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw StorageError.zlib(operation: "inflateInit2", code: rc) }
        defer { inflateEnd(&stream) }
        var result: [UInt8] = []
        result.reserveCapacity(compressed.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 17)
        var input = compressed
        let total = input.count
        var ended = false
        try input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(total)
            defer { stream.next_in = nil }
            while true {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    defer { stream.next_out = nil }
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                result.append(contentsOf: chunk[0..<produced])
                switch rc {
                case Z_STREAM_END:
                    ended = true
                    // Another gzip member may follow.
                    if stream.avail_in == 0 { return }
                    rc = inflateReset(&stream)
                    ended = false
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    if produced == 0 { return }
                case Z_DATA_ERROR:
                    let detail = stream.msg.map { String(cString: $0) } ?? "data error"
                    throw StorageError.corruptGzip(path: name, detail: detail)
                default:
                    if produced == 0 { throw StorageError.corruptGzip(path: name, detail: "zlib code \(rc)") }
                }
            }
        }
        guard ended else { throw StorageError.truncatedGzip(path: name) }
        return result
    }
}
