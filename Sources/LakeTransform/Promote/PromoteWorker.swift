import Foundation
import LakeCatalog
import LakeCore
import LakeParquet

/// What the workers of one promotion share: the queue of work, output file numbers, the key
/// index and the first error.
///
/// Work is a partition at a time: the raw files of one (dt, region), in arrival order. A raw
/// file belongs to one partition, so a worker then fills one output at a time — memory stays
/// at its buffer, however many partitions a promotion touches, and each partition becomes one
/// file of large row groups instead of one small file per worker. (Arrival order across
/// partitions is kept by the key index's sequence numbers, not by the order of the work.)
final class PromoteShared: @unchecked Sendable {
    let rawFiles: [FileRecord]
    let firstSeq: Int
    let keyIndex: KeyIndex?
    /// Finished files are synced here while the workers go on; the promoter waits before its commit.
    let syncer = FileSyncer()
    /// Raw file indices per partition, the largest partitions first (they finish last otherwise).
    let units: [[Int]]
    private let lock = NSLock()
    private var next = 0
    private(set) var fileSlots: [FileSlot] = []
    private(set) var error: Error?
    private(set) var filesDone = 0

    enum FileSlot { case new(relative: String), existing(logical: String, physical: String) }

    init(rawFiles: [FileRecord], firstSeq: Int, keyIndex: KeyIndex?) {
        self.rawFiles = rawFiles
        self.firstSeq = firstSeq
        self.keyIndex = keyIndex
        var byPartition: [String: [Int]] = [:]
        for (i, raw) in rawFiles.enumerated() {
            byPartition[PartitionValues.dtRegion(dt: raw.dt, region: raw.region).path, default: []].append(i)
        }
        let size = { (unit: [Int]) in unit.reduce(0) { $0 + rawFiles[$1].bytes } }
        units = byPartition.values.sorted { (size($0), $1[0]) > (size($1), $0[0]) }
    }

    /// The next partition's raw files.
    func claim() -> [Int]? {
        lock.lock(); defer { lock.unlock() }
        guard error == nil, next < units.count else { return nil }
        next += 1
        return units[next - 1]
    }

    func finished() -> Int {
        lock.lock(); defer { lock.unlock() }
        filesDone += 1
        return filesDone
    }

    func allocate(_ slot: FileSlot) -> UInt32 {
        lock.lock(); defer { lock.unlock() }
        fileSlots.append(slot)
        return UInt32(fileSlots.count - 1)
    }

    func fail(_ e: Error) {
        lock.lock(); defer { lock.unlock() }
        if error == nil { error = e }
    }
}

/// One worker: reads whole raw files, turns records into rows per partition and writes
/// them as Parquet files in the new version's folder (one file per partition per worker).
final class PromoteWorker {
    final class Output {
        let partitions: PartitionValues
        let relative: String
        let fileIndex: UInt32
        var buffer: RowBuffer
        var writer: ParquetWriter?
        /// The file as finished when its partition's last raw file was read.
        var written: ParquetWriter.Written?
        /// Its DuckLake column statistics, read from the footer just written.
        var columnStats: [DuckLakeColumnStats]?
        var rowsFlushed = 0
        var lineage: [String: Int] = [:]

        init(partitions: PartitionValues, relative: String, fileIndex: UInt32, columns: [ColumnSchema]) {
            self.partitions = partitions
            self.relative = relative
            self.fileIndex = fileIndex
            buffer = RowBuffer(columns)
        }
    }

    struct RawCounts { var records = 0; var quarantined = 0; var rows = 0 }

