import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// Files the catalog names that are missing, changed or unreadable; leftovers in `_tmp/`;
/// and retention runs a crash interrupted.
///
/// Without `--verify` a cataloged file is only compared by size, unless it was modified after
/// it was cataloged (raw and staged files are never rewritten, so a newer mtime means someone
/// touched it): those, and uncataloged files, are read whole. `--verify` reads every file and
/// compares every sha256.
struct FileIntegrity: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        var findings: [Finding] = []
        var deep: [(path: String, sha256: String?, dataset: String?)] = []
        for file in lake.catalogedInOrder {
            guard let onDisk = lake.disk[file.path] else {
                findings.append(Finding(
                    rule: "missing-file", category: .integrity, severity: .error, dataset: file.dataset, path: file.path,
                    message: "cataloged file is missing on disk",
                    hint: "restore it from a backup, or re-ingest the partition; the catalog row goes with `lake retention --apply` once it expires"))
                continue
            }
            if onDisk.bytes != file.bytes {
                findings.append(Finding(
                    rule: "size-mismatch", category: .integrity, severity: .error, dataset: file.dataset, path: file.path,
                    message: "file has \(onDisk.bytes) bytes, the catalog recorded \(file.bytes) (truncated or rewritten)",
                    hint: "restore it from a backup or re-ingest the partition", bytes: onDisk.bytes))
            }
            let cataloged = file.createdSeconds
            if lake.options.verify || onDisk.bytes != file.bytes || onDisk.modified > cataloged + 0.002 {
                deep.append((file.path, file.sha256, file.dataset))
            }
        }
        for file in lake.diskInOrder where lake.cataloged[file.path] == nil && !lake.pendingDeletion.contains(file.path) {
            deep.append((file.path, nil, lake.datasetName(ofPath: file.path)))
        }
        findings += readWhole(deep, lake: lake)

        for file in lake.tmp where !file.path.hasSuffix(".lock") && lake.now - file.modified > lake.options.tmpMaxAgeSeconds {
            let hours = Int((lake.now - file.modified) / 3600)
            findings.append(Finding(
                rule: "stale-tmp", category: .integrity, severity: .warning, dataset: nil, path: file.path,
                message: "left in _tmp/ by a run that did not finish, \(hours) hour\(hours == 1 ? "" : "s") ago",
                hint: "the next ingest or promote of its dataset cleans it up; with no lake command running it is safe to delete",
                bytes: file.bytes))
        }
        for (audit, files) in lake.unfinishedAudits {
            let left = files.filter { lake.disk[$0.path] != nil }
            findings.append(Finding(
                rule: "unfinished-retention", category: .integrity, severity: .warning, dataset: audit.datasetNames.first,
                path: left.first.map { LakeInventory.folder(of: $0.path) },
                message: "\(audit.action) #\(audit.id ?? 0) started \(audit.startedAt) did not finish: \(left.count) of \(files.count) files still on disk",
                hint: "run `lake retention --apply` to finish it", bytes: left.reduce(0) { $0 + $1.bytes }))
        }
        return findings
    }

    /// Reads files whole (in parallel): checksum, gzip stream, Parquet footer.
    private func readWhole(_ files: [(path: String, sha256: String?, dataset: String?)], lake: LakeInventory) -> [Finding] {
        guard !files.isEmpty else { return [] }
        // `check` never throws: what it finds is a finding.
        let findings = try? Parallel.map(files.count, workers: ProcessInfo.processInfo.activeProcessorCount,
                                         state: { ([UInt8](), [UInt8]()) }) { i, buffers in
            check(files[i], lake: lake, scratch: &buffers.0, inflated: &buffers.1)
        }
        return (findings ?? []).flatMap { $0 }
    }

    private func check(_ file: (path: String, sha256: String?, dataset: String?), lake: LakeInventory,
                       scratch: inout [UInt8], inflated: inout [UInt8]) -> [Finding] {
        var findings: [Finding] = []
        do {
            // A local file reuses the worker's buffer.
            if lake.objects != nil { scratch = try lake.contents(file.path) } else { try FileSystem.readFile(lake.place(file.path), into: &scratch) }
        } catch { return [] }
        if let expected = file.sha256, Checksum.sha256(scratch) != expected {
            findings.append(Finding(
                rule: "checksum-mismatch", category: .integrity, severity: .error, dataset: file.dataset, path: file.path,
                message: "file's sha256 differs from the one cataloged when it was written",
                hint: "restore it from a backup or re-ingest the partition"))
        }
        if file.path.hasSuffix(".gz") {
            do { _ = try GzipReader.decompress(scratch, into: &inflated, name: file.path) } catch {
                findings.append(Finding(
                    rule: "corrupt-gzip", category: .integrity, severity: .error, dataset: file.dataset, path: file.path,
                    message: "gzip stream cannot be read whole: \(describe(error))",
                    hint: "restore it from a backup or re-ingest the partition; readers such as DuckDB fail on it"))
            }
        } else if file.path.hasSuffix(".parquet") {
            do { _ = try lake.parquet(file.path) } catch {
                findings.append(Finding(
                    rule: "corrupt-parquet", category: .integrity, severity: .error, dataset: file.dataset, path: file.path,
                    message: "Parquet footer cannot be read: \(describe(error))",
                    hint: "run `lake promote \(file.dataset ?? "<dataset>") --full-refresh` to rebuild the dataset from raw"))
            }
        }
        return findings
    }

    private func describe(_ error: Error) -> String {
        (error as? LakeError)?.message ?? "\(error)"
    }
}
