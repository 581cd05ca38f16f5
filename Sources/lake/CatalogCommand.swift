import ArgumentParser
import LakeCatalog
import LakeCore

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Datasets, their contracts, files and runs.",
        subcommands: [CatalogList.self, CatalogShow.self, CatalogSync.self, CatalogRegister.self, CatalogRuns.self,
                      CatalogLineage.self, CatalogAdopt.self, CatalogAudit.self, CatalogSnapshots.self, CatalogTables.self])
}

struct CatalogList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every dataset, with its owner and size.")
    @OptionGroup var lake: LakeOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let stats = try catalog.zoneStats()
        let datasets = try catalog.datasets()
        if format == .json {
            return Output.json(.array(datasets.map { DatasetJSON.summary($0, stats: stats[$0.name] ?? []) }))
        }
        var table = Table(["dataset", "source", "owner", "retention", "schema", "files", "rows", "records", "bytes"])
        for d in datasets {
            let s = stats[d.name] ?? []
            table.add([d.name, d.source ?? "-", d.owner ?? "(none)", d.retentionDays.map { "\($0) d" } ?? "-",
                       d.currentSchemaVersion.map { "v\($0)" } ?? "(none)", "\(s.reduce(0) { $0 + $1.files })",
                       "\(s.reduce(0) { $0 + $1.rows })", "\(s.reduce(0) { $0 + $1.records })",
                       s.reduce(0) { $0 + $1.bytes }.byteSize])
        }
        print(datasets.isEmpty ? "No datasets yet: run `lake catalog sync` or an ingestion." : table.render())
        let foreign = try catalog.duckLakeForeign().tables.filter { t in !datasets.contains { $0.name == t.name.name } }
        if !foreign.isEmpty {
            print("\nAlso in the DuckLake catalog, made outside lake (no contract): "
                  + foreign.map { "\($0.name.schema).\($0.name.name)" }.joined(separator: ", ") + " — see `lake catalog tables`")
        }
    }
}

