import Foundation
import LakeCore
import LakeParquet
#if canImport(Glibc)
import Glibc
#endif

/// One file of a table, with the values of its Hive partition folders.
struct SourceFile: Sendable {
    var path: String
    /// DuckLake's data file id, for its catalog statistics.
    var id: Int64? = nil
    /// Rows in the file, when the catalog says (DuckLake's record count).
    var rows: Int? = nil
    var partitions: [Value]
    /// Rows a DuckLake writer deleted: file-relative positions, and Parquet delete files.
    var deletedPositions: [Int64] = []
    var deleteFiles: [String] = []
}

/// A table that scans read: Parquet or NDJSON files, their columns, then Hive partition
/// columns taken from `key=value` folders (as DuckDB's `hive_partitioning` does).
public final class TableSource: @unchecked Sendable {
    public enum Format: String, Sendable { case parquet, ndjson }

    let name: String
    let format: Format
    let files: [SourceFile]
    let fields: [Field]
    let fileColumnCount: Int
    /// Rows held outside files (DuckLake's inlined data), one value per field.
    let inlinedRows: [[Value]]
    /// Where files named `s3://…` are read from (a team lake's storage).
    let objects: ObjectStore?
    /// Per file id, the catalog's minimum and maximum of the named columns (DuckLake tables).
    var bounds: (@Sendable ([String]) throws -> [Int64: [String: (min: String?, max: String?)]])?

    init(name: String, format: Format, files: [SourceFile], fields: [Field], fileColumnCount: Int, inlinedRows: [[Value]] = [],
         objects: ObjectStore? = nil) {
        self.objects = objects
        self.name = name
        self.format = format
        self.files = files
        self.fields = fields
        self.fileColumnCount = fileColumnCount
        self.inlinedRows = inlinedRows
    }

    var partitionKeys: [String] { fields[fileColumnCount...].map(\.name) }

    /// One of the table's Parquet files: mapped from disk, or its footer fetched from the store.
    func open(_ path: String) throws -> ParquetFile { try Self.open(path, objects: objects) }

    static func open(_ path: String, objects: ObjectStore?) throws -> ParquetFile {
        if let objects, objects.holds(path) { return try ParquetFile(object: path, in: objects) }
        if path.hasPrefix("s3://") {
            throw QueryError.io("\(path) is on S3, and this lake's storage is not: check the storage in lake.json")
        }
        return try ParquetFile(path: path)
    }

    /// A table over `paths` (already expanded), named `name` in messages.
    public static func files(_ paths: [String], name: String, format explicit: Format? = nil, hive: Bool = true,
                             objects: ObjectStore? = nil) throws -> TableSource {
        guard let first = paths.first else {
            throw QueryError.io("no files match \(name) — check the path (globs: *, ** and ?)")
        }
        let format = explicit ?? (first.hasSuffix(".parquet") ? .parquet : .ndjson)
        let fileFields: [Field]
        switch format {
        case .parquet:
            let file: ParquetFile
            do { file = try open(first, objects: objects) } catch let error as LakeError {
                throw QueryError.io("\(first): \(error.message)")
            }
            fileFields = file.schema.enumerated().map { c, column in
                let t = type(of: column.type)
                return Field(name: column.name, table: nil, type: t == .timestamptz && !file.timestampIsUTC(c) ? .timestamp : t)
            }
        case .ndjson:
            fileFields = try NDJSONSchema.infer(paths.prefix(8).map { $0 }, objects: objects)
        }
        // Hive partitions: key=value folders common to the files, after the file columns.
        var keys: [String] = []
        var rows: [[String?]] = []
        if hive {
            for path in paths {
                var pairs: [(String, String?)] = []
                for segment in path.split(separator: "/").dropLast() {
                    guard let eq = segment.firstIndex(of: "="), eq != segment.startIndex else { continue }
                    pairs.append((String(segment[..<eq]), Hive.unescape(String(segment[segment.index(after: eq)...]))))
                }
                if keys.isEmpty && rows.isEmpty { keys = pairs.map(\.0) }
                let byKey = Dictionary(pairs, uniquingKeysWith: { _, b in b })
                rows.append(keys.map { byKey[$0] ?? nil })
            }
            let fileNames = Set(fileFields.map { $0.name.lowercased() })
            let keep = keys.indices.filter { !fileNames.contains(keys[$0].lowercased()) }
            keys = keep.map { keys[$0] }
            rows = rows.map { row in keep.map { row[$0] } }
        }
        var partitionFields: [Field] = []
        var columns: [[Value]] = Array(repeating: [], count: paths.count)
        for (k, key) in keys.enumerated() {
            let values = rows.map { $0[k] }
            let present = values.compactMap { $0 }
            let type: DataType
            if !present.isEmpty, present.allSatisfy({ CivilTime.parseDate(Array($0.utf8)[...]) != nil }) { type = .date }
            else if !present.isEmpty, present.allSatisfy({ Int64($0) != nil }) { type = .bigint }
            else { type = .varchar }
            partitionFields.append(Field(name: key, table: nil, type: type))
            for (i, v) in values.enumerated() {
                guard let v else { columns[i].append(.null); continue }
                switch type {
                case .date: columns[i].append(.date(Int64(CivilTime.parseDate(Array(v.utf8)[...])!)))
                case .bigint: columns[i].append(.int(Int64(v)!))
                default: columns[i].append(.string(v))
                }
            }
        }
        let files = paths.enumerated().map { SourceFile(path: $1, partitions: columns[$0]) }
        return TableSource(name: name, format: format, files: files, fields: fileFields + partitionFields, fileColumnCount: fileFields.count,
                           objects: objects)
    }

