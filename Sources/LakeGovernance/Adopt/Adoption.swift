import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// What `lake catalog adopt` brought under a dataset.
public struct AdoptionOutcome: Sendable {
    public var audit: Int64
    public var files: [FileRecord]
    public var rows: Int { files.reduce(0) { $0 + $1.rows } }
    public var bytes: Int { files.reduce(0) { $0 + $1.bytes } }
}

/// Brings files that are already in the lake but not in the catalog under a dataset: each
/// file's rows, partitions (from its `key=value` folders) and sha256 are read from the file,
/// and all of them are cataloged in one audited transaction.
///
/// Files are read, never moved or rewritten. Gzip NDJSON (`.ndjson.gz`, `.jsonl.gz`,
/// `.json.gz`), plain NDJSON and Parquet are understood; a file that cannot be read whole
/// (corrupt gzip, broken Parquet footer) stops the adoption before anything is cataloged.
public struct Adoption: Sendable {
    public let catalog: Catalog

    public init(catalog: Catalog) { self.catalog = catalog }

    public func adopt(path: String, dataset: String, owner: String?, command: String) throws -> AdoptionOutcome {
        let (relative, listed) = try catalog.objects.map { try objectsUnder(path, in: $0) } ?? localFiles(under: path)
        guard let zoneName = relative.split(separator: "/").first, let zone = LakeRoot.Zone(rawValue: String(zoneName)) else {
            throw GovernanceError.notInAZone(path: relative)
        }
        guard Names.isValid(dataset) else {
            throw GovernanceError.unreadable(path: relative, reason: "dataset name '\(dataset)' must be lower-case letters, digits and '_'")
        }
        var candidates = try listed()
        let known = Set(try catalog.files(atPaths: candidates).map(\.path))
        candidates.removeAll { known.contains($0) }
        guard !candidates.isEmpty else { throw GovernanceError.nothingToAdopt(path: relative) }

        let existing = try? catalog.dataset(named: dataset)
        let recordsPath = existing?.recordsPath.map(JSONPath.init)
        let parts = relative.split(separator: "/").map(String.init)
        let source = existing?.source ?? (zone == .raw && parts.count > 1 ? parts[1] : nil)
        let batch = "adopted-" + Timestamps.compact()
        let now = Timestamps.iso()
        var files: [FileRecord] = []
        for candidate in candidates {
            let bytes = try catalog.contents(of: candidate)
            let (rows, records) = try Self.count(bytes, path: candidate, recordsPath: recordsPath) { try catalog.parquet(candidate) }
            let partitions = Self.partitions(of: candidate)
            files.append(FileRecord(
                path: candidate, dataset: dataset, source: source, zone: zone.rawValue,
                partitionValues: FileRecord.partitionJSON(partitions), dt: partitions["dt"], region: partitions["region"],
                rows: rows, records: records, bytes: bytes.count, sha256: Checksum.sha256(bytes), batchId: batch,
                tmpPath: nil, runId: nil, createdAt: now))
        }
        let audit = try catalog.adopt(files, dataset: existing?.name ?? dataset, source: source, owner: owner, command: command)
        return AdoptionOutcome(audit: audit.id!, files: files)
    }

    /// The lake-relative path the user named on this disk, and the files under it.
    private func localFiles(under path: String) throws -> (String, () throws -> [String]) {
        let root = catalog.root
        let absolute = Self.absolute(path, root: root)
        guard let relative = root.relative(absolute) else { throw GovernanceError.outsideLake(path: path, root: root.path) }
        return (relative, {
            if FileSystem.isDirectory(absolute) { return DiskWalker.walk(root: root.path, under: relative).map(\.path).sorted() }
            guard FileSystem.exists(absolute) else { throw GovernanceError.unreadable(path: relative, reason: "no such file or folder") }
            return [relative]
        })
    }

    /// On S3 storage: the path as an object URL under the lake's storage or relative to it, and
    /// the objects it names (one, or every one below it).
    private func objectsUnder(_ path: String, in objects: ObjectStore) throws -> (String, () throws -> [String]) {
        let storage = catalog.objectPath("")
        var relative = path
        if path.hasPrefix("s3://") {
            guard path.hasPrefix(storage) || path + "/" == storage else { throw GovernanceError.outsideLake(path: path, root: storage) }
            relative = String(path.dropFirst(min(storage.count, path.count)))
        }
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        while relative.hasSuffix("/") { relative.removeLast() }
        let name = relative
        return (name, {
            let found = try objects.list(under: name).map(\.path).filter { $0 == name || $0.hasPrefix(name + "/") }
            guard !found.isEmpty else {
                throw GovernanceError.unreadable(path: storage + name, reason: "no such object, and no objects below it")
            }
            return found.filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }.sorted()
        })
    }

    /// A path as the user typed it: absolute, or relative to the working folder if it exists
    /// there, else relative to the lake root.
    static func absolute(_ path: String, root: LakeRoot) -> String {
        let candidate: String
        if path.hasPrefix("/") {
            candidate = path
        } else if FileSystem.exists(FileManager.default.currentDirectoryPath + "/" + path) {
            candidate = FileManager.default.currentDirectoryPath + "/" + path
        } else {
            candidate = root.absolute(path)
        }
        var standardized = URL(fileURLWithPath: candidate).standardizedFileURL.path
        while standardized.count > 1, standardized.hasSuffix("/") { standardized.removeLast() }
        return standardized
    }

    /// The `key=value` folders of a path, in order.
    static func partitions(of path: String) -> PartitionValues {
        PartitionValues(path.split(separator: "/").dropLast().compactMap { segment in
            guard let eq = segment.firstIndex(of: "=") else { return nil }
            return .init(String(segment[..<eq]), Hive.unescape(String(segment[segment.index(after: eq)...])))
        })
    }

    /// Rows (lines or Parquet rows) and records (items of API pages at `recordsPath`, else rows).
    static func count(_ bytes: [UInt8], path: String, recordsPath: JSONPath?, parquet: () throws -> ParquetFile) throws -> (Int, Int) {
        if path.hasSuffix(".parquet") {
            do {
                let file = try parquet()
                return (file.rowCount, file.rowCount)
            } catch {
                throw GovernanceError.unreadable(path: path, reason: "its Parquet footer cannot be read (\((error as? LakeError)?.message ?? "\(error)"))")
            }
        }
        var text = bytes
        if path.hasSuffix(".gz") {
            do { text = try GzipReader.decompress(bytes, name: path) } catch {
                throw GovernanceError.unreadable(path: path, reason: "it is not a whole gzip stream (\((error as? LakeError)?.message ?? "\(error)"))")
            }
        } else if !(path.hasSuffix(".ndjson") || path.hasSuffix(".jsonl") || path.hasSuffix(".json")) {
            throw GovernanceError.unreadable(path: path, reason: "lake adopts gzip NDJSON (.ndjson.gz), NDJSON and Parquet files")
        }
        var rows = 0, records = 0
        for line in text.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) {
            rows += 1
            guard let recordsPath else { records += 1; continue }
            let value = (try? JSONValue.parse(Array(line)))?["body"]?.value(at: recordsPath)
            records += value?.arrayValue?.count ?? 0
        }
        return (rows, records)
    }
}
