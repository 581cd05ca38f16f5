/// Partitions whose `dt` is older than their dataset's `retention_days`.
struct RetentionExpired: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        RetentionPlan(lake).partitions.map { p in
            Finding(
                rule: "past-retention", category: .retention, severity: .warning, dataset: p.dataset, path: p.folder,
                message: "dt=\(p.dt) is older than the dataset's \(p.retentionDays)-day retention: \(p.files) file\(p.files == 1 ? "" : "s"), \(p.bytes) bytes",
                hint: "`lake retention` lists what would go; `lake retention --apply` deletes it", bytes: p.bytes)
        }
    }
}
