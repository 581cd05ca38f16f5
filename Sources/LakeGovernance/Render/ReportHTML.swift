import Foundation
import LakeCore

/// `lake governance --format html`: one self-contained page (inline CSS and SVG, no network)
/// with four charts — bytes and files per zone and dataset, findings by rule, freshness per
/// dataset — and the findings table.
public enum ReportHTML {
    public static func render(_ report: GovernanceReport) -> String {
        let usage = report.usage.map { (label: "\($0.zone)/\($0.dataset)", zone: $0.zone, bytes: $0.bytes, files: $0.files) }
        let bytes = barChart(id: "chart-bytes", title: "Bytes per zone and dataset",
                             bars: usage.map { ($0.label, Double($0.bytes), zoneColor($0.zone), humanBytes($0.bytes)) })
        let files = barChart(id: "chart-files", title: "Files per zone and dataset",
                             bars: usage.map { ($0.label, Double($0.files), zoneColor($0.zone), "\($0.files)") })
        let findings = barChart(id: "chart-findings", title: "Findings by rule", bars: report.byRule.map { rule in
            let worst = report.findings.filter { $0.rule == rule.rule }.map(\.severity).min() ?? .info
            return (rule.rule, Double(rule.count), severityColor(worst), "\(rule.count)")
        })
        let freshness = freshnessChart(report.ages)
        var rows = ""
        for f in report.findings {
            rows += "<tr class=\"\(f.severity.rawValue)\"><td>\(f.severity.rawValue)</td><td>\(Markup.escape(f.rule))</td>"
                + "<td>\(Markup.escape(f.dataset ?? ""))</td><td><code>\(Markup.escape(f.path ?? ""))</code></td>"
                + "<td>\(Markup.escape(f.message))<div class=\"hint\">\(Markup.escape(f.hint))</div></td></tr>\n"
        }
        let summary = Severity.allCases.map { "<span class=\"pill \($0.rawValue)\">\(report.count($0)) \($0.rawValue)</span>" }
            .joined(separator: " ")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>lake governance — \(Markup.escape(report.root))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
            h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:24px 0 8px}
            .meta{color:#5b6372;margin-bottom:12px}
            .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
            .card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px}
            svg text{font:12px system-ui,sans-serif;fill:#1d2330}
            table{border-collapse:collapse;width:100%;background:#fff}
            td,th{border-bottom:1px solid #e5e8ec;padding:6px 8px;text-align:left;vertical-align:top}
            .hint{color:#5b6372;font-size:12px}
            .pill{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff}
            .pill.error{background:#c0392b}.pill.warning{background:#d68910}.pill.info{background:#2e86c1}
            tr.error td:first-child{color:#c0392b;font-weight:600} tr.warning td:first-child{color:#d68910;font-weight:600}
            </style></head>
            <body>
            <h1>lake governance</h1>
            <div class="meta">\(Markup.escape(report.root)) · checked \(Markup.escape(report.checkedAt))\(report.verify ? " · with --verify" : "") · \(report.datasets) datasets · \(report.catalogedFiles) cataloged files</div>
            <div id="summary">\(summary)</div>
            <div class="grid">
            <div class="card">\(bytes)</div>
            <div class="card">\(files)</div>
            <div class="card">\(findings)</div>
            <div class="card">\(freshness)</div>
            </div>
            <h2>Findings (\(report.findings.count))</h2>
            <table id="findings"><thead><tr><th>severity</th><th>rule</th><th>dataset</th><th>path</th><th>finding</th></tr></thead>
            <tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"5\">No findings.</td></tr>" : rows)
            </tbody></table>
            <script>
            document.documentElement.dataset.charts = String(document.querySelectorAll("svg.chart").length);
            </script>
            </body></html>

            """
    }

    /// A horizontal bar chart: one labelled bar per item, with its value at the end.
    static func barChart(id: String, title: String, bars: [(label: String, value: Double, color: String, text: String)]) -> String {
        let rowHeight = 20.0, labelWidth = 190.0, width = 460.0, top = 28.0
        let height = top + Double(max(bars.count, 1)) * rowHeight + 8
        let maxValue = bars.map(\.value).max() ?? 0
        var svg = "<svg class=\"chart\" id=\"\(id)\" role=\"img\" aria-label=\"\(Markup.escape(title))\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<text x=\"0\" y=\"16\" font-weight=\"600\">\(Markup.escape(title))</text>"
        if bars.isEmpty {
            svg += "<text x=\"0\" y=\"\(top + 14)\">nothing to show</text>"
        }
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * rowHeight
            let length = maxValue > 0 ? max(1, (width - labelWidth - 70) * bar.value / maxValue) : 1
            svg += "<text x=\"0\" y=\"\(y + 13)\">\(Markup.escape(truncate(bar.label, 28)))</text>"
            svg += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(format(length))\" height=\"14\" fill=\"\(bar.color)\"><title>\(Markup.escape(bar.label)): \(Markup.escape(bar.text))</title></rect>"
            svg += "<text x=\"\(format(labelWidth + length + 4))\" y=\"\(y + 13)\">\(Markup.escape(bar.text))</text>"
        }
        return svg + "</svg>"
    }

    /// Hours since each dataset's newest data, with its freshness promise as a tick.
    static func freshnessChart(_ ages: [GovernanceReport.Age]) -> String {
        let items = ages.filter { $0.hours != nil }
        let rowHeight = 20.0, labelWidth = 190.0, width = 460.0, top = 28.0
        let height = top + Double(max(items.count, 1)) * rowHeight + 8
        let scale = max(1, items.map { max($0.hours ?? 0, $0.freshnessHours ?? 0) }.max() ?? 1)
        let span = width - labelWidth - 90
        var svg = "<svg class=\"chart\" id=\"chart-freshness\" role=\"img\" aria-label=\"Freshness per dataset\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<text x=\"0\" y=\"16\" font-weight=\"600\">Freshness: hours since newest data (tick: promise)</text>"
        if items.isEmpty { svg += "<text x=\"0\" y=\"\(top + 14)\">no data yet</text>" }
        for (i, age) in items.enumerated() {
            let y = top + Double(i) * rowHeight
            let hours = max(0, age.hours ?? 0)
            let stale = age.freshnessHours.map { hours > $0 } ?? false
            let length = max(1, span * hours / scale)
            svg += "<text x=\"0\" y=\"\(y + 13)\">\(Markup.escape(truncate(age.dataset, 28)))</text>"
            svg += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(format(length))\" height=\"14\" fill=\"\(stale ? "#c0392b" : "#27ae60")\"><title>\(Markup.escape(age.dataset)): \(format(hours)) h</title></rect>"
            if let promise = age.freshnessHours {
                let x = labelWidth + span * promise / scale
                svg += "<line class=\"promise\" x1=\"\(format(x))\" x2=\"\(format(x))\" y1=\"\(y)\" y2=\"\(y + 20)\" stroke=\"#1d2330\" stroke-width=\"2\"/>"
            }
            svg += "<text x=\"\(format(labelWidth + length + 4))\" y=\"\(y + 13)\">\(format(hours)) h</text>"
        }
        return svg + "</svg>"
    }

    static func zoneColor(_ zone: String) -> String {
        ["raw": "#5d6d7e", "staged": "#2e86c1", "curated": "#27ae60", "quarantine": "#d68910"][zone] ?? "#8e44ad"
    }

    static func severityColor(_ severity: Severity) -> String {
        switch severity { case .error: "#c0392b"; case .warning: "#d68910"; case .info: "#2e86c1" }
    }

    static func humanBytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func format(_ x: Double) -> String { String(format: "%.1f", x) }

    static func truncate(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
