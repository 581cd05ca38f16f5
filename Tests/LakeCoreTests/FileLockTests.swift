import Foundation
import LakeCore
import LakeTestSupport
import Testing

@Suite struct FileLockTests {
    @Test func aSecondHolderWaitsAndIsToldWhoHoldsTheLock() async throws {
        let path = temporaryFolder() + "/ingest.lock"
        let first = try FileLock.acquire(path, holder: "pid 1 (lake ingest spotify)") { _ in }
        let told = LockedBox<String?>(nil)
        let acquired = LockedBox(false)
        let waiter = Thread {
            // flock locks belong to open files, so a second open in one process still waits.
            let second = try? FileLock.acquire(path, holder: "pid 2") { told.set($0) }
            acquired.set(second != nil)
            second?.release()
        }
        waiter.start()
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(told.value == "pid 1 (lake ingest spotify)")
        #expect(acquired.value == false)
        first.release()
        for _ in 0..<50 where !acquired.value { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(acquired.value)
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ value: T) { lock.lock(); stored = value; lock.unlock() }
}
