/// Tables a DuckDB client created in the attached DuckLake catalog: readable by `lake query`,
/// but with no contract, owner or retention until someone writes one.
struct TableWithoutContract: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        lake.duckLake.tables.compactMap { table, folder in
            guard lake.contracts[table.name] == nil else { return nil }
            let bytes = lake.duckLake.files.filter { $0.value == table }.keys.reduce(0) { $0 + (lake.disk[$1]?.bytes ?? 0) }
            return Finding(
                rule: "table-without-contract", category: .uncataloged, severity: .warning, dataset: table.name, path: folder,
                message: "\(table.schema).\(table.name) was created in the DuckLake catalog outside lake (by DuckDB?) and has no lake contract",
                hint: "write schemas/\(table.schema)/\(table.name).json (owner, retention, columns) and run `lake catalog sync`, or DROP TABLE it in DuckDB",
                bytes: bytes)
        }
    }
}
