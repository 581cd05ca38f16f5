import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock between `lake` processes, held with flock(2) so that the kernel releases
/// it when its holder dies, even by SIGKILL.
///
/// The lock file also says who holds it, so a process that has to wait can say what for.
public final class FileLock: @unchecked Sendable {
    public let path: String
    private var fd: Int32 = -1

    private init(path: String) { self.path = path }

    /// Takes the lock at `path`, waiting while another process holds it. `waiting` is called
    /// once, with the holder's description, before the wait begins.
    public static func acquire(
        _ path: String, holder: String, waiting: (String) -> Void
    ) throws -> FileLock {
        let lock = FileLock(path: path)
        try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
        lock.fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock.fd >= 0 else { throw StorageError.io(path: path, operation: "opening lock", errno: errno) }
        if flock(lock.fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                throw StorageError.io(path: path, operation: "locking", errno: errno)
            }
            let current = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            waiting(current.flatMap { $0.isEmpty ? nil : $0 } ?? "another lake process")
            while flock(lock.fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw StorageError.io(path: path, operation: "locking", errno: errno) }
            }
        }
        ftruncate(lock.fd, 0)
        let line = Array("\(holder)\n".utf8)
        _ = line.withUnsafeBytes { pwrite(lock.fd, $0.baseAddress, $0.count, 0) }
        return lock
    }

    /// Takes the lock if nobody holds it; nil if somebody does.
    public static func tryAcquire(_ path: String, holder: String) throws -> FileLock? {
        let lock = FileLock(path: path)
        try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
        lock.fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock.fd >= 0 else { throw StorageError.io(path: path, operation: "opening lock", errno: errno) }
        guard flock(lock.fd, LOCK_EX | LOCK_NB) == 0 else {
            close(lock.fd)
            lock.fd = -1
            return nil
        }
        ftruncate(lock.fd, 0)
        let line = Array("\(holder)\n".utf8)
        _ = line.withUnsafeBytes { pwrite(lock.fd, $0.baseAddress, $0.count, 0) }
        return lock
    }

    /// Releases the lock; also done when the process exits.
    public func release() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
