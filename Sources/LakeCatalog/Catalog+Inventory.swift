import LakeCore

/// What governance needs of one cataloged file, fetched without decoding whole records.
public struct CatalogedFile: Sendable {
    public var path: String
    public var dataset: String
    public var zone: String
    public var dt: String?
    public var rows: Int
    /// Records held: a raw API file's rows are pages of many records.
    public var records: Int
    public var bytes: Int
    public var sha256: String
    public var createdAt: String

    /// When the file was cataloged, in seconds since 1970.
    public var createdSeconds: Double {
        CivilTime.parseTimestamp(Array(createdAt.utf8)[...]).map { Double($0) / 1e6 } ?? 0
    }
}

extension Catalog {
    /// Every cataloged file, in path order.
    public func catalogedFiles() throws -> [CatalogedFile] {
        try read { db in
            var files: [CatalogedFile] = []
            for row in try SQLRow.fetchAll(db, sql: "SELECT path, dataset, zone, dt, rows, records, bytes, sha256, created_at FROM lake_files ORDER BY path") {
                files.append(CatalogedFile(path: row[0], dataset: row[1], zone: row[2], dt: row[3], rows: row[4],
                                           records: row[5], bytes: row[6], sha256: row[7], createdAt: row[8]))
            }
            return files
        }
    }

    /// Full records of the files at `paths` (those the catalog knows).
    public func files(atPaths paths: [String]) throws -> [FileRecord] {
        try read { db in
            var found: [FileRecord] = []
            for chunk in stride(from: 0, to: paths.count, by: 500) {
                let slice = Array(paths[chunk..<min(chunk + 500, paths.count)])
                found += try FileRecord.fetchAll(db, "WHERE path IN (\(slice.map { _ in "?" }.joined(separator: ", ")))", slice)
            }
            return found.sorted { $0.path < $1.path }
        }
    }
}
