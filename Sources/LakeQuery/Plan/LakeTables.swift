import Foundation
import LakeCatalog
import LakeCore

/// Names the binder resolves tables by.
public protocol TableResolver: Sendable {
    func table(_ parts: [String], at: TimeTravel?) throws -> TableSource
    /// Every name a query can use, for "did you mean" and for error messages.
    func knownNames() -> [String]
}

/// The lake's tables: `staged.<dataset>`, `curated.<table>`, `raw.<dataset>` (or
/// `raw.<source>.<dataset>`), and a bare name for a staged or curated table.
public final class LakeTables: TableResolver, @unchecked Sendable {
    let catalog: Catalog?
    /// A team lake's S3 storage, which its files are read from.
    var objects: ObjectStore? { catalog?.objects }

    public init(catalog: Catalog?) { self.catalog = catalog }

    public func knownNames() -> [String] {
        guard let catalog, let datasets = try? catalog.datasets() else { return [] }
        var names: [String] = []
        for d in datasets where (try? catalog.files(of: d.name, zone: .raw).isEmpty == false) == true {
            names.append("raw.\(d.name)")
        }
        for t in (try? catalog.duckLakeTables()) ?? [] where t.schema == "staged" || t.schema == "curated" || t.schema == "main" {
            names.append("\(t.schema).\(t.name)")
        }
        return names.sorted()
    }

    public func table(_ parts: [String], at: TimeTravel?) throws -> TableSource {
        let display = parts.joined(separator: ".")
        guard let catalog else { throw QueryError.unknownTable(display, suggestion: nil, known: []) }
        let lower = parts.map { $0.lowercased() }
        var schema: String?
        let name: String
        switch lower.count {
        case 1: name = lower[0]
        case 2: schema = lower[0]; name = lower[1]
        case 3 where lower[0] == "raw": schema = "raw"; name = lower[2]
        case 3 where lower[0] == "lake": schema = lower[1]; name = lower[2]
        default: return try unknown(display)
        }
        // Staged and curated tables (and any table a DuckDB client created) are DuckLake tables.
        let snapshot = try at.map { try self.snapshot(for: $0) }
        for s in schema.map({ [$0] }) ?? ["curated", "staged", "main"] where s != "raw" && s != "quarantine" {
            let state: DuckLakeTableState?
            do { state = try catalog.duckLakeTable(schema: s, name: name, at: snapshot) } catch let error as LakeError {
                throw QueryError.io("\(display): \(error.message)")
            }
            if let state {
                let source = try TableSource.duckLake(state, name: "\(state.table.schema).\(state.table.name)" + (at == nil ? "" : "@\(state.snapshot)"),
                                                      objects: objects)
                source.bounds = { [table = state.table.id, snapshot = state.snapshot] columns in
                    try catalog.duckLakeFileBounds(table: table, snapshot: snapshot, columns: columns)
                }
                return source
            }
        }
        if let snapshot {
            if schema == "raw" || schema == "quarantine" {
                throw QueryError.unsupported("time travel (AT …) works on staged and curated tables, not on \(schema!).\(name)")
            }
            if (try? catalog.duckLakeTable(schema: schema ?? "staged", name: name)) != nil {
                throw QueryError.io("\(display) did not exist yet at snapshot \(snapshot) — `lake catalog snapshots \(name)` lists its snapshots")
            }
        }
        guard let dataset = try? catalog.dataset(named: name) else { return try unknown(display) }
        let zone = schema.flatMap { LakeRoot.Zone(rawValue: $0) }
        guard zone != nil || schema == nil else { return try unknown(display) }

        // Raw and quarantine are NDJSON as they landed; a staged or curated version published
        // before the catalog had DuckLake tables is read from its files until its next promotion.
        for z in zone.map({ [$0] }) ?? [.curated, .staged] {
            let ndjson = z == .raw || z == .quarantine
            let files = try catalog.files(of: dataset.name, zone: z).map { catalog.place(of: $0.path) }.filter { ndjson || $0.hasSuffix(".parquet") }
            if !files.isEmpty {
                return try TableSource.files(files, name: "\(z.rawValue).\(dataset.name)", format: ndjson ? .ndjson : .parquet, objects: objects)
            }
        }
        let zoneName = zone?.rawValue ?? "staged"
        throw QueryError.io("\(zoneName).\(dataset.name) has no files yet — run `lake \(zoneName == "raw" ? "ingest" : "promote \(dataset.name)")` first")
    }

    /// `AT (VERSION => n)` is DuckLake snapshot n, as in DuckDB; `AT (TIMESTAMP => t)` the
    /// newest snapshot taken at or before t.
    private func snapshot(for at: TimeTravel) throws -> Int64 {
        switch at {
        case let .version(v): return Int64(v)
        case let .timestamp(text):
            guard let micros = Cast.parseTimestamp(text) else { throw QueryError.type("AT (TIMESTAMP => '\(text)'): not a timestamp") }
            guard let s = try catalog!.duckLakeSnapshot(atOrBefore: Double(micros) / 1_000_000) else {
                throw QueryError.io("no snapshot was taken at or before \(text) — `lake catalog snapshots` lists them")
            }
            return s
        }
    }

    private func unknown(_ display: String) throws -> TableSource {
        let known = knownNames()
        let bare = known.map { String($0.split(separator: ".").last!) }
        throw QueryError.unknownTable(display, suggestion: Suggest.closest(to: display, in: known + bare), known: known)
    }
}
