import Crypto
import Foundation
import LakeCore

/// Copies a local lake's files into an S3 prefix under the same relative paths: what a move
/// of the lake to object storage starts with. Resumable: the objects already there with the
/// same size are kept, so a killed copy carries on; an object there with another size is an
/// error, never overwritten. At the end every object is checked against its file (count,
/// sizes and ETags, which S3 computes as the MD5 of the bytes, or of the parts' MD5s).
public struct S3LakeCopy {
    /// The folders copied: the zones' real files. `staged/` and `curated/` are symbolic links
    /// to a version under `_versions/`; S3 has none, so the version's files are copied once.
    public static let folders = ["raw", "quarantine", "_versions"]

    public struct Report: Sendable {
        public var files = 0
        public var bytes = 0
        public var uploaded = 0
        public var uploadedBytes = 0
        public var kept = 0
        public var verified = 0
        public var seconds = 0.0
    }

    public let client: S3Client
    public let prefix: String
    public let root: String
    public var concurrency = 4

    public init(client: S3Client, prefix: String, root: String) {
        self.client = client
        self.prefix = prefix.hasSuffix("/") || prefix.isEmpty ? prefix : prefix + "/"
        self.root = root
    }

    /// Copies, then verifies; `progress` hears (files done, files in all) now and then.
    public func run(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Report {
        let started = Date()
        let files = try localFiles()
        var report = Report()
        report.files = files.count
        report.bytes = files.reduce(0) { $0 + $1.size }
        let existing = try await objects()
        var todo: [LocalFile] = []
        for file in files {
            if let object = existing[prefix + file.path] {
                guard object.size == file.size else {
                    throw AWSError.configuration("s3://\(client.bucket)/\(prefix)\(file.path) is already there with \(object.size) bytes, "
                                                 + "but \(root)/\(file.path) has \(file.size): this prefix holds another lake; "
                                                 + "copy to an empty prefix")
                }
                report.kept += 1
            } else {
                todo.append(file)
            }
        }
        let done = Counter()
        let total = todo.count
        // The ETags of the files uploaded, from the bytes already read: verifying them reads nothing again.
        var expected: [String: String] = [:]
        try await withThrowingTaskGroup(of: (path: String, bytes: Int, etag: String).self) { group in
            var next = 0
            func add() {
                let file = todo[next]
                next += 1
                group.addTask { [client, prefix, root] in
                    let bytes = try FileSystem.readFile("\(root)/\(file.path)")
                    do {
                        try await client.put(prefix + file.path, bytes)
                    } catch S3Error.exists {
                        // A copy killed after S3 stored the object but before it answered.
                    }
                    progress(done.add(), total)
                    return (file.path, bytes.count, Self.etag(of: bytes, threshold: client.multipartThreshold, partSize: client.partSize))
                }
            }
            while next < min(concurrency, todo.count) { add() }
            while let uploaded = try await group.next() {
                report.uploaded += 1
                report.uploadedBytes += uploaded.bytes
                expected[uploaded.path] = uploaded.etag
                if next < todo.count { add() }
            }
        }
        report.verified = try await verify(files, expected: expected)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Every file has its object, with its size and ETag (`expected` by path, else from the file).
    func verify(_ files: [LocalFile], expected etags: [String: String]) async throws -> Int {
        let objects = try await objects()
        for file in files {
            guard let object = objects[prefix + file.path] else {
                throw AWSError.configuration("s3://\(client.bucket)/\(prefix)\(file.path) is missing after the copy: run the copy again")
            }
            let expected = try etags[file.path]
                ?? Self.etag(of: FileSystem.readFile("\(root)/\(file.path)"), threshold: client.multipartThreshold, partSize: client.partSize)
            guard object.size == file.size, object.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == expected else {
                throw AWSError.configuration("s3://\(client.bucket)/\(prefix)\(file.path) differs from \(root)/\(file.path) "
                                             + "(size \(object.size) vs \(file.size), ETag \(object.etag) vs \(expected))")
            }
        }
        return files.count
    }

    /// The objects under the prefix, by key. The listing asks without the trailing slash and
    /// filters: the same objects, and moto 5.2 verifies the signature of a `/` in a query
    /// value wrongly (a nested prefix still fails there; AWS accepts both).
    func objects() async throws -> [String: S3Client.Object] {
        let listed = try await client.list(prefix: prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
        return Dictionary(listed.filter { $0.key.hasPrefix(prefix) }.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    struct LocalFile {
        var path: String
        var size: Int
    }

    /// The lake's regular files under `folders`, relative to the root, in a stable order.
    func localFiles() throws -> [LocalFile] {
        var out: [LocalFile] = []
        for folder in Self.folders {
            let base = "\(root)/\(folder)"
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = "\(base)/\(relative)"
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                      attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                out.append(LocalFile(path: "\(folder)/\(relative)", size: (attributes[.size] as? Int) ?? 0))
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// The ETag S3 gives the object these bytes become: the MD5 of a single PUT, or for a
    /// multipart upload the MD5 of the parts' MD5s and the number of parts.
    static func etag(of bytes: [UInt8], threshold: Int, partSize: Int) -> String {
        guard bytes.count > threshold else { return Checksum.hex(Insecure.MD5.hash(data: bytes)) }
        var digests: [UInt8] = []
        var parts = 0
        var offset = 0
        while offset < bytes.count {
            digests += Array(Insecure.MD5.hash(data: bytes[offset..<min(bytes.count, offset + partSize)]))
            offset += partSize
            parts += 1
        }
        return Checksum.hex(Insecure.MD5.hash(data: digests)) + "-\(parts)"
    }
}

/// A count shared by concurrent uploads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() -> Int { lock.withLock { value += 1; return value } }
}
