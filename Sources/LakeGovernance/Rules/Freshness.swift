import LakeCore

/// Datasets with `x-lake.freshness_hours` whose newest data is older than that.
///
/// A file's data is as new as the earlier of the end of its `dt` day and the time it was
/// cataloged: a late backfill of an old day does not make a dataset fresh.
struct Freshness: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        let newest = Self.newestData(lake)
        return lake.datasets.values.sorted { $0.name < $1.name }.compactMap { d in
            guard let hours = d.freshnessHours, let time = newest[d.name] else { return nil }
            let age = (lake.now - time) / 3600
            guard age > hours else { return nil }
            return Finding(
                rule: "stale-data", category: .freshness, severity: .warning, dataset: d.name, path: nil,
                message: String(format: "newest data is %.1f hours old; the contract promises %@ hours", age, Self.format(hours)),
                hint: "check that its ingestion still runs (`lake catalog runs`), then ingest and promote it")
        }
    }

    /// Per dataset, the time (seconds since 1970) of its newest data.
    static func newestData(_ lake: LakeInventory) -> [String: Double] {
        var newest: [String: Double] = [:]
        for file in lake.catalogedInOrder where file.zone != "quarantine" {
            var time = file.createdSeconds
            if let dt = file.dt, let day = CivilTime.parseDate(Array(dt.utf8)[...]) {
                time = min(time, Double(day + 1) * 86400)
            }
            newest[file.dataset] = max(newest[file.dataset] ?? 0, time)
        }
        return newest
    }

    static func format(_ hours: Double) -> String {
        hours == hours.rounded() ? String(Int(hours)) : String(hours)
    }
}