    let id: Int
    let root: LakeRoot
    let shared: PromoteShared
    let schema: StagedSchema
    let recordsPath: JSONPath?
    let keyColumns: [Int]
    let versionFolder: String
    let batchId: String
    let options: PromoteOptions
    let quarantine: QuarantineWriter
    var reader: RecordReader
    var outputs: [String: Output] = [:]
    /// Outputs of the partitions done, their files finished.
    var finished: [Output] = []
    var counts: [Int: RawCounts] = [:]
    var losers: [KeyIndex.Loser] = []
    var unreadable: [(String, String)] = []
    private var pendingKeys: [KeyIndex.Entry] = []
    private var keyScratch: [UInt8] = []
    private var rowsSinceCheck = 0
    let progress: (Int) -> Void
    /// Kept apart from `shared`: touching a shared object per row makes both cores fight over its reference count.
    private let dedupe: Bool
    /// Stream lines whose fields are all plain take the byte-level scanner.
    private let fastStream: Bool
    private var rawBuffer: [UInt8] = []
    private var compressedBuffer: [UInt8] = []
    private var scannedMembers: [(Range<Int>, LineScanner.Token)] = []
    private var scannedMeta: [LineScanner.Token?] = [nil, nil, nil, nil, nil, nil]
    private let rowGroupRows: Int
    private let bufferBytes: Int

    init(id: Int, root: LakeRoot, shared: PromoteShared, schema: StagedSchema, recordsPath: JSONPath?, keyColumns: [Int],
         versionFolder: String, batchId: String, options: PromoteOptions, quarantine: QuarantineWriter,
         progress: @escaping (Int) -> Void) {
        self.id = id
        self.root = root
        self.shared = shared
        self.schema = schema
        self.recordsPath = recordsPath
        self.keyColumns = keyColumns
        self.versionFolder = versionFolder
        self.batchId = batchId
        self.options = options
        self.quarantine = quarantine
        self.progress = progress
        reader = RecordReader(schema: schema)
        dedupe = shared.keyIndex != nil
        fastStream = schema.kind == .stream && !schema.bareRecords && schema.fields.allSatisfy(\.plain)
            && ProcessInfo.processInfo.environment["LAKE_PROMOTE_GENERAL_PATH"] == nil
        rowGroupRows = options.rowGroupRows
        bufferBytes = options.bufferBytes
    }

    func run() {
        do {
            while let unit = shared.claim() {
                for i in unit {
                    try promote(rawIndex: i)
                    progress(shared.finished())
                }
                // The partition is done: its file is finished and its buffers let go.
                for (key, output) in outputs {
                    try flush(output)
                    if let writer = output.writer {
                        output.written = try writer.finish(syncer: shared.syncer)
                        output.columnStats = DuckLakeStats.of(parquetAt: writer.path)
                    }
                    output.writer = nil
                    outputs[key] = nil
                    finished.append(output)
                }
            }
            try flushKeys()
        } catch {
            shared.fail(error)
        }
    }

