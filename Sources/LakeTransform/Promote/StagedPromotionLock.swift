import Foundation
import LakeCatalog
import LakeCore

/// One promotion of a staged dataset at a time: the lock, then what a killed promotion left
/// (uncommitted files, a version folder without its commit) cleared away, noted in the report.
enum StagedPromotionLock {
    static func acquire(_ dataset: String, catalog: Catalog, options: PromoteOptions, progress: LakeCore.Progress,
                        report: inout PromotionReport) throws -> HeldLock {
        let scope = scope(of: dataset)
        let lock = try catalog.lock(scope, holder: "pid \(getpid()) (\(options.command)) since \(Timestamps.iso())") { holder in
            progress.note("waiting for the \(dataset) promotion lock, held by \(holder)…")
        }
        do {
            let reconciled = try catalog.reconcile(scope: scope)
            if !reconciled.isEmpty { report.notes.append(reconciled.summary) }
            report.notes += try catalog.reconcileVersions(dataset: dataset, zone: .staged)
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    static func scope(of dataset: String) -> String { "promote-\(dataset)" }
}
