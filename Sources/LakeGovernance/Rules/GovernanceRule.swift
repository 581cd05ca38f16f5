/// One check of the lake against its catalog and contracts. Rules only read the inventory;
/// each is one file, named after the swamp symptom it catches.
public protocol GovernanceRule: Sendable {
    func check(_ lake: LakeInventory) -> [Finding]
}

/// Every rule, in the order a report lists their categories.
public enum GovernanceRules {
    public static let all: [any GovernanceRule] = [
        UncatalogedData(), TableWithoutContract(), OwnershipAndDocumentation(), RetentionExpired(), FileIntegrity(), SchemaDrift(),
        Freshness(), PIIExposure(), QuarantinedRecords(), StreamGaps(), CDCSlotLag(),
    ]
}

extension LakeInventory {
    /// The dataset a zone path belongs to: `raw/<source>/<dataset>/…`, `<zone>/<dataset>/…`.
    func datasetName(ofPath path: String) -> String? {
        datasetFolder(ofPath: path).map { String($0.split(separator: "/").last!) }
    }

    /// The dataset folder a file lies in (`raw/<source>/<dataset>`, `<zone>/<dataset>`), if any.
    func datasetFolder(ofPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let zone = parts.first else { return nil }
        let depth = zone == "raw" ? 3 : 2
        return parts.count > depth ? parts.prefix(depth).joined(separator: "/") : nil
    }
}
