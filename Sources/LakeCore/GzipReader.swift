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
        var result: [UInt8] = []
        let produced = try decompress(compressed, into: &result, name: name)
        result.removeLast(result.count - produced)
        return result
    }

    /// Reads the gzip file at `path` into `buffer`, which is reused from call to call (it only
    /// grows, so bulk readers skip fresh pages and zero-filling); returns the bytes produced.
    public static func read(path: String, into buffer: inout [UInt8], compressed scratch: inout [UInt8]) throws -> Int {
        try FileSystem.readFile(path, into: &scratch)
        return try decompress(scratch, into: &buffer, name: path)
    }

    /// A raw NDJSON file's bytes: inflated when its name ends `.gz`, as they are otherwise
    /// (adopted `.ndjson` and `.jsonl` exports); returns the bytes in `buffer`.
    public static func readNDJSON(path: String, into buffer: inout [UInt8], compressed scratch: inout [UInt8]) throws -> Int {
        if path.hasSuffix(".gz") { return try read(path: path, into: &buffer, compressed: &scratch) }
        try FileSystem.readFile(path, into: &buffer)
        return buffer.count
    }

    /// Inflates into `result` from its start, growing it as needed; returns the bytes produced.
    public static func decompress(_ compressed: [UInt8], into result: inout [UInt8], name: String = "<memory>") throws -> Int {
        var stream = z_stream()
        // 15 + 32: detect gzip or zlib headers.
        var rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw StorageError.zlib(operation: "inflateInit2", code: rc) }
        defer { inflateEnd(&stream) }
        // A gzip trailer ends with the (last member's) uncompressed size: inflate straight into
        // a buffer of about that size instead of through a chunk.
        var capacity = compressed.count * 4
        if compressed.count >= 18, compressed[0] == 0x1F, compressed[1] == 0x8B {
            let n = compressed.count
            let size = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8 | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
            // Trust it only within deflate's limit (1032:1) and a sane first allocation: a
            // truncated file's last bytes are not a trailer. The buffer grows if it is short.
            if size <= n * 1032 { capacity = max(capacity, min(size + 1, 256 << 20)) }
        }
        let wanted = max(capacity, 1 << 12)
        if let fast = Libdeflate.shared, compressed.count >= 18, compressed[0] == 0x1F, compressed[1] == 0x8B {
            switch fast.decompress(compressed, into: &result, sizeHint: wanted) {
            case let .done(produced): return produced
            case let .corrupt(detail):
                // zlib names the problem the way governance reports it (truncated or corrupt).
                _ = detail
            case .unsupported: break
            }
        }
        if result.count < wanted { result.append(contentsOf: repeatElement(0, count: wanted - result.count)) }
        var produced = 0
        var ended = false
        try compressed.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            defer { stream.next_in = nil }
            while true {
                if produced == result.count { result.append(contentsOf: repeatElement(0, count: result.count)) }
                let before = produced
                result.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress! + produced
                    stream.avail_out = UInt32(min(outBuf.count - produced, Int(UInt32.max)))
                    defer { stream.next_out = nil }
                    rc = inflate(&stream, Z_NO_FLUSH)
                    produced = outBuf.count - Int(stream.avail_out)
                }
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
                    if produced == before { return }
                case Z_BUF_ERROR:
                    continue   // the output was full; it grows above
                case Z_DATA_ERROR:
                    let detail = stream.msg.map { String(cString: $0) } ?? "data error"
                    throw StorageError.corruptGzip(path: name, detail: detail)
                default:
                    if produced == before { throw StorageError.corruptGzip(path: name, detail: "zlib code \(rc)") }
                }
            }
        }
        guard ended else { throw StorageError.truncatedGzip(path: name) }
        return produced
    }
}
