import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeTransform

struct OptimizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Merge the small files of each partition of a staged dataset or curated table into larger ones, as a new version.",
        discussion: """
            Streams commit a file per partition per flush, and each promotion adds files: queries then open
            many small files. `lake optimize` rewrites each partition's files into files of about --target-mb,
            as one new version and one DuckLake snapshot (time travel still reads the old files until
            `lake vacuum`). The rows do not change.
            """)

    @OptionGroup var lake: LakeOptions
    @Argument(help: "Datasets or curated tables to optimize.") var datasets: [String] = []
    @Flag(help: "Every staged dataset and curated table with a version.") var all = false
    @Option(help: "Target size of a merged file, in MB.") var targetMb = 128
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
        if datasets.isEmpty && !all { throw ValidationError("name a dataset (`lake optimize plays`) or pass --all") }
        guard targetMb >= 1 else { throw ValidationError("--target-mb must be at least 1") }
    }

    func run() async throws {
        let catalog = try lake.openCatalog()
        var names = datasets
        if all {
            names = try catalog.datasets().filter { d in
                (d.zone == "staged" || d.zone == "curated")
                    && ((try? catalog.currentVersion(of: d.name, zone: LakeRoot.Zone(rawValue: d.zone)!)) ?? nil) != nil
            }.map(\.name)
        }
        var options = PromoteOptions()
        options.command = "lake optimize " + (all ? "--all" : datasets.joined(separator: " "))
        let reports = try names.map { try Compactor(catalog: catalog, options: options).optimize(dataset: $0, targetBytes: targetMb << 20) }
        if format == .json { return Output.json(.array(reports.map(\.json))) }
        var table = Table(["dataset", "version", "files before", "files after", "partitions merged", "rows", "seconds"])
        for r in reports {
            table.add(["\(r.zone).\(r.dataset)", r.version.map { "v\($0)" } ?? "-", "\(r.filesBefore)", "\(r.filesAfter)",
                       "\(r.partitionsMerged)", "\(r.rows)", String(format: "%.2f", r.seconds)])
        }
        print(table.render())
        for note in reports.flatMap(\.notes) { Progress.shared.note(note) }
    }
}
