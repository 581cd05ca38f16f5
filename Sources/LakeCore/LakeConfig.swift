import Foundation

/// `<root>/lake.json`: where a team lake keeps its catalog (a PostgreSQL URL, without its
/// password) and its files. A local lake has none: its catalog is `catalog.sqlite` beside the
/// zones. Secrets never go here; they come from `PGPASSWORD`, `~/.pgpass` and the AWS chain.
public struct LakeConfig: Sendable, Equatable {
    /// `postgres://USER@HOST:PORT/DB`.
    public var catalog: String
    /// Where the zones' files are: `.` for the lake folder itself.
    public var storage: String

    public init(catalog: String, storage: String = ".") {
        self.catalog = catalog
        self.storage = storage
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
        return LakeConfig(catalog: catalog, storage: value["storage"]?.stringValue ?? ".")
    }

    /// Writes the file atomically.
    public func write(_ root: LakeRoot) throws {
        let text = JSONValue.object([("catalog", .string(catalog)), ("storage", .string(storage))]).pretty() + "\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: root.configPath)
    }
}