    static func type(of t: ColumnType) -> DataType {
        switch t {
        case .boolean: .boolean
        case .int32, .int64: .bigint
        case .double: .double
        case .string: .varchar
        case .date: .date
        case .timestamp: .timestamptz
        }
    }
}

/// Expands `dir/**/*.parquet`-style globs: `*` and `?` within a folder name, `**` across
/// folders. Symbolic links to folders are followed (lake's `staged/<dataset>` is one).
public enum Glob {
    public static func expand(_ pattern: String, relativeTo base: String) -> [String] {
        let absolute = pattern.hasPrefix("/") ? pattern : base + "/" + pattern
        let parts = absolute.split(separator: "/").map(String.init)
        guard parts.contains(where: { $0.contains("*") || $0.contains("?") || $0.contains("[") }) else {
            return FileSystem.isDirectory(absolute) ? expand(absolute + "/**/*", relativeTo: base) :
                (FileManager.default.fileExists(atPath: absolute) ? [absolute] : [])
        }
        let fixed = parts.prefix { !($0.contains("*") || $0.contains("?") || $0.contains("[")) }
        var results: [String] = []
        walk("/" + fixed.joined(separator: "/"), Array(parts.dropFirst(fixed.count)), &results)
        return results.sorted()
    }

    private static func walk(_ dir: String, _ rest: [String], _ out: inout [String]) {
        guard let first = rest.first else { return }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        if first == "**" {
            walk(dir, Array(rest.dropFirst()), &out)
            for e in entries where FileSystem.isDirectory(dir + "/" + e) { walk(dir + "/" + e, rest, &out) }
            return
        }
        for e in entries where fnmatch(first, e, 0) == 0 {
            let path = dir + "/" + e
            if rest.count == 1 {
                if !FileSystem.isDirectory(path) { out.append(path) }
            } else if FileSystem.isDirectory(path) {
                walk(path, Array(rest.dropFirst()), &out)
            }
        }
    }
}

/// Column names and types of NDJSON files, from their first lines: keys in first-seen order;
/// objects and arrays become JSON columns.
enum NDJSONSchema {
    static func infer(_ paths: [String], objects: ObjectStore? = nil) throws -> [Field] {
        var order: [String] = []
        var types: [String: DataType] = [:]
        var seen = 0
        for path in paths where seen < 2000 {
            for line in try lines(path, objects: objects) where seen < 2000 {
                guard case let .object(pairs) = (try JSONTape(Array(line))).root.jsonValue else { continue }
                seen += 1
                for (key, value) in pairs {
                    if types[key] == nil { order.append(key); types[key] = .null }
                    let t: DataType
                    switch value {
                    case .null: continue
                    case .bool: t = .boolean
                    case .int: t = .bigint
                    case .double: t = .double
                    case .string: t = .varchar
                    case .array, .object: t = .json
                    }
                    let current = types[key]!
                    types[key] = current == .null ? t : (current == t ? t : (DataType.common(current, t) == .double ? .double : (current == .json || t == .json ? .json : .varchar)))
                }
            }
        }
        return order.map { Field(name: $0, table: nil, type: types[$0] == .null ? .varchar : types[$0]!) }
    }

    /// A file's lines; an object of `objects` (S3) is fetched whole.
    static func lines(_ path: String, objects: ObjectStore? = nil) throws -> [ArraySlice<UInt8>] {
        let bytes: [UInt8]
        do {
            if let objects, objects.holds(path) {
                let fetched = try objects.read(path)
                bytes = path.hasSuffix(".gz") ? try GzipReader.decompress(fetched, name: path) : fetched
            } else {
                bytes = path.hasSuffix(".gz") ? try GzipReader.read(path: path) : try FileSystem.readFile(path)
            }
        } catch let error as LakeError {
            throw QueryError.io("\(path): \(error.message)")
        }
        return bytes.split(separator: UInt8(ascii: "\n"))
    }
}
