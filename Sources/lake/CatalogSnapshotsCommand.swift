import ArgumentParser
import LakeCatalog
import LakeCore

/// The DuckLake snapshots: one per promotion, retention run, or DuckDB commit.
struct CatalogSnapshots: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshots",
        abstract: "DuckLake snapshots, newest first: what each changed. `AT (VERSION => id)` reads a table as of one.",
        discussion: "Every promotion commits one snapshot, and so does every DuckDB transaction on the attached lake. "
            + "`lake vacuum` expires snapshots older than its retention window.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "Only snapshots that changed this table (`plays`, `staged.plays`, `curated.track_plays_daily`).") var table: String?
    @Option(help: "How many snapshots (0: all).") var limit = 0
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        var name: DuckLakeTableName?
        if let table {
            let parts = table.lowercased().split(separator: ".").map(String.init)
            let tables = try catalog.duckLakeTables()
            name = tables.first { parts.count == 2 ? ($0.schema == parts[0] && $0.name == parts[1]) : $0.name == parts[0] }
            guard name != nil else {
                throw ValidationError("no DuckLake table '\(table)'; the lake has: " + tables.map { "\($0.schema).\($0.name)" }.joined(separator: ", "))
            }
        }
        var snapshots = try catalog.duckLakeSnapshots(touching: name)
        if limit > 0 { snapshots = Array(snapshots.prefix(limit)) }
        if format == .json {
            return Output.json(.array(snapshots.map {
                .object([("snapshot_id", .int(Int($0.id))), ("snapshot_time", .string($0.time)), ("schema_version", .int(Int($0.schemaVersion))),
                         ("changes", .string($0.changes)), ("author", $0.author.json), ("message", $0.message.json)])
            }))
        }
        var out = Table(["snapshot", "time", "schema", "changes", "by", "message"])
        for s in snapshots { out.add(["\(s.id)", s.time, "\(s.schemaVersion)", s.changes, s.author ?? "-", s.message ?? "-"]) }
        print(snapshots.isEmpty ? "No snapshots." : out.render())
    }
}

/// Every table in the DuckLake catalog, lake's own and those other writers created.
struct CatalogTables: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "The DuckLake tables (staged.*, curated.*, and any a DuckDB client created), with rows and whether lake has a contract for them.")
    @OptionGroup var lake: LakeOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let contracts = Set(try catalog.datasets().filter { $0.currentSchemaVersion != nil }.map(\.name))
        let tables = try catalog.duckLakeTables().compactMap { try catalog.duckLakeTable(schema: $0.schema, name: $0.name) }
        if format == .json {
            return Output.json(.array(tables.map { t in
                .object([("schema", .string(t.table.schema)), ("table", .string(t.table.name)), ("table_id", .int(Int(t.table.id))),
                         ("lake_contract", .bool(contracts.contains(t.table.name))), ("rows", .int(t.rows)),
                         ("files", .int(t.files.count)), ("inlined_rows", .int(t.inlinedRows.count)),
                         ("bytes", .int(t.files.reduce(0) { $0 + $1.bytes })), ("columns", .array(t.columns.map { .string($0.name) }))])
            }))
        }
        var out = Table(["table", "rows", "files", "inlined", "bytes", "lake contract"])
        for t in tables {
            out.add(["\(t.table.schema).\(t.table.name)", "\(t.rows)", "\(t.files.count)", "\(t.inlinedRows.count)",
                     t.files.reduce(0) { $0 + $1.bytes }.byteSize, contracts.contains(t.table.name) ? "yes" : "no (made outside lake)"])
        }
        print(tables.isEmpty ? "No DuckLake tables yet: promote a dataset." : out.render())
    }
}