    private func promote(rawIndex: Int) throws {
        let raw = shared.rawFiles[rawIndex]
        reader.currentRaw = rawIndex
        let seq = UInt64(shared.firstSeq + rawIndex)
        // The worker's buffers are reused file after file: no fresh pages to fault in and zero.
        var bytes: [UInt8] = []
        swap(&bytes, &rawBuffer)
        defer { swap(&bytes, &rawBuffer) }
        let n: Int
        do {
            n = try raw.reading(under: root) { try GzipReader.readNDJSON(path: $0, into: &bytes, compressed: &compressedBuffer) }
        } catch {
            unreadable.append((raw.path, "\(error)"))
            return
        }
        let partitions = PartitionValues.dtRegion(dt: raw.dt, region: raw.region)
        let key = partitions.path
        let output: Output
        if let existing = outputs[key] {
            output = existing
        } else {
            let relative = key + "/part-\(batchId)-w\(id).parquet"
            output = Output(partitions: partitions, relative: relative,
                            fileIndex: shared.allocate(.new(relative: relative)), columns: schema.columns)
            outputs[key] = output
        }
        var context = RecordReader.Context(rawFile: raw.path, partitions: partitions, schema: schema)
        var rawCounts = RawCounts()
        var lineStart = 0
        while lineStart < n {
            let lineEnd = bytes.withUnsafeBufferPointer { b -> Int in
                guard let hit = memchr(b.baseAddress! + lineStart, 0x0A, n - lineStart) else { return n }
                return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - b.baseAddress!
            }
            defer { lineStart = lineEnd + 1 }
            context.line += 1
            if lineEnd == lineStart { continue }
            if fastStream {
                let row = output.buffer.count
                let result = bytes.withUnsafeBufferPointer { all in
                    reader.appendStreamLine(UnsafeBufferPointer(rebasing: all[lineStart..<lineEnd]), context: context,
                                            into: &output.buffer, members: &scannedMembers, meta: &scannedMeta)
                }
                switch result {
                case .fallback:
                    break
                case let .appended(range):
                    rawCounts.records += 1
                    try accept(row: row, output: output, record: bytes[(lineStart + range.lowerBound)..<(lineStart + range.upperBound)],
                               raw: raw, seq: seq,
                               line: context.line, index: 0, counts: &rawCounts)
                    continue
                case let .rejected(reason, range):
                    rawCounts.records += 1
                    rawCounts.quarantined += 1
                    try quarantine.write(record: bytes[(lineStart + range.lowerBound)..<(lineStart + range.upperBound)], reason: reason,
                                         rawFile: raw.path, line: context.line, index: nil, dt: raw.dt)
                    continue
                }
            }
            let tape: JSONTape
            do {
                tape = try JSONTape(Array(bytes[lineStart..<lineEnd]))
            } catch {
                rawCounts.records += 1
                rawCounts.quarantined += 1
                let text = Array(JSONValue.quote(String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)).utf8)
                try quarantine.write(record: text[...], reason: "the raw line is not valid JSON: \(error)", rawFile: raw.path,
                                     line: context.line, index: nil, dt: raw.dt)
                continue
            }
            let root = tape.root
            var meta: JSONNode?
            var value: JSONNode?
            var body: JSONNode?
            root.forEachMember { key, node in
                if meta == nil, key.keyEquals(metaKey) { meta = node } else if value == nil, key.keyEquals(valueKey) { value = node } else if body == nil, key.keyEquals(bodyKey) { body = node }
            }
            var records: [JSONNode] = []
            var problem: String?
            // A line lake did not write (an adopted export) is the record itself; its
            // provenance columns are null.
            let bare = schema.bareRecords || meta == nil
            if bare { meta = nil }
            switch schema.kind {
            case _ where bare:
                records = [root]
            case .stream:
                if let value { records = [value] } else { problem = "the raw line has no \"value\" (not a stream record)" }
            case .api:
                if let body {
                    if let path = recordsPath {
                        let node = body.value(at: path)
                        if let node, node.kind == .array { records = node.elements } else if node == nil || node!.isNull {
                            problem = "the page has no records at \"\(path)\""
                        } else {
                            problem = "the page's \"\(path)\" is a JSON \(node!.schemaTypeName), not an array of records"
                        }
                    } else {
                        records = [body]
                    }
                } else {
                    problem = "the raw line has no \"body\" (not an API page)"
                }
            }
            if let problem {
                rawCounts.records += 1
                rawCounts.quarantined += 1
                try quarantine.write(record: root.raw, reason: problem, rawFile: raw.path, line: context.line, index: nil, dt: raw.dt)
                continue
            }
            var pageOffset: Int64 = 0
            if schema.kind == .api, !bare, let path = recordsPath, let body {
                pageOffset = body.value(at: offsetPath(beside: path))?.int64 ?? 0
            }
            for (k, record) in records.enumerated() {
                rawCounts.records += 1
                if schema.kind == .api { context.position = bare ? nil : pageOffset + Int64(k) + 1 }
                let row = output.buffer.count
                if let reason = reader.append(record: record, meta: meta, context: context, into: &output.buffer) {
                    rawCounts.quarantined += 1
                    try quarantine.write(record: record.raw, reason: reason, rawFile: raw.path, line: context.line,
                                         index: schema.kind == .api ? k : nil, dt: raw.dt)
                    continue
                }
                try accept(row: row, output: output, record: record.raw, raw: raw, seq: seq, line: context.line, index: k, counts: &rawCounts)
            }
        }
        counts[rawIndex] = rawCounts
        // A raw file feeds exactly one output: its partition's.
        output.lineage[raw.path, default: 0] += rawCounts.rows
    }


    /// A row appended at `row`: its key joins the index (a null key sends it to quarantine),
    /// its lineage is counted, and buffers are written out when full.
    private func accept(row: Int, output: Output, record: @autoclosure () -> ArraySlice<UInt8>, raw: FileRecord, seq: UInt64,
                        line: Int, index k: Int, counts rawCounts: inout RawCounts) throws {
        if dedupe {
            keyScratch.removeAll(keepingCapacity: true)
            let nullField = output.buffer.key(row: row, columns: keyColumns, into: &keyScratch).map { schema.columns[$0].name }
            if let nullField {
                output.buffer.truncate(to: row)
                rawCounts.quarantined += 1
                try quarantine.write(record: record(), reason: "primary key field \"\(nullField)\" is null",
                                     rawFile: raw.path, line: line, index: schema.kind == .api ? k : nil, dt: raw.dt)
                return
            }
            let (h1, h2) = keyScratch.withUnsafeBytes { KeyIndex.hash($0) }
            let order = seq << 44 | UInt64(min(line, 0xFFF_FFFF)) << 16 | UInt64(min(k, 0xFFFF))
            pendingKeys.append(KeyIndex.Entry(hash: h1, hash2: h2, order: order,
                                              location: .init(file: output.fileIndex, row: UInt32(output.rowsFlushed + row))))
            if pendingKeys.count >= 4096 { try flushKeys() }
        }
        rawCounts.rows += 1
        if output.buffer.count >= rowGroupRows { try flush(output) }
        rowsSinceCheck += 1
        if rowsSinceCheck >= 8192 {
            rowsSinceCheck = 0
            try relieveMemory()
        }
    }

    private let metaKey = Array("_meta".utf8)
    private let valueKey = Array("value".utf8)
    private let bodyKey = Array("body".utf8)

    private func flushKeys() throws {
        guard let index = shared.keyIndex, !pendingKeys.isEmpty else { return }
        index.insert(pendingKeys, losers: &losers)
        pendingKeys.removeAll(keepingCapacity: true)
    }

    /// Writes out the largest buffer while the worker holds more than its share.
    private func relieveMemory() throws {
        var total = 0
        var largest: Output?
        for o in outputs.values {
            let b = o.buffer.byteEstimate
            total += b
            if largest == nil || b > largest!.buffer.byteEstimate { largest = o }
        }
        if total > bufferBytes, let largest { try flush(largest) }
    }

    private func flush(_ output: Output) throws {
        guard output.buffer.count > 0 else { return }
        if output.writer == nil {
            let path = versionFolder + "/" + output.relative
            try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
            output.writer = try ParquetWriter(path: path, schema: schema.fileColumns, options: options.writer)
        }
        let rows = output.buffer.count
        try output.writer!.write(output.buffer.take(schema.fileColumnIndices))
        output.rowsFlushed += rows
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// `albums.offset` for records at `albums.items`: where a paging object keeps its offset.
func offsetPath(beside records: JSONPath) -> JSONPath {
    var text = ""
    for step in records.steps.dropLast() {
        switch step {
        case let .key(k): text += (text.isEmpty ? "" : ".") + k
        case let .index(i): text += "[\(i)]"
        case .each: text += "[*]"
        }
    }
    return JSONPath(text.isEmpty ? "offset" : text + ".offset")
}
