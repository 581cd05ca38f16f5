/// Data the catalog does not know: files copied in by hand or left by another tool, and
/// dataset folders (or catalog datasets) without a contract.
struct UncatalogedData: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        var findings: [Finding] = []
        for file in lake.diskInOrder where lake.cataloged[file.path] == nil && !lake.pendingDeletion.contains(file.path)
            && lake.duckLake.files[file.path] == nil {
            findings.append(Finding(
                rule: "uncataloged-file", category: .uncataloged, severity: .warning,
                dataset: lake.datasetName(ofPath: file.path), path: file.path,
                message: "file is in the lake but not in the catalog (\(file.bytes) bytes)",
                hint: "bring it under a dataset with `lake catalog adopt \(file.path) --dataset NAME`, or move it out of the lake",
                bytes: file.bytes))
        }
        // A folder belongs to the dataset of the files cataloged in it (adopted files may sit in
        // a folder named otherwise), else to the dataset it is named after.
        var owners: [String: String] = [:]
        for file in lake.catalogedInOrder {
            if let folder = lake.datasetFolder(ofPath: file.path) { owners[folder] = file.dataset }
        }
        // DuckLake tables other writers made have their own finding (TableWithoutContract).
        var reported = Set<String>()
        let duckLakeFolders = Set(lake.duckLake.tables.map(\.folder))
        for folder in lake.folders where !duckLakeFolders.contains(folder.path) {
            let known = lake.datasets[owners[folder.path] ?? folder.dataset]
            guard known == nil || known?.currentSchemaVersion == nil, !reported.contains(folder.dataset) else { continue }
            reported.insert(folder.dataset)
            findings.append(Finding(
                rule: "dataset-without-contract", category: .uncataloged, severity: .warning, dataset: folder.dataset,
                path: folder.path,
                message: known == nil ? "dataset folder that the catalog has no dataset for"
                    : "dataset has data but no contract (schema, owner, retention)",
                hint: "write schemas/\(folder.source.map { $0 + "/" } ?? "")\(folder.dataset).json and run `lake catalog sync`"))
        }
        for (name, record) in lake.datasets.sorted(by: { $0.key < $1.key })
        where record.currentSchemaVersion == nil && !reported.contains(name) {
            findings.append(Finding(
                rule: "dataset-without-contract", category: .uncataloged, severity: .warning, dataset: name, path: nil,
                message: "the catalog lists this dataset but no contract was ever registered for it",
                hint: "write its contract in schemas/ and run `lake catalog sync`"))
        }
        return findings
    }
}
