import LakeCatalog
import LakeCore

/// What retention would delete: every cataloged file in a partition whose `dt` is older than
/// its dataset's `retention_days`, counted from today (UTC). A partition of `dt=D` expires
/// when `D < today − retention_days`, so `retention_days: 1` keeps today and yesterday.
public struct RetentionPlan: Sendable {
    /// One partition folder past its retention.
    public struct Partition: Sendable {
        public var dataset: String
        public var zone: String
        public var folder: String
        public var dt: String
        public var retentionDays: Int
        public var files: Int
        public var bytes: Int
        public var paths: [String]
    }

    public let partitions: [Partition]

    public init(_ lake: LakeInventory) {
        self.init(datasets: Array(lake.datasets.values), files: lake.catalogedInOrder, today: lake.today)
    }

    public init(datasets: [DatasetRecord], files: [CatalogedFile], today: String) {
        let todayDays = CivilTime.parseDate(Array(today.utf8)[...]) ?? 0
        var cutoffs: [String: (String, Int)] = [:]
        for d in datasets {
            guard let days = d.retentionDays else { continue }
            cutoffs[d.name] = (CivilTime.dateString(days: todayDays - days), days)
        }
        var byFolder: [String: Partition] = [:]
        for file in files {
            guard let (cutoff, days) = cutoffs[file.dataset], let dt = file.dt, dt < cutoff else { continue }
            let folder = LakeInventory.folder(of: file.path)
            byFolder[folder, default: Partition(
                dataset: file.dataset, zone: file.zone, folder: folder, dt: dt, retentionDays: days, files: 0, bytes: 0,
                paths: [])]
                .files += 1
            byFolder[folder]!.bytes += file.bytes
            byFolder[folder]!.paths.append(file.path)
        }
        partitions = byFolder.values.sorted { ($0.dataset, $0.folder) < ($1.dataset, $1.folder) }
    }

    public var files: Int { partitions.reduce(0) { $0 + $1.files } }
    public var bytes: Int { partitions.reduce(0) { $0 + $1.bytes } }
    public var paths: [String] { partitions.flatMap(\.paths) }
}
