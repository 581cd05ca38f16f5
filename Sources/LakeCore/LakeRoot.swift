import Foundation

/// The folder that holds one lake: its zones and its catalog.
///
/// ```
/// <root>/catalog.sqlite
/// <root>/raw/<source>/<dataset>/dt=…/region=…/<batch>.ndjson.gz
/// <root>/staged/  <root>/curated/  <root>/quarantine/  <root>/_tmp/
/// ```
public struct LakeRoot: Sendable, Equatable {
    public enum Zone: String, Sendable, CaseIterable, Codable {
        case raw, staged, curated, quarantine
    }

    /// Absolute, standardized path of the root folder.
    public let path: String

    public init(path: String) {
        let absolute = path.hasPrefix("/")
            ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.path = URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// `--lake DIR`, else `$LAKE_HOME`, else `./lake`.
    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> LakeRoot {
        if let explicit, !explicit.isEmpty { return LakeRoot(path: explicit) }
        if let home = environment["LAKE_HOME"], !home.isEmpty { return LakeRoot(path: home) }
        return LakeRoot(path: "lake")
    }

    public var catalogPath: String { path + "/catalog.sqlite" }
    /// A team lake's `lake.json` (see `LakeConfig`).
    public var configPath: String { path + "/lake.json" }
    public var tmpPath: String { path + "/_tmp" }
    public func zonePath(_ zone: Zone) -> String { path + "/" + zone.rawValue }

    /// The absolute path of a path relative to the root.
    public func absolute(_ relative: String) -> String { path + "/" + relative }

    /// The path relative to the root, or nil when `absolute` lies outside it.
    public func relative(_ absolute: String) -> String? {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        guard absolute.hasPrefix(prefix) else { return nil }
        return String(absolute.dropFirst(prefix.count))
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: catalogPath) || FileManager.default.fileExists(atPath: configPath) }

    /// Creates the zone folders and `_tmp/`; leaves existing ones alone.
    public func createZones() throws {
        for folder in Zone.allCases.map(zonePath) + [tmpPath] {
            try FileSystem.makeDirectories(folder)
        }
    }
}
