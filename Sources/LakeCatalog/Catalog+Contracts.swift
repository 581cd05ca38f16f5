import Foundation
import LakeCore

/// What registering a contract did.
public enum RegistrationOutcome: Equatable, Sendable {
    case created(version: Int)
    case newVersion(Int)
    case unchanged(version: Int)

    public var version: Int {
        switch self { case let .created(v), let .newVersion(v), let .unchanged(v): return v }
    }
}

extension Catalog {
    /// Registers a contract: a new dataset, a new schema version, or nothing when the
    /// current version has the same fingerprint. Every version is kept.
    @discardableResult
    public func register(_ contract: DatasetContract) throws -> RegistrationOutcome {
        try write { db in try Self.register(contract, db: db) }
    }

    /// Registers every contract in `folder` (recursively), or none when any is invalid.
    /// JSON files without `$schema` or `x-lake` are not contracts and are skipped; `sources/`
    /// holds source declarations (`lake ingest api`), not contracts.
    public func sync(folder: String, skipped: (String) -> Void = { _ in })
        throws -> [(DatasetContract, RegistrationOutcome)]
    {
        let declarations = (folder.hasSuffix("/") ? folder : folder + "/") + "sources/"
        let files = FileSystem.files(under: folder).filter { $0.hasSuffix(".json") && !$0.hasPrefix(declarations) }
        var contracts: [DatasetContract] = []
        var problems: [CatalogError] = []
        for file in files {
            let shown = displayPath(file)
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               object["$schema"] == nil, object["x-lake"] == nil {
                skipped("\(shown): no \"$schema\" or \"x-lake\", not a dataset contract; skipped")
                continue
            }
            do {
                contracts.append(try DatasetContract(data: data, file: shown))
            } catch let error as CatalogError {
                problems.append(error)
            }
        }
        if let first = problems.first {
            throw CatalogError.contractsInvalid(first: first.message, more: problems.count - 1)
        }
        let names = Dictionary(grouping: contracts, by: \.name)
        if let clash = names.first(where: { $0.value.count > 1 }) {
            throw CatalogError.invalidContract(
                file: clash.value.map(\.file).joined(separator: " and "),
                problem: "both define dataset '\(clash.key)'; a dataset has one contract")
        }
        return try write { db in try contracts.map { ($0, try Self.register($0, db: db)) } }
    }

    private func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    static func register(_ contract: DatasetContract, db: CatalogDatabase) throws -> RegistrationOutcome {
        let now = Timestamps.iso()
        let existing = try DatasetRecord.fetchOne(db, key: contract.name)
        let latest = try SchemaVersionRecord.fetchOne(db, "WHERE dataset = ? ORDER BY version DESC", [contract.name])
        if let latest, latest.fingerprint == contract.fingerprint, existing?.currentSchemaVersion == latest.version {
            return .unchanged(version: latest.version)
        }
        let version = (latest?.version ?? 0) + 1
        let record = DatasetRecord(
            name: contract.name, source: contract.source, zone: contract.zone, owner: contract.owner,
            description: contract.description, retentionDays: contract.retentionDays,
            freshnessHours: contract.freshnessHours, pii: jsonArray(contract.pii),
            partitionBy: jsonArray(contract.partitionBy), primaryKey: jsonArray(contract.primaryKey),
            recordsPath: contract.recordsPath, currentSchemaVersion: version, contractFile: contract.file,
            createdAt: existing?.createdAt ?? now, updatedAt: now)
        try record.save(db)
        var version_ = SchemaVersionRecord(
            id: nil, dataset: contract.name, version: version, fingerprint: contract.fingerprint,
            schemaJson: contract.canonicalJSON, sourceFile: contract.file, registeredAt: now)
        try version_.insert(db)
        return existing == nil ? .created(version: version) : .newVersion(version)
    }
}
