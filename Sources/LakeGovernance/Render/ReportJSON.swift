import LakeCore

/// `lake governance --format json`: the schema the README documents, stable for scripts.
///
/// ```
/// {"lake": "/abs/root", "checked_at": "…Z", "verify": false,
///  "summary": {"findings": 3, "error": 1, "warning": 2, "info": 0, "strict_violation": true,
///              "by_rule": {"uncataloged-file": 2, …}, "by_category": {…}, "datasets": 5, "cataloged_files": 120},
///  "findings": [{"rule", "category", "severity", "dataset", "path", "message", "hint", "bytes"}, …],
///  "usage": [{"zone", "dataset", "files", "bytes"}, …],
///  "freshness": [{"dataset", "hours_since_newest", "freshness_hours"}, …]}
/// ```
public enum ReportJSON {
    public static func render(_ report: GovernanceReport) -> JSONValue {
        var byCategory: [(String, JSONValue)] = []
        for category in Category.allCases {
            let n = report.findings.filter { $0.category == category }.count
            byCategory.append((category.rawValue, .int(n)))
        }
        let summary: JSONValue = .object([
            ("findings", .int(report.findings.count)),
            ("error", .int(report.count(.error))), ("warning", .int(report.count(.warning))), ("info", .int(report.count(.info))),
            ("strict_violation", .bool(report.violates)),
            ("by_rule", .object(report.byRule.map { ($0.rule, .int($0.count)) })),
            ("by_category", .object(byCategory)),
            ("datasets", .int(report.datasets)), ("cataloged_files", .int(report.catalogedFiles)),
        ])
        return .object([
            ("lake", .string(report.root)), ("checked_at", .string(report.checkedAt)), ("verify", .bool(report.verify)),
            ("summary", summary),
            ("findings", .array(report.findings.map(\.json))),
            ("usage", .array(report.usage.map {
                .object([("zone", .string($0.zone)), ("dataset", .string($0.dataset)), ("files", .int($0.files)), ("bytes", .int($0.bytes))])
            })),
            ("freshness", .array(report.ages.map {
                .object([("dataset", .string($0.dataset)), ("hours_since_newest", $0.hours.map(JSONValue.double) ?? .null),
                         ("freshness_hours", $0.freshnessHours.map(JSONValue.double) ?? .null)])
            })),
        ])
    }
}
