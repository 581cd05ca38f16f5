import Foundation
import LakeCatalog
import LakeCore

/// The result of `lake governance`: findings, and the numbers the charts draw.
public struct GovernanceReport: Sendable {
    /// Files and bytes on disk of one dataset in one zone.
    public struct Usage: Sendable {
        public var zone: String
        public var dataset: String
        public var files: Int
        public var bytes: Int
    }

    /// How old a dataset's newest data is, beside its promise.
    public struct Age: Sendable {
        public var dataset: String
        public var hours: Double?
        public var freshnessHours: Double?
    }

    public let root: String
    public let checkedAt: String
    public let verify: Bool
    /// Most severe first, then by category, rule and path.
    public let findings: [Finding]
    public let usage: [Usage]
    public let ages: [Age]
    public let datasets: Int
    public let catalogedFiles: Int
    public let seconds: Double

    /// Checks the lake with every rule.
    public static func check(_ catalog: Catalog, options: GovernanceOptions,
                             rules: [any GovernanceRule] = GovernanceRules.all) throws -> GovernanceReport {
        let started = Date()
        let lake = try LakeInventory(catalog: catalog, options: options)
        let order = Dictionary(uniqueKeysWithValues: Category.allCases.enumerated().map { ($1, $0) })
        let findings = rules.flatMap { $0.check(lake) }.sorted {
            ($0.severity.rank, order[$0.category]!, $0.rule, $0.path ?? "", $0.dataset ?? "")
                < ($1.severity.rank, order[$1.category]!, $1.rule, $1.path ?? "", $1.dataset ?? "")
        }
        var usage: [String: Usage] = [:]
        for file in lake.diskInOrder {
            let zone = String(file.path.prefix { $0 != "/" })
            let dataset = lake.datasetName(ofPath: file.path) ?? "(none)"
            usage[zone + "/" + dataset, default: Usage(zone: zone, dataset: dataset, files: 0, bytes: 0)].files += 1
            usage[zone + "/" + dataset]!.bytes += file.bytes
        }
        let newest = Freshness.newestData(lake)
        let ages = lake.datasets.values.sorted { $0.name < $1.name }.map { d in
            Age(dataset: d.name, hours: newest[d.name].map { (lake.now - $0) / 3600 }, freshnessHours: d.freshnessHours)
        }
        return GovernanceReport(
            root: lake.root.path, checkedAt: Timestamps.iso(options.now), verify: options.verify, findings: findings,
            usage: usage.values.sorted { ($0.zone, $0.dataset) < ($1.zone, $1.dataset) }, ages: ages,
            datasets: lake.datasets.count, catalogedFiles: lake.catalogedInOrder.count,
            seconds: Date().timeIntervalSince(started))
    }

    public func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }

    /// Whether `--strict` fails: any finding at warning or worse.
    public var violates: Bool { findings.contains { $0.severity <= .warning } }

    /// Findings per rule, most first.
    public var byRule: [(rule: String, count: Int)] {
        Dictionary(grouping: findings, by: \.rule).map { ($0.key, $0.value.count) }.sorted { ($1.count, $0.rule) < ($0.count, $1.rule) }
    }
}
