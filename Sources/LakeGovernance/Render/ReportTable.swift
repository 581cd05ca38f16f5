/// `lake governance` for people: findings grouped by severity, each with how to fix it.
public enum ReportTable {
    public static func render(_ report: GovernanceReport) -> String {
        var out = ""
        if report.findings.isEmpty {
            out += "No findings: every file is cataloged and intact, every dataset owned, documented, fresh and within retention.\n"
        }
        for severity in Severity.allCases {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += "\(severity.rawValue.uppercased()) (\(group.count))\n"
            let ruleWidth = min(24, group.map(\.rule.count).max() ?? 0)
            let datasetWidth = min(20, group.map { ($0.dataset ?? "-").count }.max() ?? 0)
            for f in group {
                out += "  " + pad(f.rule, ruleWidth) + "  " + pad(f.dataset ?? "-", datasetWidth) + "  "
                    + (f.path.map { $0 + ": " } ?? "") + f.message + "\n"
                out += "  " + String(repeating: " ", count: ruleWidth + datasetWidth + 4) + "→ " + f.hint + "\n"
            }
            out += "\n"
        }
        let counts = Severity.allCases.map { "\(report.count($0)) \($0.rawValue)\(report.count($0) == 1 || $0 == .info ? "" : "s")" }
        out += "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") (\(counts.joined(separator: ", "))) "
            + "in \(report.datasets) datasets and \(report.catalogedFiles) cataloged files\n"
        return out
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
