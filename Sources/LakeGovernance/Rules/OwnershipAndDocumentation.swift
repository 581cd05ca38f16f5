import LakeCore

/// Datasets nobody owns, explains or plans to clean up; and contracts in `schemas/` that the
/// catalog does not hold yet.
struct OwnershipAndDocumentation: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        var findings: [Finding] = []
        for (name, d) in lake.datasets.sorted(by: { $0.key < $1.key }) {
            let contract = d.contractFile.map { "its contract (\($0))" } ?? "its contract in schemas/"
            if d.owner == nil {
                findings.append(Finding(
                    rule: "missing-owner", category: .ownership, severity: .warning, dataset: name, path: nil,
                    message: "dataset has no owner", hint: "set x-lake.owner in \(contract) and run `lake catalog sync`"))
            }
            if (d.description ?? "").isEmpty {
                findings.append(Finding(
                    rule: "missing-description", category: .ownership, severity: .warning, dataset: name, path: nil,
                    message: "dataset has no description",
                    hint: "add \"description\" to \(contract) and run `lake catalog sync`"))
            }
            if d.retentionDays == nil {
                findings.append(Finding(
                    rule: "missing-retention", category: .ownership, severity: .warning, dataset: name, path: nil,
                    message: "dataset has no retention, so its data is kept forever",
                    hint: "set x-lake.retention_days in \(contract) and run `lake catalog sync`"))
            }
        }
        for (file, problem) in lake.schemaFolderProblems {
            findings.append(Finding(
                rule: "invalid-contract", category: .ownership, severity: .warning, dataset: nil, path: file,
                message: problem, hint: "fix the contract and run `lake catalog sync`"))
        }
        for contract in lake.schemaFolderContracts {
            let registered = lake.contracts[contract.name]
            guard registered?.fingerprint != contract.fingerprint else { continue }
            findings.append(Finding(
                rule: "contract-not-synced", category: .ownership, severity: .warning, dataset: contract.name,
                path: contract.file,
                message: registered == nil ? "contract is not registered in the catalog"
                    : "contract differs from the catalog's current schema version",
                hint: "run `lake catalog sync`"))
        }
        return findings
    }
}
