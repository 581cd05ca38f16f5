/// Where a team lake's files are when they are not on this machine's disk: objects (in S3)
/// named by URL (`s3://bucket/key`), read by byte ranges, so a reader fetches a Parquet
/// footer and the column chunks it needs instead of whole files.
public protocol ObjectStore: AnyObject, Sendable {
    /// Whether `path` names one of this store's objects.
    func holds(_ path: String) -> Bool
    /// `ranges` of the object at `path`, fetched with several requests in flight at once.
    func read(_ path: String, ranges: [Range<Int>]) throws -> [[UInt8]]
    /// The object's last `count` bytes (all of it when smaller), and its size.
    func readTail(_ path: String, count: Int) throws -> (bytes: [UInt8], size: Int)
    /// The whole object.
    func read(_ path: String) throws -> [UInt8]
    /// Writes the local file `file` as the object at `path`, never over an existing one
    /// (`If-None-Match: *`; a large file goes up in parts).
    func put(file: String, at path: String) throws
    /// Deletes objects (in batches); one already gone is not an error.
    func delete(_ paths: [String]) throws
    /// Every object whose path (relative to the storage's root) starts with `prefix`, paged.
    func list(under prefix: String) throws -> [StoredObject]
    /// Lists one object of the storage: the bucket is there and the credentials work.
    func check() throws
    /// GET requests sent so far, for `--stats` and the bench.
    var requests: Int { get }
}

/// An object as a listing describes it, by its path relative to the storage's root.
public struct StoredObject: Sendable, Equatable {
    public var path: String
    public var bytes: Int
    /// Seconds since 1970.
    public var modified: Double

    public init(path: String, bytes: Int, modified: Double) {
        self.path = path
        self.bytes = bytes
        self.modified = modified
    }
}
