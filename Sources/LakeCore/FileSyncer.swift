import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Flushes finished files to disk on a thread of its own, so the threads that wrote them go
/// on working while the disk catches up; `finish()` waits for all of them before a commit.
///
/// A promotion finishes hundreds of Parquet files, and an `fsync` blocked its worker for a few
/// milliseconds each: a second of a 2-core promotion's time, with a core idle.
public final class FileSyncer: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(fd: Int32, path: String)] = []
    private var syncing = false
    private var finished = false
    private var started = false
    private var failure: StorageError?

    public init() {}

    /// Takes over `fd` (an open file, written in full): it is synced and closed in turn.
    public func sync(fd: Int32, path: String) {
        condition.lock()
        defer { condition.unlock() }
        precondition(!finished, "FileSyncer: a file handed over after finish()")
        queue.append((fd, path))
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.start()
        }
        condition.broadcast()
    }

    /// Waits until every file handed over is on disk and closed; throws the first failure.
    /// The syncer takes no more files.
    public func finish() throws {
        condition.lock()
        finished = true
        condition.broadcast()
        while !queue.isEmpty || syncing { condition.wait() }
        let failure = failure
        condition.unlock()
        if let failure { throw failure }
    }

    private func run() {
        condition.lock()
        while true {
            while queue.isEmpty && !finished { condition.wait() }
            if queue.isEmpty { break }
            let (fd, path) = queue.removeFirst()
            syncing = true
            condition.unlock()
            let ok = fsync(fd) == 0
            let code = errno
            close(fd)
            condition.lock()
            syncing = false
            if !ok, failure == nil { failure = .io(path: path, operation: "syncing", errno: code) }
            condition.broadcast()
        }
        condition.unlock()
    }
}
