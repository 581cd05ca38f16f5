import Foundation

/// Work spread over threads, answers kept in order.
public enum Parallel {
    /// `body(i, &state)` for every `i` in `0..<count`, on up to `workers` threads; each worker
    /// takes every `workers`-th index and keeps its own `state` (scratch buffers) across them.
    /// Returns the answers in index order, or throws the first index's error.
    public static func map<State, T>(_ count: Int, workers: Int, state: () -> State,
                                     _ body: (Int, inout State) throws -> T) throws -> [T] {
        guard count > 0 else { return [] }
        let spread = max(1, min(workers, count))
        var results = [Result<T, Error>?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { results in
            // Each index is written by one worker only.
            DispatchQueue.concurrentPerform(iterations: spread) { worker in
                var local = state()
                for i in stride(from: worker, to: count, by: spread) {
                    results[i] = Result { try body(i, &local) }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// `body(i)` for every `i` in `0..<count` on `workers` threads of their own, for work that
    /// blocks on the network: blocked dispatch workers would starve the pool that answers them
    /// (libdispatch on Linux grows it only slowly). Returns the answers in index order, or
    /// throws the first index's error; after an error no new index starts.
    public static func blocking<T>(_ count: Int, workers: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        guard count > 0 else { return [] }
        let shared = BlockingWork<T>(count)
        let done = DispatchGroup()
        for _ in 0..<max(1, min(workers, count)) {
            done.enter()
            Thread {
                defer { done.leave() }
                while true {
                    let i: Int? = shared.lock.withLock {
                        guard !shared.failed, shared.next < count else { return nil }
                        defer { shared.next += 1 }
                        return shared.next
                    }
                    guard let i else { return }
                    let result = Result { try body(i) }
                    shared.lock.withLock {
                        shared.results[i] = result
                        if case .failure = result { shared.failed = true }
                    }
                }
            }.start()
        }
        done.wait()
        for result in shared.results { if case let .failure(error)? = result { throw error } }
        return shared.results.map { try! $0!.get() }
    }
}

/// What `Parallel.blocking`'s threads share: the next index to take, and the answers.
private final class BlockingWork<T>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var failed = false
    var results: [Result<T, Error>?]
    init(_ count: Int) { results = Array(repeating: nil, count: count) }
}
