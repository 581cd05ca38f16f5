import CZlib
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Streams bytes into a gzip file, counting what goes in and hashing what comes out.
///
/// `finish()` ends the gzip member and fsyncs the file; the caller renames it into place.
/// zlib's state (about 256 KiB) and its buffers are taken only once the first MiB is in: a
/// stream landing into thousands of small files at once (partitions × days × regions) holds
/// only their bytes, and every byte held counts against the batcher's open-bytes budget.
public final class GzipWriter {
    public let path: String
    public private(set) var uncompressedBytes = 0
    public private(set) var compressedBytes = 0

    private var stream = z_stream()
    private var started = false
    private let level: Int32
    private var fd: Int32
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var hasher = Crypto.SHA256()
    private var finished = false
    private static let inputChunk = 1 << 17
    private static let startThreshold = 1 << 20

    /// Creates (or truncates) `path`. Level 1 is fastest, 6 is gzip's default.
    public init(path: String, level: Int32 = 6) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError.io(path: path, operation: "creating", errno: errno) }
        self.level = level
    }

    private func start() throws {
        // deflateInit2 is a macro Swift cannot see; 15 + 16 asks for a gzip header.
        let rc = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw StorageError.zlib(operation: "deflateInit2", code: rc) }
        started = true
        output = [UInt8](repeating: 0, count: 1 << 17)
    }

    deinit {
        if !finished {
            if started { deflateEnd(&stream) }
            close(fd)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        uncompressedBytes += bytes.count
        input.append(contentsOf: bytes)
        if input.count >= (started ? GzipWriter.inputChunk : GzipWriter.startThreshold) { try deflateInput(flush: Z_NO_FLUSH) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ string: String) throws {
        var string = string
        try string.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Ends the gzip stream, fsyncs and closes the file; returns its size and sha256.
    @discardableResult
    public func finish() throws -> (bytes: Int, sha256: String) {
        try deflateInput(flush: Z_FINISH)
        deflateEnd(&stream)
        output = []
        finished = true
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StorageError.io(path: path, operation: "syncing", errno: errno) }
        return (compressedBytes, Checksum.hex(hasher.finalize()))
    }

    /// Gives up on the file: closes and removes it.
    public func abort() {
        guard !finished else { return }
        finished = true
        if started { deflateEnd(&stream) }
        close(fd)
        unlink(path)
    }

    private func deflateInput(flush: Int32) throws {
        if !started { try start() }
        let inputCount = input.count
        try input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inputCount)
            defer { stream.next_in = nil }
            while true {
                var rc: Int32 = Z_OK
                let produced: Int = try output.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    defer { stream.next_out = nil }
                    rc = deflate(&stream, flush)
                    guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                        throw StorageError.zlib(operation: "deflate", code: rc)
                    }
                    return outBuf.count - Int(stream.avail_out)
                }
                if produced > 0 {
                    let ok = output.withUnsafeBytes { buf in
                        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buf[0..<produced]))
                        return FileSystem.writeAll(fd, UnsafeRawBufferPointer(rebasing: buf[0..<produced]))
                    }
                    guard ok else { throw StorageError.io(path: path, operation: "writing", errno: errno) }
                    compressedBytes += produced
                }
                // zlib's own loop: go on while the output buffer came back full; on finish,
                // until the stream has ended.
                if flush == Z_FINISH ? rc == Z_STREAM_END : produced < output.count { break }
            }
        }
        input.removeAll(keepingCapacity: true)
    }
}
