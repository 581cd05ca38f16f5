/// An error a user can act on: which stage failed, and a one-line message that names
/// the file, line or URL involved and says what to do.
///
/// Each stage has its own enum (`StorageError`, `CatalogError`, `IngestError`…); the
/// command-line boundary prints `"<stage> error: <message>"` and exits 1.
public protocol LakeError: Error, CustomStringConvertible {
    /// "Storage", "Catalog", "Ingest"…
    var stage: String { get }
    var message: String { get }
}

extension LakeError {
    public var description: String { "\(stage) error: \(message)" }
}

/// Failures of the storage layer: paths, gzip, atomic commits, locks.
public enum StorageError: LakeError {
    case io(path: String, operation: String, errno: Int32)
    case invalidName(kind: String, value: String)
    case corruptGzip(path: String, detail: String)
    case truncatedGzip(path: String)
    case zlib(operation: String, code: Int32)
    case config(path: String, problem: String)

    public var stage: String { "Storage" }

    public var message: String {
        switch self {
        case let .io(path, operation, code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code))) — check the path and its permissions"
        case let .invalidName(kind, value):
            return "\(kind) '\(value)' is not a valid name: use lower-case letters, digits and '_' (starting with a letter)"
        case let .corruptGzip(path, detail):
            return "\(path) is not valid gzip (\(detail)): the file is corrupt; `lake governance` lists such files"
        case let .truncatedGzip(path):
            return "\(path) ends in the middle of a gzip stream: the file is truncated"
        case let .zlib(operation, code):
            return "zlib \(operation) failed with code \(code)"
        case let .config(path, problem):
            return "\(path) \(problem): fix it, or run `lake init --catalog postgres://USER@HOST:PORT/DB` again"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
