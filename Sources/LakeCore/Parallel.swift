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
}
