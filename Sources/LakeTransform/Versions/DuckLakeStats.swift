import Foundation
import LakeCatalog
import LakeCore
import LakeParquet
import LakeQuery

/// The Parquet writer's column statistics of newly written files, merged over their row
/// groups and rendered as DuckLake stores them (so DuckDB can prune files by min/max).
enum DuckLakeStats {
    /// `files` are named by their `<zone>/<dataset>/…` paths but read from the version `folder`
    /// they were written to: the zone link does not point there before the version is published.
    /// Footers are read on every core: read one after another, the 603 files of a 10M-event
    /// promotion took a tenth of a second on one core while the other waited for the commit.
    /// `known`: statistics already read, by path (a promotion's workers read each file's as they
    /// finish it, so that the commit's single-core tail does not).
    static func of(_ files: [FileRecord], root: LakeRoot, folder: String,
                   known: [String: [DuckLakeColumnStats]] = [:]) -> [String: [DuckLakeColumnStats]] {
        let parquet = files.filter { $0.path.hasSuffix(".parquet") && known[$0.path] == nil }
        let stats = (try? Parallel.map(parquet.count, workers: ProcessInfo.processInfo.activeProcessorCount, state: { () }) { i, _ in
            of(parquet[i], root: root, folder: folder)
        }) ?? []
        let paths = Set(files.map(\.path))
        var out = known.filter { paths.contains($0.key) }
        for (file, columns) in zip(parquet, stats) { if let columns { out[file.path] = columns } }
        return out
    }

    private static func of(_ file: FileRecord, root: LakeRoot, folder: String) -> [DuckLakeColumnStats]? {
        let inFolder = folder + "/" + file.path.split(separator: "/").dropFirst(2).joined(separator: "/")
        return of(parquetAt: root.absolute(inFolder))
    }

    /// The statistics of the Parquet file at `path`, from its footer.
    static func of(parquetAt path: String) -> [DuckLakeColumnStats]? {
        // Statistics only help; a file whose footer cannot be read just goes without.
        guard let parquet = try? ParquetFile(path: path) else { return nil }
        return parquet.schema.indices.map { c in
            var nulls = 0, values = 0
            var low: Value?, high: Value?
            var complete = true
            for g in 0..<parquet.rowGroupCount {
                guard let s = parquet.statistics(rowGroup: g, column: c) else { complete = false; continue }
                nulls += s.nullCount
                values += s.valueCount - s.nullCount
                if s.valueCount > s.nullCount {
                    guard let lo = s.min.map(Value.init(parquet:)), let hi = s.max.map(Value.init(parquet:)) else { complete = false; continue }
                    // Ordered as DuckDB orders them (strings by bytes, NaN above every number).
                    low = low.map { Compare.values(lo, $0) < 0 ? lo : $0 } ?? lo
                    high = high.map { Compare.values($0, hi) < 0 ? hi : $0 } ?? hi
                }
            }
            return DuckLakeColumnStats(name: parquet.schema[c].name, valueCount: values, nullCount: nulls,
                                       min: complete ? low.flatMap(text) : nil, max: complete ? high.flatMap(text) : nil, bytes: nil)
        }
    }

    /// DuckDB's text for a value (`2026-11-24`, `2026-11-24 10:00:00.5+00`, `true`, `1.5`), as
    /// DuckLake stores min and max; none for NaN and infinities.
    static func text(_ v: Value) -> String? {
        if case let .double(d) = v, !d.isFinite { return nil }
        return v.text
    }
}
