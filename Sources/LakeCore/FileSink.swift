import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a new file sequentially, hashing what it writes; `finish()` fsyncs and returns size
/// and sha256 as the catalog records them.
public final class FileSink {
    public let path: String
    public private(set) var bytesWritten = 0
    private var fd: Int32
    private var hasher = Crypto.SHA256()
    private var closed = false

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError.io(path: path, operation: "creating", errno: errno) }
    }

    deinit { if !closed { close(fd) } }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            hasher.update(bufferPointer: raw)
            guard FileSystem.writeAll(fd, raw) else { throw StorageError.io(path: path, operation: "writing", errno: errno) }
        }
        bytesWritten += bytes.count
    }

    /// Ends the file: fsyncs and closes it, or hands it to `syncer` to do so (the caller then
    /// waits on the syncer before it commits the file).
    @discardableResult
    public func finish(syncer: FileSyncer? = nil) throws -> (bytes: Int, sha256: String) {
        closed = true
        if let syncer {
            syncer.sync(fd: fd, path: path)
        } else {
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw StorageError.io(path: path, operation: "syncing", errno: errno) }
        }
        return (bytesWritten, Checksum.hex(hasher.finalize()))
    }

    /// Gives up on the file: closes and removes it.
    public func abort() {
        guard !closed else { return }
        closed = true
        close(fd)
        unlink(path)
    }
}
