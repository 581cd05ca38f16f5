import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX calls the commit protocol depends on, with errors that name the path.
public enum FileSystem {
    public static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StorageError.io(path: path, operation: "creating folder", errno: errno == 0 ? EIO : errno)
        }
    }

    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Flushes a folder's entries (a rename inside it) to disk.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw StorageError.io(path: path, operation: "opening folder", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StorageError.io(path: path, operation: "syncing folder", errno: errno) }
    }

    /// Atomic on one file system: readers see the old name or the new one, whole.
    public static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw StorageError.io(path: to, operation: "renaming \(from) to", errno: errno)
        }
    }

    /// A second name for a file (a version folder keeping a file of the version before),
    /// its folder made when missing.
    public static func hardLink(_ existing: String, to path: String) throws {
        try makeDirectories((path as NSString).deletingLastPathComponent)
        guard link(existing, path) == 0 else { throw StorageError.io(path: path, operation: "hard-linking", errno: errno) }
    }

    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw StorageError.io(path: path, operation: "removing", errno: errno)
        }
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    public static func modificationTime(_ path: String) -> Date? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec))
    }

    /// Every regular file below `folder`, as absolute paths, sorted.
    public static func files(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let full = folder + "/" + relative
            if !isDirectory(full) { found.append(full) }
        }
        return found.sorted()
    }

    public static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError.io(path: path, operation: "reading", errno: errno == 0 ? ENOENT : errno)
        }
        return [UInt8](data)
    }

    /// Reads a whole file into `buffer`, reusing its storage.
    public static func readFile(_ path: String, into buffer: inout [UInt8]) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io(path: path, operation: "reading", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageError.io(path: path, operation: "reading", errno: errno) }
        let size = Int(st.st_size)
        if buffer.count < size { buffer.append(contentsOf: repeatElement(0, count: size - buffer.count)) }
        var done = 0
        while done < size {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw StorageError.io(path: path, operation: "reading", errno: n == 0 ? EIO : errno) }
            done += n
        }
        if buffer.count > size { buffer.removeLast(buffer.count - size) }
    }

    /// Writes `bytes` to `path` through a temporary sibling and a rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StorageError.io(path: tmp, operation: "creating", errno: errno) }
        var ok = bytes.withUnsafeBytes { writeAll(fd, $0) }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok else { throw StorageError.io(path: tmp, operation: "writing", errno: errno) }
        try rename(tmp, to: path)
    }

    /// write(2) until every byte is out; false on error.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
