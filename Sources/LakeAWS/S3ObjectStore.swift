import Foundation
import LakeCore

/// A team lake's files in one S3 bucket, as readers fetch them: ranged GETs, several in
/// flight at once, with nearby ranges merged into one request (a request costs more than
/// the bytes between two column chunks). Blocking, for the query's worker threads.
public final class S3ObjectStore: ObjectStore, @unchecked Sendable {
    public let client: S3Client
    /// Ranges this close are fetched with one GET.
    static let mergeGap = 256 << 10
    private let lock = NSLock()
    private var gets = 0
    /// Tails fetched, by key, up to `tailCacheBytes` in all (objects are never overwritten).
    private var tails: [String: (bytes: [UInt8], size: Int)] = [:]
    private var tailBytes = 0
    static let tailCacheBytes = 256 << 20

    /// `s3://BUCKET/PREFIX`, for messages.
    let storage: String
    /// The keys' common prefix, ending in `/` (or empty).
    let prefix: String

    public init(client: S3Client, prefix: String = "") {
        self.client = client
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        storage = "s3://\(client.bucket)/\(self.prefix)"
    }

    /// The store for `s3://BUCKET/PREFIX` storage, its credentials from the AWS chain.
    public convenience init(storage: String, endpoint: String?, region: String?) throws {
        guard let location = S3Location(storage) else { throw AWSError.configuration("'\(storage)' is not s3://BUCKET/PREFIX") }
        let config = try AWSConfig.resolve(region: region, endpoint: endpoint)
        self.init(client: try S3Client(bucket: location.bucket, config: config), prefix: location.prefix)
    }

    public var requests: Int { lock.withLock { gets } }

    public func holds(_ path: String) -> Bool { path.hasPrefix("s3://\(client.bucket)/") }

    public func read(_ path: String, ranges: [Range<Int>]) throws -> [[UInt8]] {
        let key = try key(path)
        let merged = Self.merge(ranges)
        lock.withLock { gets += merged.count }
        let client = client
        let fetched = try Self.blocking(path) {
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for (i, range) in merged.enumerated() {
                    group.addTask { (i, try await client.get(key, range: range)) }
                }
                var out = [[UInt8]](repeating: [], count: merged.count)
                for try await (i, bytes) in group { out[i] = bytes }
                return out
            }
        }
        return try ranges.map { range in
            let m = merged.firstIndex { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound }!
            let start = range.lowerBound - merged[m].lowerBound
            guard fetched[m].count >= start + range.count else {
                throw AWSError.malformed(service: "s3", action: "GetObject",
                                         detail: "\(path): asked for bytes \(range.lowerBound)..<\(range.upperBound), got \(fetched[m].count) from \(merged[m].lowerBound)")
            }
            return Array(fetched[m][start..<(start + range.count)])
        }
    }

    public func readTail(_ path: String, count: Int) throws -> (bytes: [UInt8], size: Int) {
        let key = try key(path)
        // A query that scans a table twice (a self-join) asks for each footer twice.
        if let kept = lock.withLock({ tails[key] }), kept.bytes.count >= min(count, kept.size) {
            return (Array(kept.bytes.suffix(min(count, kept.size))), kept.size)
        }
        lock.withLock { gets += 1 }
        let client = client
        let tail = try Self.blocking(path) { try await client.getTail(key, count: count) }
        lock.withLock {
            if tailBytes + tail.bytes.count <= Self.tailCacheBytes {
                tails[key] = tail
                tailBytes += tail.bytes.count
            }
        }
        return tail
    }

    public func read(_ path: String) throws -> [UInt8] {
        let key = try key(path)
        lock.withLock { gets += 1 }
        let client = client
        return try Self.blocking(path) { try await client.get(key) }
    }

    public func put(file: String, at path: String) throws {
        let key = try key(path)
        let bytes = try FileSystem.readFile(file)
        let client = client
        _ = try Self.blocking(path) { try await client.put(key, bytes) }
    }

    public func delete(_ paths: [String]) throws {
        guard !paths.isEmpty else { return }
        let keys = try paths.map(key)
        let client = client
        try Self.blocking(paths[0]) { try await client.delete(keys) }
    }

    public func list(under relative: String) throws -> [StoredObject] {
        let client = client
        let prefix = self.prefix
        return try Self.blocking(storage + relative) { try await client.list(prefix: prefix + relative) }.map {
            StoredObject(path: String($0.key.dropFirst(prefix.count)), bytes: $0.size, modified: $0.modified)
        }
    }

    public func check() throws {
        let client = client
        // Keys starting with the prefix's name: the answer only shows that the bucket and the
        // credentials work (moto 5.2 miscomputes signatures of query values holding a `/`).
        let prefix = String(self.prefix.dropLast(self.prefix.hasSuffix("/") ? 1 : 0))
        _ = try Self.blocking(storage) {
            try await client.send("GET", key: nil, query: [("list-type", "2"), ("max-keys", "1"), ("prefix", prefix)], action: "ListObjectsV2")
        }
    }

    /// Sorted ranges, those less than `mergeGap` apart joined.
    static func merge(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty {
            if let last = out.last, r.lowerBound <= last.upperBound + mergeGap {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    private func key(_ path: String) throws -> String {
        guard holds(path) else { throw AWSError.configuration("\(path) is not in bucket \(client.bucket)") }
        return Self.normalized(String(path.dropFirst("s3://\(client.bucket)/".count)))
    }

    /// The key with `.` and `..` segments resolved, as DuckDB resolves a DuckLake path (lake's
    /// tables point through `staged/../_versions/…`): S3 keys are taken literally.
    static func normalized(_ key: String) -> String {
        guard key.contains("/.") else { return key }
        var out: [Substring] = []
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment == "." { continue }
            if segment == "..", !out.isEmpty { out.removeLast(); continue }
            out.append(segment)
        }
        return out.joined(separator: "/")
    }

    /// Runs `body` to its end, blocking the caller. Its tasks run on threads of their own: the
    /// caller may be one of the few threads of Swift's cooperative pool (a commit inside an
    /// async ingestion), and blocking those while the request waits for one deadlocks.
    private static func blocking<T: Sendable>(_ path: String, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        Task(executorPreference: BlockingExecutor.shared) {
            do { outcome.value = .success(try await body()) } catch { outcome.value = .failure(error) }
            done.signal()
        }
        done.wait()
        return try outcome.value!.get()
    }

    private final class Outcome<T>: @unchecked Sendable {
        var value: Result<T, Error>?
    }

    deinit {
        let client = client
        Task { await client.shutdown() }
    }
}

/// Runs the jobs of S3 requests made from blocking code on threads of its own, neither on
/// Swift's cooperative pool nor on dispatch's (whose workers the blocked callers may be).
final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = BlockingExecutor(threads: 4)
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for _ in 0..<threads {
            let thread = Thread { [unowned self] in self.loop() }
            thread.name = "lake.s3"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
