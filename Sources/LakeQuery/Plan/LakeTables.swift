import Foundation
import LakeCatalog
import LakeCore

/// Names the binder resolves tables by.
public protocol TableResolver: Sendable {
    func table(_ parts: [String], at: TimeTravel?) throws -> TableSource
    /// Every name a query can use, for "did you mean" and for error messages.
    func knownNames() -> [String]
}

/// The lake's tables: `staged.<dataset>`, `curated.<table>`, `raw.<dataset>` (or
/// `raw.<source>.<dataset>`), and a bare name for a staged or curated table.
public final class LakeTables: TableResolver, @unchecked Sendable {
    let catalog: Catalog?

    public init(catalog: Catalog?) { self.catalog = catalog }

    public func knownNames() -> [String] {
        guard let catalog, let datasets = try? catalog.datasets() else { return [] }
        var names: [String] = []
        for d in datasets {
            for zone in ["staged", "curated", "raw"] where (try? catalog.files(of: d.name, zone: LakeRoot.Zone(rawValue: zone)!).isEmpty == false) == true {
                names.append("\(zone).\(d.name)")
            }
        }
        return names
    }

    public func table(_ parts: [String], at: TimeTravel?) throws -> TableSource {
        let display = parts.joined(separator: ".")
        guard let catalog else { throw QueryError.unknownTable(display, suggestion: nil, known: []) }
        let lower = parts.map { $0.lowercased() }
        var zone: LakeRoot.Zone?
        var name: String
        switch lower.count {
        case 1: name = lower[0]
        case 2:
            guard let z = LakeRoot.Zone(rawValue: lower[0]) else { return try unknown(display) }
            zone = z; name = lower[1]
        case 3 where lower[0] == "raw": zone = .raw; name = lower[2]
        case 3 where lower[0] == "lake": zone = LakeRoot.Zone(rawValue: lower[1]); name = lower[2]
        default: return try unknown(display)
        }
        guard let dataset = try? catalog.dataset(named: name) else { return try unknown(display) }
        name = dataset.name
        let zones: [LakeRoot.Zone] = zone.map { [$0] } ?? [.curated, .staged]
        for z in zones {
            if let at {
                guard z == .staged || z == .curated else {
                    throw QueryError.unsupported("time travel (AT …) works on staged and curated tables, not on \(z.rawValue).\(name)")
                }
                return try travel(name, zone: z, at: at, display: display)
            }
            let files = try catalog.files(of: name, zone: z).map { catalog.root.absolute($0.path) }
            guard !files.isEmpty else { continue }
            if z == .raw || z == .quarantine {
                return try TableSource.files(files, name: "\(z.rawValue).\(name)", format: .ndjson)
            }
            return try TableSource.files(files.filter { $0.hasSuffix(".parquet") }, name: "\(z.rawValue).\(name)", format: .parquet)
        }
        let zoneName = zone?.rawValue ?? "staged"
        throw QueryError.io("\(zoneName).\(name) has no files yet — run `lake \(zoneName == "raw" ? "ingest" : "promote \(name)")` first")
    }

    private func travel(_ name: String, zone: LakeRoot.Zone, at: TimeTravel, display: String) throws -> TableSource {
        let versions = try catalog!.versions(of: name, zone: zone)
        let chosen: VersionRecord?
        switch at {
        case let .version(v): chosen = versions.first { $0.version == v }
        case let .timestamp(text):
            guard let t = Cast.parseTimestamp(text) else { throw QueryError.type("AT (TIMESTAMP => '\(text)'): not a timestamp") }
            chosen = versions.filter { (Cast.parseTimestamp($0.createdAt) ?? .max) <= t }.max { $0.version < $1.version }
        }
        guard let version = chosen else {
            throw QueryError.io("\(display) has no such version; it has " + (versions.isEmpty ? "none" : versions.map { "\($0.version)" }.joined(separator: ", ")))
        }
        let folder = catalog!.root.absolute(version.folder)
        guard FileSystem.isDirectory(folder) else {
            throw QueryError.io("version \(version.version) of \(display) was removed by `lake vacuum`")
        }
        return try TableSource.files(Glob.expand(folder + "/**/*.parquet", relativeTo: "/"), name: "\(display)@v\(version.version)", format: .parquet)
    }

    private func unknown(_ display: String) throws -> TableSource {
        let known = knownNames()
        let bare = known.map { String($0.split(separator: ".").last!) }
        throw QueryError.unknownTable(display, suggestion: Suggest.closest(to: display, in: known + bare), known: known)
    }
}
