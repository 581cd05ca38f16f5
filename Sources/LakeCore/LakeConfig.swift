import Foundation

/// `<root>/lake.json`: where a team lake keeps its catalog (a PostgreSQL URL, without its
/// password) and its files. A local lake has none: its catalog is `catalog.sqlite` beside the
/// zones. Secrets never go here; they come from `PGPASSWORD`, `~/.pgpass` and the AWS chain.
public struct LakeConfig: Sendable, Equatable {
    /// `postgres://USER@HOST:PORT/DB`.
    public var catalog: String
    /// Where the zones' files are: `.` for the lake folder itself, or `s3://BUCKET/PREFIX`.
    public var storage: String
    /// The S3 endpoint (moto, MinIO, a VPC endpoint); nil for AWS's own, or AWS_ENDPOINT_URL.
    public var endpoint: String?
    /// The bucket's AWS region; nil for the AWS chain's.
    public var region: String?

    public init(catalog: String, storage: String = ".", endpoint: String? = nil, region: String? = nil) {
        self.catalog = catalog
        self.storage = storage
        self.endpoint = endpoint
        self.region = region
    }

    /// Whether the files are objects in S3 rather than in the lake folder.
    public var onS3: Bool { storage.hasPrefix("s3://") }

    /// DuckLake's data path: where the zones are, ending in `/`.
    public func dataPath(root: LakeRoot) -> String {
        onS3 ? (storage.hasSuffix("/") ? storage : storage + "/") : root.path + "/"
    }

    /// The lake's configuration, or nil for a local lake.
    public static func read(_ root: LakeRoot) throws -> LakeConfig? {
        guard let data = FileManager.default.contents(atPath: root.configPath) else { return nil }
        let problem = { (what: String) in
            StorageError.config(path: root.configPath, problem: what)
        }
        guard let value = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) else {
            throw problem("is not JSON")
        }
        guard let catalog = value["catalog"]?.stringValue else { throw problem("names no \"catalog\" (postgres://USER@HOST:PORT/DB)") }
        let storage = value["storage"]?.stringValue ?? "."
        guard storage == "." || storage.hasPrefix("s3://") else { throw problem("storage must be \".\" or s3://BUCKET/PREFIX, not \"\(storage)\"") }
        return LakeConfig(catalog: catalog, storage: storage, endpoint: value["endpoint_url"]?.stringValue, region: value["region"]?.stringValue)
    }

    /// Writes the file atomically.
    public func write(_ root: LakeRoot) throws {
        var fields: [(String, JSONValue)] = [("catalog", .string(catalog)), ("storage", .string(storage))]
        if let endpoint { fields.append(("endpoint_url", .string(endpoint))) }
        if let region { fields.append(("region", .string(region))) }
        let text = JSONValue.object(fields).pretty() + "\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: root.configPath)
    }
}