struct CatalogShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One dataset: contract, versions, files.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "Dataset name (`new_releases` or `spotify.new_releases`).") var dataset: String
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let d = try catalog.dataset(named: dataset)
        let stats = try catalog.zoneStats()[d.name] ?? []
        let versions = try catalog.schemaVersions(of: d.name)
        let files = try catalog.files(of: d.name)
        let published = try catalog.versions(of: d.name)
        let drift = try catalog.drift(of: d.name)
        if format == .json {
            guard case var .object(pairs) = DatasetJSON.summary(d, stats: stats) else { return }
            pairs.append(("schema_versions", .array(versions.map {
                .object([("version", .int($0.version)), ("fingerprint", .string($0.fingerprint)),
                         ("registered_at", .string($0.registeredAt)), ("source_file", $0.sourceFile.json),
                         ("schema", (try? JSONValue.parse($0.schemaJson)) ?? .null)])
            })))
            pairs.append(("files", .array(files.map {
                .object([("path", .string($0.path)), ("zone", .string($0.zone)), ("dt", $0.dt.json),
                         ("region", $0.region.json), ("rows", .int($0.rows)), ("records", .int($0.records)),
                         ("bytes", .int($0.bytes)), ("sha256", .string($0.sha256)), ("batch_id", .string($0.batchId)),
                         ("created_at", .string($0.createdAt))])
            })))
            pairs.append(("versions", .array(published.map {
                .object([("zone", .string($0.zone)), ("version", .int($0.version)), ("state", .string($0.state)),
                         ("folder", .string($0.folder)), ("files", .int($0.files)), ("rows", .int($0.rows)),
                         ("created_at", .string($0.createdAt)), ("retired_at", $0.retiredAt.json)])
            })))
            pairs.append(("drift", .array(drift.map {
                .object([("field", .string($0.field)), ("seen_type", .string($0.seenType)), ("count", .int($0.count)),
                         ("first_raw_file", .string($0.firstRawFile)), ("first_seen_at", .string($0.firstSeenAt)),
                         ("last_seen_at", .string($0.lastSeenAt))])
            })))
            return Output.json(.object(pairs))
        }
        print("\(d.source.map { "\($0)." } ?? "")\(d.name)")
        print("  description  \(d.description ?? "(none)")")
        print("  owner        \(d.owner ?? "(none)")")
        print("  retention    \(d.retentionDays.map { "\($0) days" } ?? "(none)")")
        print("  pii          \(d.piiFields.isEmpty ? "-" : d.piiFields.joined(separator: ", "))")
        print("  partition_by \(d.partitionKeys.joined(separator: ", "))")
        print("  primary_key  \(d.primaryKeyFields.isEmpty ? "-" : d.primaryKeyFields.joined(separator: ", "))")
        print("  contract     \(d.contractFile ?? "(none)")")
        print("")
        var versionTable = Table(["version", "registered_at", "fingerprint", "file"])
        for v in versions { versionTable.add(["v\(v.version)", v.registeredAt, String(v.fingerprint.prefix(12)), v.sourceFile ?? "-"]) }
        print(versions.isEmpty ? "No schema registered." : versionTable.render())
        print("")
        var zoneTable = Table(["zone", "files", "rows", "records", "bytes"])
        for s in stats { zoneTable.add([s.zone, "\(s.files)", "\(s.rows)", "\(s.records)", s.bytes.byteSize]) }
        print(stats.isEmpty ? "No files." : zoneTable.render())
        let regions = Dictionary(grouping: files, by: { $0.region ?? Hive.defaultPartition })
        if !regions.isEmpty {
            print("")
            var partitionTable = Table(["region", "days", "files", "rows", "bytes"])
            for (region, group) in regions.sorted(by: { $0.key < $1.key }) {
                partitionTable.add([region, "\(Set(group.compactMap(\.dt)).count)", "\(group.count)",
                                    "\(group.reduce(0) { $0 + $1.rows })", group.reduce(0) { $0 + $1.bytes }.byteSize])
            }
            print(partitionTable.render())
        }
        if !published.isEmpty {
            print("")
            var table = Table(["zone", "version", "state", "files", "rows", "created_at", "folder"])
            for v in published { table.add([v.zone, "v\(v.version)", v.state, "\(v.files)", "\(v.rows)", v.createdAt, v.folder]) }
            print(table.render())
        }
        if !drift.isEmpty {
            print("\nSchema drift (kept in the staged _extra column until the contract names it):")
            var table = Table(["field", "seen type", "count", "first raw file"])
            for x in drift { table.add([x.field, x.seenType, "\(x.count)", x.firstRawFile]) }
            print(table.render())
        }
    }
}

enum DatasetJSON {
    static func summary(_ d: DatasetRecord, stats: [ZoneStats]) -> JSONValue {
        .object([
            ("name", .string(d.name)), ("source", d.source.json), ("zone", .string(d.zone)),
            ("owner", d.owner.json), ("description", d.description.json),
            ("retention_days", d.retentionDays.map(JSONValue.int) ?? .null),
            ("pii", .array(d.piiFields.map(JSONValue.string))),
            ("partition_by", .array(d.partitionKeys.map(JSONValue.string))),
            ("primary_key", .array(d.primaryKeyFields.map(JSONValue.string))),
            ("schema_version", d.currentSchemaVersion.map(JSONValue.int) ?? .null),
            ("contract_file", d.contractFile.json),
            ("zones", .array(stats.map {
                .object([("zone", .string($0.zone)), ("files", .int($0.files)), ("rows", .int($0.rows)),
                         ("records", .int($0.records)), ("bytes", .int($0.bytes))])
            })),
        ])
    }
}

struct CatalogSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Register every contract in a folder (new versions only when changed).")
    @OptionGroup var lake: LakeOptions
    @Option(help: ArgumentHelp("Folder of contracts (default: ./schemas).", valueName: "dir")) var schemas: String?
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        guard let folder = SchemasFolder.resolve(schemas) else {
            throw CatalogError.noContracts(folder: schemas ?? "./schemas")
        }
        let results = try lake.openCatalog().sync(folder: folder) { Progress.shared.note($0) }
        ContractRendering.print(results, format: format)
    }
}

