import LakeCore

/// Datasets with records in quarantine: how many, and the newest reason. A contract may
/// accept a share of bad records (`x-lake.quarantine_tolerance`): within it, no finding.
struct QuarantinedRecords: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        let files = Dictionary(grouping: lake.catalogedInOrder.filter { $0.zone == "quarantine" }, by: \.dataset)
        return files.sorted { $0.key < $1.key }.compactMap { dataset, files in
            let records = files.reduce(0) { $0 + $1.rows }
            if let tolerance = lake.contracts[dataset]?.quarantineTolerance {
                let landed = lake.catalogedInOrder.filter { $0.zone == "raw" && $0.dataset == dataset }.reduce(0) { $0 + $1.records }
                if Double(records) <= tolerance * Double(landed + records) { return nil }
            }
            let newest = files.max { ($0.createdAt, $0.path) < ($1.createdAt, $1.path) }!
            let reason = Self.lastReason(newest.path, lake).map { "; newest reason: \($0)" } ?? ""
            let share = lake.contracts[dataset]?.quarantineTolerance.map { " (over the contract's quarantine_tolerance of \($0))" } ?? ""
            return Finding(
                rule: "quarantined-records", category: .quarantine, severity: .warning, dataset: dataset,
                path: "quarantine/\(dataset)",
                message: "\(records) record\(records == 1 ? "" : "s") in quarantine in \(files.count) file\(files.count == 1 ? "" : "s")\(share)\(reason)",
                hint: "read them with `zcat \(newest.path) | head`; fix the producer or the contract, then re-ingest or replay",
                bytes: files.reduce(0) { $0 + $1.bytes })
        }
    }

    /// The reason on the last line of a quarantine file (`{"_meta": {"reason": …}, …}`).
    static func lastReason(_ path: String, _ lake: LakeInventory) -> String? {
        guard let bytes = try? GzipReader.decompress(try lake.contents(path), name: path) else { return nil }
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        guard let last = lines.last, let value = try? JSONValue.parse(String(decoding: last, as: UTF8.self)) else { return nil }
        return value["_meta"]?["reason"]?.stringValue ?? value["reason"]?.stringValue
    }
}
