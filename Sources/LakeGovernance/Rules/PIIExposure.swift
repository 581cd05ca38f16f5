import LakeCore
import LakeParquet

/// Fields a contract tags as PII that reach a curated table unmasked.
///
/// A column counts as masked only if every value is what masking writes: a keyed
/// HMAC-SHA256 as 64 lower-case hex digits (or null). The rule reads the values, so it
/// proves masking rather than trusting a flag.
struct PIIExposure: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        var tagged: [String: String] = [:]
        for (name, contract) in lake.contracts.sorted(by: { $0.key < $1.key }) {
            for field in contract.pii where tagged[field] == nil { tagged[field] = name }
        }
        guard !tagged.isEmpty else { return [] }
        var findings: [Finding] = []
        var reported = Set<String>()
        for file in lake.diskInOrder where file.path.hasPrefix("curated/") && file.path.hasSuffix(".parquet") {
            guard let parquet = try? lake.parquet(file.path) else { continue }
            let table = lake.datasetName(ofPath: file.path) ?? "?"
            for column in parquet.schema where tagged[column.name] != nil && !reported.contains(table + "." + column.name) {
                guard let values = try? parquet.readAll(columns: [column.name]).first, !Self.isMasked(values) else { continue }
                reported.insert(table + "." + column.name)
                findings.append(Finding(
                    rule: "pii-unmasked", category: .pii, severity: .error, dataset: table, path: file.path,
                    message: "column '\(column.name)' (PII in \(tagged[column.name]!)'s contract) holds unmasked values",
                    hint: lake.duckLake.files[file.path] != nil
                        ? "a DuckDB client wrote this table: recreate it without '\(column.name)' (or with the masked column from a lake curated table), or DROP TABLE it"
                        : "mask it in the curated model's contract (x-lake.pii_masking: hmac or drop) and run `lake promote \(table) --full-refresh`"))
            }
        }
        return findings
    }

    static func isMasked(_ column: Column) -> Bool {
        guard case let .string(strings) = column.data else { return false }
        for i in 0..<strings.count where column.validity?[i] ?? true {
            let range = strings.range(i)
            guard range.count == 64 else { return false }
            for b in strings.bytes[range] where !((48...57).contains(b) || (97...102).contains(b)) { return false }
        }
        return true
    }
}
