import Foundation
import LakeCatalog
import LakeCore

/// When a raw file is closed and committed.
public struct RawLimits: Sendable {
    /// Lines in one file.
    public var maxRecords = 10_000
    /// Uncompressed bytes in one file.
    public var maxBytes = 64 << 20
    /// Uncompressed bytes in all open files together: memory stays bounded however many
    /// files a batch spreads over (partitions × days × regions) and however fast events come.
    public var maxOpenBytes = 256 << 20
    /// Seconds the oldest uncommitted line may wait.
    public var maxAge = 30.0
    /// gzip level: 1, the fastest, suits a landing zone (files about a fifth larger than
    /// gzip's default 6, written in half the CPU time).
    public var gzipLevel: Int32 = 1

    public init() {}
}

/// Lines landed per dataset and region by this run.
public struct LandedCounts: Sendable, Equatable {
    public var files = 0
    public var rows = 0
    public var records = 0
    public var bytes = 0

    public static func += (sum: inout LandedCounts, more: LandedCounts) {
        sum.files += more.files
        sum.rows += more.rows
        sum.records += more.records
        sum.bytes += more.bytes
    }
}

/// Where landed counts are kept: a dataset's region (the default partition's name when it has none).
public struct LandedKey: Hashable, Comparable, Sendable {
    public var dataset: String
    public var region: String

    public static func < (a: LandedKey, b: LandedKey) -> Bool { (a.dataset, a.region) < (b.dataset, b.region) }
}

