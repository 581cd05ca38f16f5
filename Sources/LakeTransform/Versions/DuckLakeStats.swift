import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// The Parquet writer's column statistics of newly written files, merged over their row
/// groups and rendered as DuckLake stores them (so DuckDB can prune files by min/max).
enum DuckLakeStats {
    /// `files` are named by their `<zone>/<dataset>/…` paths but read from the version `folder`
    /// they were written to: the zone link does not point there before the version is published.
    static func of(_ files: [FileRecord], root: LakeRoot, folder: String) -> [String: [DuckLakeColumnStats]] {
        var out: [String: [DuckLakeColumnStats]] = [:]
        for file in files where file.path.hasSuffix(".parquet") {
            let inFolder = folder + "/" + file.path.split(separator: "/").dropFirst(2).joined(separator: "/")
            // Statistics only help; a file whose footer cannot be read just goes without.
            guard let parquet = try? ParquetFile(path: root.absolute(inFolder)) else { continue }
            out[file.path] = parquet.schema.indices.map { c in
                var nulls = 0, values = 0
                var low: ColumnValue?, high: ColumnValue?
                var complete = true
                for g in 0..<parquet.rowGroupCount {
                    guard let s = parquet.statistics(rowGroup: g, column: c) else { complete = false; continue }
                    nulls += s.nullCount
                    values += s.valueCount - s.nullCount
                    if s.valueCount > s.nullCount {
                        guard let lo = s.min, let hi = s.max else { complete = false; continue }
                        low = low.map { less(lo, $0) ? lo : $0 } ?? lo
                        high = high.map { less($0, hi) ? hi : $0 } ?? hi
                    }
                }
                return DuckLakeColumnStats(name: parquet.schema[c].name, valueCount: values, nullCount: nulls,
                                           min: complete ? low.flatMap(text) : nil, max: complete ? high.flatMap(text) : nil, bytes: nil)
            }
        }
        return out
    }

    static func less(_ a: ColumnValue, _ b: ColumnValue) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): x < y
        case let (.double(x), .double(y)): x < y
        case let (.string(x), .string(y)): Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        case let (.date(x), .date(y)): x < y
        case let (.timestamp(x), .timestamp(y)): x < y
        case let (.boolean(x), .boolean(y)): !x && y
        default: false
        }
    }

    /// DuckDB's text for a value: `2026-11-24`, `2026-11-24 10:00:00.5+00`, `true`, `1.5`.
    static func text(_ v: ColumnValue) -> String? {
        switch v {
        case let .boolean(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .double(d): return d.isFinite ? "\(d)" : nil
        case let .string(s): return s
        case let .date(d): return date(Int(d))
        case let .timestamp(micros):
            let seconds = Int(micros.floorDiv(1_000_000)), fraction = Int(micros - Int64(seconds) * 1_000_000)
            let day = seconds.floorDiv(86_400), second = seconds - day * 86_400
            var text = date(day) + String(format: " %02d:%02d:%02d", second / 3600, second / 60 % 60, second % 60)
            if fraction > 0 {
                var digits = String(format: "%06d", fraction)
                while digits.hasSuffix("0") { digits.removeLast() }
                text += "." + digits
            }
            return text + "+00"
        }
    }

    static func date(_ days: Int) -> String {
        let (y, m, d) = CivilTime.civil(days: days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}

private extension BinaryInteger {
    func floorDiv(_ d: Self) -> Self { let q = self / d; return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q }
}