struct CatalogRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Register one contract file.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "The contract (JSON Schema 2020-12 with x-lake).") var file: String
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let contract = try DatasetContract.load(path: file)
        let outcome = try lake.openCatalog().register(contract)
        ContractRendering.print([(contract, outcome)], format: format)
    }
}

enum ContractRendering {
    static func print(_ results: [(DatasetContract, RegistrationOutcome)], format: OutputFormat) {
        func word(_ o: RegistrationOutcome) -> String {
            switch o { case .created: return "created"; case .newVersion: return "new version"; case .unchanged: return "unchanged" }
        }
        if format == .json {
            return Output.json(.array(results.map {
                .object([("dataset", .string($0.0.name)), ("version", .int($0.1.version)),
                         ("outcome", .string(word($0.1))), ("file", .string($0.0.file))])
            }))
        }
        var table = Table(["dataset", "version", "outcome", "file"])
        for (contract, outcome) in results { table.add([contract.name, "v\(outcome.version)", word(outcome), contract.file]) }
        Swift.print(table.render())
    }
}

struct CatalogRuns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "The run log: recent commands and how they ended.")
    @OptionGroup var lake: LakeOptions
    @Option(help: "How many runs.") var limit = 20
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let runs = try lake.openCatalog().runs(limit: limit)
        if format == .json {
            return Output.json(.array(runs.map {
                .object([("id", .int(Int($0.id ?? 0))), ("command", .string($0.command)), ("started_at", .string($0.startedAt)),
                         ("ended_at", $0.endedAt.json), ("outcome", .string($0.outcome)),
                         ("counts", $0.counts.flatMap { try? JSONValue.parse($0) } ?? .null), ("error", $0.error.json)])
            }))
        }
        var table = Table(["id", "started_at", "outcome", "command"])
        for r in runs { table.add(["\(r.id ?? 0)", r.startedAt, r.outcome, r.command]) }
        print(table.render())
    }
}

struct CatalogLineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage", abstract: "Which raw files became which staged files of a dataset, as a tree.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "Dataset name.") var dataset: String
    @Option(help: "Output format: table (a tree) or json.") var format: OutputFormat = .table

    func run() async throws {
        let catalog = try lake.openCatalog()
        let d = try catalog.dataset(named: dataset)
        let edges = try catalog.lineage(of: d.name)
        let promoted = Dictionary(uniqueKeysWithValues: try catalog.promoted(of: d.name).map { ($0.rawPath, $0) })
        let current = try catalog.currentVersion(of: d.name, zone: .staged)
        let byInput = Dictionary(grouping: edges, by: \.inputPath)
        if format == .json {
            return Output.json(.object([
                ("dataset", .string(d.name)), ("current_version", current.map { .int($0.version) } ?? .null),
                ("raw_files", .array(byInput.keys.sorted().map { raw in
                    let p = promoted[raw]
                    return .object([
                        ("path", .string(raw)), ("records", p.map { .int($0.records) } ?? .null),
                        ("quarantined", p.map { .int($0.quarantined) } ?? .null),
                        ("duplicates", p.map { .int($0.duplicates) } ?? .null),
                        ("staged_files", .array(byInput[raw]!.map {
                            .object([("path", .string($0.outputPath)), ("rows", .int($0.rows)), ("version", .int($0.version))])
                        })),
                    ])
                })),
            ]))
        }
        guard !edges.isEmpty else { return print("\(d.name): nothing promoted yet — run `lake promote \(d.name)`.") }
        print("\(d.name)" + (current.map { " (staged v\($0.version), \($0.rows) rows in \($0.files) files)" } ?? ""))
        let inputs = byInput.keys.sorted()
        for (i, raw) in inputs.enumerated() {
            let last = i == inputs.count - 1
            let p = promoted[raw]
            let counts = p.map { " (\($0.records) records, \($0.quarantined) quarantined, \($0.duplicates) duplicates)" } ?? ""
            print((last ? "└── " : "├── ") + raw + counts)
            let outputs = byInput[raw]!
            for (k, edge) in outputs.enumerated() {
                print((last ? "    " : "│   ") + (k == outputs.count - 1 ? "└── " : "├── ") + "\(edge.outputPath) (\(edge.rows) rows, v\(edge.version))")
            }
        }
    }
}
