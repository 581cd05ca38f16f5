import Foundation
import LakeCore

// Deleting cataloged files (retention), write-ahead:
//
//   1. ONE transaction: the audit row (state `applying`) and the list of its files; the files'
//      rows, lineage and promotion records removed; current versions' counts reduced
//                                              (crash before: nothing happened)
//   2. the files unlinked from disk            (crash: the audit row still says `applying`)
//   3. the audit row marked `done`
//
// The catalog never names a file that is gone, and a file still on disk after a crash is
// listed by an unfinished audit, which the next run finishes.

extension Catalog {
    /// Step 1: records the deletion and forgets the files. Returns the audit row.
    public func beginDeletion(of files: [FileRecord], action: String, command: String, reason: String) throws -> AuditRecord {
        try write { db in
            var audit = AuditRecord(
                action: action, command: command, reason: reason, datasets: Array(Set(files.map(\.dataset))).sorted(),
                files: files.count, bytes: files.reduce(0) { $0 + $1.bytes }, state: "applying", startedAt: Timestamps.iso())
            try audit.insert(db)
            for file in files {
                try AuditFileRecord(auditId: audit.id!, path: file.path, dataset: file.dataset, zone: file.zone,
                                    dt: file.dt, bytes: file.bytes).insert(db)
                try db.execute(sql: "DELETE FROM lake_files WHERE path = ?", arguments: [file.path])
                try db.execute(sql: "DELETE FROM lake_lineage WHERE output_path = ? OR input_path = ?",
                               arguments: [file.path, file.path])
                try db.execute(sql: "DELETE FROM lake_promoted WHERE raw_path = ?", arguments: [file.path])
                try db.execute(sql: """
                    UPDATE lake_versions SET files = files - 1, rows = rows - ?
                    WHERE dataset = ? AND zone = ? AND state = 'current'
                    """, arguments: [file.rows, file.dataset, file.zone])
            }
            try Self.endDuckLakeFiles(db, files, now: audit.startedAt, message: "\(command): \(reason)")
            return audit
        }
    }

    /// Step 3.
    public func finishAudit(_ id: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE lake_audit SET state = 'done', finished_at = ? WHERE id = ?",
                           arguments: [Timestamps.iso(), id])
        }
    }

    /// Audited operations a crash left part-way, with their files.
    public func unfinishedAudits() throws -> [(AuditRecord, [AuditFileRecord])] {
        try read { db in
            try AuditRecord.fetchAll(db, "WHERE state = 'applying' ORDER BY id").map { audit in
                (audit, try AuditFileRecord.fetchAll(db, "WHERE audit_id = ? ORDER BY path", [audit.id!]))
            }
        }
    }

    /// The newest audited operations first.
    public func audits(limit: Int = 50) throws -> [AuditRecord] {
        try read { db in try AuditRecord.fetchAll(db, "ORDER BY id DESC LIMIT ?", [limit]) }
    }

    public func auditFiles(of id: Int64) throws -> [AuditFileRecord] {
        try read { db in try AuditFileRecord.fetchAll(db, "WHERE audit_id = ? ORDER BY path", [id]) }
    }

    /// Brings files that are already in the lake under `dataset`, in one audited transaction.
    /// A dataset the catalog lacks is created (without a contract); `owner` fills in a missing owner.
    public func adopt(_ files: [FileRecord], dataset: String, source: String?, owner: String?, command: String) throws -> AuditRecord {
        try write { db in
            let now = Timestamps.iso()
            if var existing = try DatasetRecord.fetchOne(db, key: dataset) {
                if let owner, existing.owner == nil {
                    existing.owner = owner
                    existing.updatedAt = now
                    try existing.update(db)
                }
            } else {
                try DatasetRecord(
                    name: dataset, source: source, zone: files.first?.zone ?? "raw", owner: owner, description: nil,
                    retentionDays: nil, freshnessHours: nil, pii: "[]", partitionBy: "[\"dt\",\"region\"]",
                    primaryKey: "[]", recordsPath: nil, currentSchemaVersion: nil, contractFile: nil,
                    createdAt: now, updatedAt: now
                ).insert(db)
            }
            var audit = AuditRecord(
                action: "adopt", command: command, reason: "files found in the lake without catalog rows",
                datasets: [dataset], files: files.count, bytes: files.reduce(0) { $0 + $1.bytes },
                state: "done", startedAt: now)
            audit.finishedAt = now
            try audit.insert(db)
            for var file in files {
                try file.insert(db)
                try AuditFileRecord(auditId: audit.id!, path: file.path, dataset: dataset, zone: file.zone,
                                    dt: file.dt, bytes: file.bytes).insert(db)
            }
            return audit
        }
    }

    /// Updates a dataset's owner (adoption of a dataset that has one keeps it unless asked).
    public func setOwner(_ owner: String, of dataset: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE lake_datasets SET owner = ?, updated_at = ? WHERE name = ?",
                           arguments: [owner, Timestamps.iso(), dataset])
        }
    }
}
