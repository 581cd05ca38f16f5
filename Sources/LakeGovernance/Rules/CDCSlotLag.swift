import Foundation

/// A replication slot nobody reads keeps WAL on the source database until its disk fills:
/// a warning past `cdcSlotWarnBytes`, an error past `cdcSlotErrorBytes`, with the bytes held.
struct CDCSlotLag: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        lake.options.cdcSlots.compactMap { slot in
            let name = "slot \(slot.slot) on \(slot.source)"
            if let error = slot.error {
                return Finding(rule: "cdc-slot-lag", category: .integrity, severity: .warning, dataset: nil, path: nil,
                               message: "\(name) could not be asked how much WAL it holds: \(error)",
                               hint: "set PGPASSWORD or ~/.pgpass for the capture's user, or run lake cdc status \(slot.source)")
            }
            guard slot.exists else {
                return Finding(rule: "cdc-slot-lag", category: .integrity, severity: .warning, dataset: nil, path: nil,
                               message: "\(name) is gone (dropped outside lake?): changes to \(slot.tables) are no longer kept for lake",
                               hint: "run lake ingest cdc again: it makes a new slot and a new snapshot")
            }
            let size = ByteCountFormatter.string(fromByteCount: slot.retainedBytes, countStyle: .binary)
            guard slot.retainedBytes >= lake.options.cdcSlotWarnBytes else { return nil }
            let severe = slot.retainedBytes >= lake.options.cdcSlotErrorBytes
            return Finding(rule: "cdc-slot-lag", category: .integrity, severity: severe ? .error : .warning, dataset: nil, path: nil,
                           message: "\(name) holds \(size) (\(slot.retainedBytes) bytes) of WAL that lake has not read",
                           hint: "run lake ingest cdc to catch up, or lake cdc drop if the capture is over: the database keeps "
                               + "this WAL until its disk fills")
        }
    }
}
