import LakeCatalog
import LakeCore

/// Records a promotion rejects, with the reason and where they came from, as gzip NDJSON
/// per day under `quarantine/<dataset>/dt=<day>/`:
///
/// ```
/// {"_meta": {"stage": "promote", "dataset": "plays", "raw_file": "raw/…", "line": 12, "record": 0,
///            "reason": "required field \"event_id\" is missing", "quarantined_at": "…"},
///  "record": <the record as it stands in raw>}
/// ```
final class QuarantineWriter {
    let root: LakeRoot
    let dataset: String
    let scope: String
    let name: String
    private var writers: [String: (GzipWriter, Int)] = [:]
    private let now = Timestamps.iso()

    init(root: LakeRoot, dataset: String, scope: String, name: String) {
        self.root = root
        self.dataset = dataset
        self.scope = scope
        self.name = name
    }

    private(set) var records = 0

    func write(record: ArraySlice<UInt8>, reason: String, rawFile: String, line: Int, index: Int?, dt: String?) throws {
        let day = dt ?? Timestamps.day()
        if writers[day] == nil {
            let folder = root.tmpPath + "/" + scope
            try FileSystem.makeDirectories(folder)
            writers[day] = (try GzipWriter(path: folder + "/\(name)-\(day).ndjson.gz", level: 1), 0)
        }
        var line = "{\"_meta\":{\"stage\":\"promote\",\"dataset\":\(JSONValue.quote(dataset)),\"raw_file\":\(JSONValue.quote(rawFile)),\"line\":\(line)"
        if let index { line += ",\"record\":\(index)" }
        line += ",\"reason\":\(JSONValue.quote(reason)),\"quarantined_at\":\"\(now)\"},\"record\":"
        var bytes = Array(line.utf8)
        bytes += record.isEmpty ? Array("null".utf8) : Array(record)
        for i in bytes.indices where bytes[i] == 0x0A || bytes[i] == 0x0D { bytes[i] = 0x20 }
        bytes += "}\n".utf8
        try writers[day]!.0.write(bytes)
        writers[day]!.1 += 1
        records += 1
    }

    /// Finishes the files; returns them for the version's commit.
    func finish(batchId: String) throws -> [PendingFile] {
        var pending: [PendingFile] = []
        for (day, (writer, count)) in writers.sorted(by: { $0.key < $1.key }) {
            let (bytes, sha) = try writer.finish()
            let partitions = PartitionValues([.init("dt", day)])
            pending.append(PendingFile(
                tmpPath: root.relative(writer.path) ?? writer.path,
                finalPath: "quarantine/\(dataset)/\(partitions.path)/\(name).ndjson.gz",
                dataset: dataset, source: nil, zone: .quarantine, partitions: partitions, rows: count, records: count,
                bytes: bytes, sha256: sha, batchId: batchId))
        }
        writers = [:]
        return pending
    }

    func abort() {
        for (writer, _) in writers.values { writer.abort() }
        writers = [:]
    }
}
