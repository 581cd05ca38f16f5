/// Fields or types that promotion saw in raw records but the contract lacks.
struct SchemaDrift: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        lake.drift.compactMap { d in
            if let field = lake.contracts[d.dataset]?.fields.first(where: { $0.name == d.field }),
               field.types.isEmpty || field.types.contains(d.seenType) || (d.seenType == "integer" && field.types.contains("number")) {
                return nil
            }
            let known = lake.contracts[d.dataset]?.fields.contains { $0.name == d.field } ?? false
            return Finding(
                rule: "schema-drift", category: .drift, severity: .warning, dataset: d.dataset, path: d.firstRawFile,
                message: known ? "field '\(d.field)' arrived as \(d.seenType), which the contract does not allow (\(d.count) times)"
                    : "field '\(d.field)' (\(d.seenType)) is not in the contract; seen \(d.count) times, kept in _extra",
                hint: "add '\(d.field)' to the dataset's contract, run `lake catalog sync`, then `lake promote \(d.dataset) --full-refresh`")
        }
    }
}