/// Buffers raw lines into one open gzip file per (dataset, partition) and commits them
/// together with the checkpoints they cover.
///
/// Every commit takes all open files: a checkpoint is only ever committed with every line
/// that came before it, even when one page's lines went to several partitions.
public actor RawBatcher {
    struct FileKey: Hashable {
        var zone: LakeRoot.Zone
        var dataset: String
        var partitions: PartitionValues
        var group: String?

        /// Hashes the values only: the zone, dataset and partition keys rarely differ, and
        /// this runs once per line.
        func hash(into hasher: inout Hasher) {
            for pair in partitions.pairs { hasher.combine(pair.value) }
            hasher.combine(group)
        }
    }

    struct OpenFile {
        var writer: GzipWriter
        var batch: String
        var tmp: String
        var final: String
        var rows = 0
        var records = 0
    }

    let catalog: Catalog
    let source: String
    let scope: String
    let limits: RawLimits
    let run: Int64?

    private var open: [FileKey: OpenFile] = [:]
    private var order: [FileKey] = []
    private var checkpoints: [String: CheckpointRecord] = [:]
    private var cursors: [String: CursorRecord] = [:]
    private var offsets: [String: StreamOffsetRecord] = [:]
    private var messages: [LandedMessageRecord] = []
    /// Offsets that must still hold what this batcher last saw when it commits (see `expect`).
    private var fenced: [String: String?] = [:]
    private var oldest: Date?
    /// Uncompressed bytes written to the open files since the last commit.
    private var openBytes = 0
    public private(set) var landed: [LandedKey: LandedCounts] = [:]
    /// Records committed to quarantine by this batcher.
    public private(set) var quarantined = 0

    /// `scope` names this writer's folder under `_tmp/`, which only the holder of the
    /// matching lock may reconcile.
    public init(catalog: Catalog, source: String, scope: String, limits: RawLimits, run: Int64?) {
        self.catalog = catalog
        self.source = source
        self.scope = scope
        self.limits = limits
        self.run = run
    }

    /// One raw line bound for a dataset's partition.
    public struct Line: Sendable {
        public var dataset: String
        public var partitions: PartitionValues
        public var bytes: [UInt8]
        public var records: Int
        /// `.raw`, or `.quarantine` for rejected records.
        public var zone: LakeRoot.Zone
        /// Lines of different groups (stream partitions) never share a file.
        public var group: String?
        /// The file's name if this line opens it (`<topic>+<partition>+<offset>`); else a batch id.
        public var fileName: String?

        public init(dataset: String, partitions: PartitionValues, bytes: [UInt8], records: Int,
                    zone: LakeRoot.Zone = .raw, group: String? = nil, fileName: String? = nil) {
            self.dataset = dataset
            self.partitions = partitions
            self.bytes = bytes
            self.records = records
            self.zone = zone
            self.group = group
            self.fileName = fileName
        }
    }

    /// Adds one unit step: its lines (none for a unit that only discovers children) and the
    /// checkpoint that says they are done, in one step, so no commit can take the lines
    /// without the checkpoint. Then commits everything if a file is full or old; returns
    /// whether it committed.
    @discardableResult
    public func append(_ lines: [Line], checkpoint: CheckpointRecord? = nil, cursor: CursorRecord? = nil,
                       offsets: [StreamOffsetRecord] = [], messages: [LandedMessageRecord] = []) throws -> Bool {
        self.messages += messages
        var full = false
        for line in lines {
            let key = FileKey(zone: line.zone, dataset: line.dataset, partitions: line.partitions, group: line.group)
            if open[key] == nil { open[key] = try openFile(key, name: line.fileName); order.append(key) }
            try open[key]!.writer.write(line.bytes)
            openBytes += line.bytes.count
            open[key]!.rows += 1
            open[key]!.records += line.records
            if let file = open[key], file.rows >= limits.maxRecords || file.writer.uncompressedBytes >= limits.maxBytes {
                full = true
            }
        }
        if let checkpoint { checkpoints["\(checkpoint.dataset)\u{0}\(checkpoint.scope)"] = checkpoint }
        for offset in offsets { self.offsets[Self.key(offset)] = offset }
        if let cursor { cursors["\(cursor.dataset)\u{0}\(cursor.scope)"] = cursor }
        if oldest == nil { oldest = Date() }
        return full || openBytes >= limits.maxOpenBytes || Date().timeIntervalSince(oldest!) >= limits.maxAge ? try flush() : false
    }

    /// From now on, commits of this partition's offset require the catalog to hold `current`
    /// (then what this batcher committed last): another consumer's commit in between fails ours.
    public func expect(_ offset: StreamOffsetRecord, current: String?) {
        fenced[Self.key(offset)] = current
    }

    private static func key(_ offset: StreamOffsetRecord) -> String {
        "\(offset.stream)\u{0}\(offset.consumerGroup)\u{0}\(offset.partition)"
    }

    /// Commits when the oldest uncommitted line has waited `maxAge` (for idle streams);
    /// returns whether it committed.
    @discardableResult
    public func flushIfOld() throws -> Bool {
        guard let oldest, Date().timeIntervalSince(oldest) >= limits.maxAge else { return false }
        return try flush()
    }

    /// Commits every open file and every pending checkpoint in one catalog transaction;
    /// returns whether there was anything to commit.
    @discardableResult
    public func flush() throws -> Bool {
        guard !open.isEmpty || !checkpoints.isEmpty || !cursors.isEmpty || !offsets.isEmpty || !messages.isEmpty else { return false }
        var pending: [PendingFile] = []
        for key in order {
            guard let file = open[key] else { continue }
            let (bytes, sha) = try file.writer.finish()
            pending.append(PendingFile(
                tmpPath: file.tmp, finalPath: file.final, dataset: key.dataset, source: source, zone: key.zone,
                partitions: key.partitions, rows: file.rows, records: file.records, bytes: bytes, sha256: sha,
                batchId: file.batch))
        }
        let fences = offsets.compactMap { key, offset in
            fenced[key].map { OffsetFence(source: offset.source, stream: offset.stream, consumerGroup: offset.consumerGroup,
                                          partition: offset.partition, expected: $0) }
        }
        do {
            try catalog.commit(files: pending, checkpoints: Array(checkpoints.values), cursors: Array(cursors.values),
                               offsets: Array(offsets.values), fences: fences, messages: messages, run: run)
        } catch let error as CatalogError {
            // Fenced: nothing was recorded, so these files hold events another consumer lands.
            if case .offsetFenced = error {
                for file in pending { try? FileSystem.remove(catalog.root.absolute(file.tmpPath)) }
                forgetBuffered()
            }
            throw error
        }
        for (key, offset) in offsets where fenced[key] != nil { fenced[key] = offset.nextOffset }
        quarantined += pending.filter { $0.zone == .quarantine }.reduce(0) { $0 + $1.records }
        for file in pending where file.zone == .raw {
            let key = LandedKey(dataset: file.dataset, region: file.partitions["region"] ?? Hive.defaultPartition)
            landed[key, default: LandedCounts()] += LandedCounts(files: 1, rows: file.rows, records: file.records, bytes: file.bytes)
        }
        forgetBuffered()
        return true
    }

    private func forgetBuffered() {
        open.removeAll()
        order.removeAll()
        checkpoints.removeAll()
        cursors.removeAll()
        offsets.removeAll()
        messages.removeAll()
        oldest = nil
        openBytes = 0
    }

    /// Drops what is not committed (the run is failing); the checkpoints stay where they were.
    public func abandon() {
        for file in open.values { file.writer.abort() }
        open.removeAll()
        order.removeAll()
        checkpoints.removeAll()
        cursors.removeAll()
        offsets.removeAll()
        messages.removeAll()
    }

    private func openFile(_ key: FileKey, name: String?) throws -> OpenFile {
        var batch = name ?? BatchID.make()
        func finalPath(_ batch: String) -> String {
            key.zone == .raw ? "raw/\(source)/\(key.dataset)/\(key.partitions.path)/\(batch).ndjson.gz"
                : "\(key.zone.rawValue)/\(key.dataset)/\(key.partitions.path)/\(batch).ndjson.gz"
        }
        // A replay (a reset group) lands the same offsets again: keep both, never overwrite.
        if name != nil, try catalog.hasFile(path: finalPath(batch)) { batch += "-" + BatchID.make() }
        let tmp = "_tmp/\(scope)/\(key.zone.rawValue)-\(batch).ndjson.gz"
        try FileSystem.makeDirectories(catalog.root.tmpPath + "/" + scope)
        let writer = try GzipWriter(path: catalog.root.absolute(tmp), level: limits.gzipLevel)
        return OpenFile(writer: writer, batch: batch, tmp: tmp, final: finalPath(batch))
    }
}
