import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// What `lake governance` checks, and how.
public struct GovernanceOptions: Sendable {
    /// Also compare every file's sha256 and read every gzip and Parquet file whole.
    public var verify = false
    /// The contracts folder to compare with the catalog (`schemas/`), when there is one.
    public var schemasFolder: String?
    public var now = Date()
    /// `_tmp/` entries older than this are leftovers of a killed run.
    public var tmpMaxAgeSeconds: Double = 3600

    /// What each captured database said of its slot (`lake governance` asks them).
    public var cdcSlots: [CDCSlotReading] = []
    /// WAL a slot may hold before governance warns, and before it is an error.
    public var cdcSlotWarnBytes: Int64 = 1 << 30
    public var cdcSlotErrorBytes: Int64 = 10 << 30

    public init(verify: Bool = false, schemasFolder: String? = nil, now: Date = Date()) {
        self.verify = verify
        self.schemasFolder = schemasFolder
        self.now = now
    }
}

/// One CDC slot as its database reported it, or why it could not be asked.
public struct CDCSlotReading: Sendable {
    public var source: String
    public var slot: String
    public var tables: String
    public var exists: Bool
    public var retainedBytes: Int64
    public var error: String?

    public init(source: String, slot: String, tables: String, exists: Bool, retainedBytes: Int64, error: String?) {
        self.source = source
        self.slot = slot
        self.tables = tables
        self.exists = exists
        self.retainedBytes = retainedBytes
        self.error = error
    }
}

/// A dataset folder found on disk: `raw/<source>/<dataset>`, `staged/<dataset>`, ….
public struct DatasetFolder: Sendable {
    public var zone: LakeRoot.Zone
    public var path: String
    public var dataset: String
    public var source: String?
}

/// Everything the rules look at, read once: the catalog's datasets, contracts and files, the
/// files on disk in each zone and in `_tmp/`, and the contracts in `schemas/`.
public final class LakeInventory: @unchecked Sendable {
    public let root: LakeRoot
    public let options: GovernanceOptions
    public let today: String
    public let datasets: [String: DatasetRecord]
    /// Each dataset's registered contract (datasets without one are absent).
    public let contracts: [String: DatasetContract]
    /// Contracts in `schemas/` that do not parse, by file, with the problem.
    public let schemaFolderProblems: [(file: String, problem: String)]
    public let schemaFolderContracts: [DatasetContract]
    public let cataloged: [String: CatalogedFile]
    public let catalogedInOrder: [CatalogedFile]
    public let disk: [String: DiskFile]
    public let diskInOrder: [DiskFile]
    public let tmp: [DiskFile]
    public let folders: [DatasetFolder]
    public let drift: [DriftRecord]
    /// Stream offsets deleted upstream before lake read them.
    public let streamGaps: [StreamGapRecord]
    public let unfinishedAudits: [(AuditRecord, [AuditFileRecord])]
    /// Files an unfinished retention run still has to delete.
    public let pendingDeletion: Set<String>
    /// Tables other writers (DuckDB) made in the DuckLake catalog, and the files it names for them.
    public let duckLake: DuckLakeForeign

    private let catalog: Catalog
    /// A team lake's S3 storage: its zones' files are objects there.
    public var objects: ObjectStore? { catalog.objects }

    public init(catalog: Catalog, options: GovernanceOptions) throws {
        root = catalog.root
        self.catalog = catalog
        self.options = options
        today = Timestamps.day(options.now)
        let records = try catalog.datasets()
        datasets = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
        var contracts: [String: DatasetContract] = [:]
        for record in records where record.currentSchemaVersion != nil {
            contracts[record.name] = try? catalog.contract(of: record.name)
        }
        self.contracts = contracts

        var parsed: [DatasetContract] = []
        var problems: [(String, String)] = []
        if let folder = options.schemasFolder {
            for file in FileSystem.files(under: folder) where file.hasSuffix(".json") {
                guard let data = FileManager.default.contents(atPath: file),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      object["$schema"] != nil || object["x-lake"] != nil else { continue }
                do { parsed.append(try DatasetContract(data: data, file: file)) } catch let error as CatalogError {
                    problems.append((file, error.message))
                }
            }
        }
        schemaFolderContracts = parsed
        schemaFolderProblems = problems

        catalogedInOrder = try catalog.catalogedFiles()
        cataloged = Dictionary(catalogedInOrder.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var onDisk: [DiskFile] = []
        var folders: [DatasetFolder] = []
        for zone in LakeRoot.Zone.allCases {
            if let objects = catalog.objects {
                // S3 has no folders: the listing's keys say which dataset folders there are.
                let listed = try objects.list(under: zone.rawValue + "/")
                onDisk += listed.map { DiskFile(path: $0.path, bytes: $0.bytes, modified: $0.modified) }
                let depth = zone == .raw ? 3 : 2
                let named = Set(listed.map { $0.path.split(separator: "/") }.filter { $0.count > depth }.map { $0.prefix(depth).joined(separator: "/") })
                for path in named.sorted() {
                    let parts = path.split(separator: "/").map(String.init)
                    folders.append(DatasetFolder(zone: zone, path: path, dataset: parts.last!, source: zone == .raw ? parts[1] : nil))
                }
                continue
            }
            onDisk += DiskWalker.walk(root: root.path, under: zone.rawValue)
            if zone == .raw {
                for source in DiskWalker.folders(root: root.path, under: "raw") {
                    for name in DiskWalker.folders(root: root.path, under: "raw/" + source) {
                        folders.append(DatasetFolder(zone: zone, path: "raw/\(source)/\(name)", dataset: name, source: source))
                    }
                }
            } else {
                for name in DiskWalker.folders(root: root.path, under: zone.rawValue) {
                    folders.append(DatasetFolder(zone: zone, path: "\(zone.rawValue)/\(name)", dataset: name, source: nil))
                }
            }
        }
        diskInOrder = onDisk
        disk = Dictionary(onDisk.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        self.folders = folders
        tmp = DiskWalker.walk(root: root.path, under: "_tmp")
        drift = try catalog.drift()
        streamGaps = try catalog.streamGaps()
        unfinishedAudits = try catalog.unfinishedAudits()
        pendingDeletion = Set(unfinishedAudits.flatMap { $0.1.map(\.path) })
        duckLake = try catalog.duckLakeForeign()
    }

    /// Where a lake-relative file is: its object's URL, or its path on this disk.
    public func place(_ path: String) -> String { catalog.place(of: path) }

    /// A lake-relative file's bytes, fetched whole from S3 storage.
    public func contents(_ path: String) throws -> [UInt8] { try catalog.contents(of: path) }

    /// A lake-relative Parquet file, its footer read wherever the file is.
    public func parquet(_ path: String) throws -> ParquetFile { try catalog.parquet(path) }

    /// Seconds since 1970 of the check.
    public var now: Double { options.now.timeIntervalSince1970 }

    /// The folder a file sits in: its partition folder for partitioned data.
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[..<slash])
    }
}
