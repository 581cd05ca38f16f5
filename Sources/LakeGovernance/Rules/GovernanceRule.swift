/// One check of the lake against its catalog and contracts. Rules only read the inventory;
/// each is one file, named after the swamp symptom it catches.
public protocol GovernanceRule: Sendable {
    func check(_ lake: LakeInventory) -> [Finding]
}

/// Every rule, in the order a report lists their categories.
public enum GovernanceRules {
    public static let all: [any GovernanceRule] = [
        UncatalogedData(), OwnershipAndDocumentation(), RetentionExpired(), FileIntegrity(), SchemaDrift(),
        Freshness(), PIIExposure(), QuarantinedRecords(),
    ]
}

extension LakeInventory {
    /// The dataset a zone path belongs to: `raw/<source>/<dataset>/…`, `<zone>/<dataset>/…`.
    func datasetName(ofPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let zone = parts.first else { return nil }
        if zone == "raw" { return parts.count > 3 ? String(parts[2]) : nil }
        return parts.count > 2 ? String(parts[1]) : nil
    }
}
