import Foundation
import LakeCore
import LakeParquet

/// Reads a table's files: only the columns the query needs, skipping files whose Hive
/// partition values fail the filters and Parquet row groups whose min/max statistics show no
/// row can pass. The scan applies its filters itself. Row groups are decoded on every core
/// ahead of the consumer, in order.
final class ScanOperator: Operator {
    let spec: ScanSpec
    private let needed: [Int]
    private var units: [(file: Int, rowGroup: Int)] = []
    private var prepared = false
    private let queue: OrderedPrefetch
    /// Per string column, the numbers its consumer shares with the workers.
    private let numberings: [Int: SharedStringNumbers]
    /// Work the consumer hands to the scan's workers, applied to each batch they read (a
    /// join's probe): set before the first `next()`. It must only read shared state.
    var workerStage: (@Sendable (Batch) throws -> Batch)?
    var started: Bool { prepared }

    init(_ spec: ScanSpec) {
        self.spec = spec
        var columns = Set(spec.columns)
        for f in spec.filters { columns.formUnion(f.columns) }
        needed = columns.sorted()
        numberings = Dictionary(uniqueKeysWithValues: needed.filter { spec.source.fields[$0].type == .varchar }.map { ($0, SharedStringNumbers()) })
        // Reading objects waits on the network more than on a core: more requests in flight.
        let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        queue = OrderedPrefetch(workers: spec.source.objects == nil ? cores : 16)
    }

    func next() throws -> Batch? {
        if !prepared { try prepare() }
        return try queue.next()
    }

    private func prepare() throws {
        prepared = true
        let source = spec.source
        let partitionOnly = spec.filters.filter { $0.columns.allSatisfy { $0 >= source.fileColumnCount } }
        // Files are opened here only to prune; each work item maps its file again (reusing the
        // parsed footer) and lets it go, so the pages a query touched do not stay resident for
        // the rest of the scan.
        var work: [@Sendable () throws -> Batch?] = []
        var kept: [Int] = []
        for (i, file) in source.files.enumerated() {
            if !partitionOnly.isEmpty, try !partitionPasses(file, partitionOnly) { continue }
            kept.append(i)
        }
        // Objects are pruned by the catalog's statistics before any GET.
        if source.objects != nil { kept = try prunedByCatalog(kept) }
        // A scan that needs no column of the files themselves (count(*), partition columns
        // only) takes each file's rows from the catalog, and opens none.
        let noFileColumns = source.format == .parquet && !needed.contains { $0 < source.fileColumnCount }
        let counted = { (file: SourceFile) in noFileColumns && file.rows != nil && file.deleteFiles.isEmpty && file.deletedPositions.isEmpty }
        let toOpen = kept.filter { !counted(source.files[$0]) }.map { source.files[$0].path }
        // Footers are parsed on every core (a thousand small files took a sixth of a query's
        // wall time on one), and fetched 16 at a time from objects.
        let opened = source.format == .parquet && toOpen.count > 1
            ? try Self.footers(of: toOpen, in: source, workers: source.objects == nil ? queue.workers : 16) : [:]
        for i in kept {
            let file = source.files[i]
            if counted(file) {
                let rows = file.rows!
                if rows > 0 {
                    work.append { [self] in
                        try self.finish(source.fields.map { Vector(type: $0.type, storage: .nulls(rows)) }, rows: rows, source: source.files[i])
                    }
                }
                continue
            }
            guard source.format == .parquet else {
                work.append { [self] in try self.readNDJSON(source.files[i]) }
                continue
            }
            let groups: [(index: Int, firstRow: Int64)]
            let footer: ParquetFile
            do {
                let parquet = try opened[file.path] ?? source.open(file.path)
                footer = parquet
                var firstRow: Int64 = 0
                groups = try (0..<parquet.rowGroupCount).compactMap { g in
                    defer { firstRow += Int64(parquet.rowCount(rowGroup: g)) }
                    return try rowGroupMayPass(parquet, g) ? (g, firstRow) : nil
                }
            } catch let error as LakeError {
                throw QueryError.io("\(file.path): \(error.message)")
            }
            // Delete files are read only for a file some row group of which is read.
            let deleted = groups.isEmpty ? [] : try DeletedRows.of(file, in: source)
            let columns = needed.filter { $0 < source.fileColumnCount }.compactMap { try? footer.columnIndex(source.fields[$0].name) }
            for (g, firstRow) in groups {
                work.append { [self] in
                    let parquet: ParquetFile
                    do { parquet = try footer.loading(rowGroup: g, columns: columns) } catch let error as LakeError {
                        throw QueryError.io("\(source.files[i].path): \(error.message)")
                    }
                    return try self.readRowGroup(parquet, g, source.files[i], deleted: deleted, firstRow: firstRow)
                }
            }
        }
        if !source.inlinedRows.isEmpty {
            work.append { [self] in try self.readInlined() }
        }
        if let stage = workerStage {
            work = work.map { read in { @Sendable in try read().map(stage) } }
        }
        queue.start(work)
    }

    /// The files' footers, `workers` at a time (objects: one GET each, waiting mostly on the network).
    private static func footers(of paths: [String], in source: TableSource, workers: Int) throws -> [String: ParquetFile] {
        do {
            let files = try Parallel.blocking(paths.count, workers: workers) { try source.open(paths[$0]) }
            return Dictionary(zip(paths, files), uniquingKeysWith: { a, _ in a })
        } catch let error as LakeError where !(error is QueryError) {
            throw QueryError.io(error.message)
        }
    }

    private func partitionPasses(_ file: SourceFile, _ filters: [BoundExpr]) throws -> Bool {
        let source = spec.source
        var columns = source.fields.map { Vector(type: $0.type, storage: .nulls(1)) }
        for (k, v) in file.partitions.enumerated() {
            columns[source.fileColumnCount + k] = Vector(repeating: v, type: source.fields[source.fileColumnCount + k].type, count: 1)
        }
        let batch = Batch(columns: columns, count: 1)
        for f in filters where Evaluator.selection(try Evaluator.evaluate(f, batch)).isEmpty { return false }
        return true
    }

    /// False when a filter `column op literal` cannot hold for any row of the row group.
    private func rowGroupMayPass(_ file: ParquetFile, _ g: Int) throws -> Bool {
        for f in spec.filters {
            guard case let .compare(op, .column(c, _), .literal(value, _)) = f, c < spec.source.fileColumnCount,
                  !value.isNull, let index = try? file.columnIndex(spec.source.fields[c].name),
                  let stats = file.statistics(rowGroup: g, column: index) else { continue }
            if stats.valueCount > 0, stats.nullCount == stats.valueCount { return false }
            guard let lo = stats.min.map(Value.init(parquet:)), let hi = stats.max.map(Value.init(parquet:)) else { continue }
            if !Self.mayHold(op, value, lo: lo, hi: hi) { return false }
        }
        return true
    }

    /// Whether `column op value` can hold for some value between `lo` and `hi`.
    static func mayHold(_ op: String, _ value: Value, lo: Value, hi: Value) -> Bool {
        switch op {
        case "=": return Compare.values(value, lo) >= 0 && Compare.values(value, hi) <= 0
        case "<": return Compare.values(lo, value) < 0
        case "<=": return Compare.values(lo, value) <= 0
        case ">": return Compare.values(hi, value) > 0
        case ">=": return Compare.values(hi, value) >= 0
        default: return true
        }
    }

    /// The files among `kept` whose catalog minimum and maximum let every `column op literal`
    /// filter hold for some row. Numbers, dates and timestamps only: text bounds another
    /// writer may have truncated.
    private func prunedByCatalog(_ kept: [Int]) throws -> [Int] {
        let source = spec.source
        var tests: [(op: String, value: Value, name: String, type: DataType)] = []
        for f in spec.filters {
            guard case let .compare(op, .column(c, _), .literal(value, _)) = f, c < source.fileColumnCount, !value.isNull else { continue }
            let type = source.fields[c].type
            guard [.bigint, .double, .date, .timestamp, .timestamptz].contains(type) else { continue }
            tests.append((op, value, source.fields[c].name, type))
        }
        guard !tests.isEmpty, let bounds = source.bounds else { return kept }
        let known = try bounds(Array(Set(tests.map(\.name))))
        return kept.filter { i in
            guard let id = source.files[i].id, let columns = known[id] else { return true }
            return tests.allSatisfy { test in
                guard let (min, max) = columns[test.name], let min, let max,
                      let lo = try? Cast.value(.string(min), to: test.type), let hi = try? Cast.value(.string(max), to: test.type) else { return true }
                return Self.mayHold(test.op, test.value, lo: lo, hi: hi)
            }
        }
    }

    private func readRowGroup(_ file: ParquetFile, _ g: Int, _ source: SourceFile, deleted: Set<Int64>, firstRow: Int64) throws -> Batch? {
        let fields = spec.source.fields
        let rows = file.rowCount(rowGroup: g)
        var columns = fields.map { Vector(type: $0.type, storage: .nulls(rows)) }
        var fileIndices: [Int] = []
        var targets: [Int] = []
        for c in needed where c < spec.source.fileColumnCount {
            guard let index = try? file.columnIndex(fields[c].name) else { continue }
            // Strings stay dictionary-coded where the file has them so.
            if fields[c].type == .varchar, let coded = try? file.readCodes(rowGroup: g, column: index) {
                columns[c] = Vector(type: .varchar, storage: .dictionary(coded.codes, coded.dictionary), validity: coded.validity)
                columns[c].prenumbered = numberings[c]?.prenumber(coded.dictionary)
                continue
            }
            fileIndices.append(index)
            targets.append(c)
        }
        let read: [Column]
        do { read = try file.read(rowGroup: g, columns: fileIndices) } catch let error as LakeError {
            throw QueryError.io("\(source.path): \(error.message)")
        }
        for (k, column) in read.enumerated() { columns[targets[k]] = Self.vector(column, type: fields[targets[k]].type) }
        if !deleted.isEmpty {
            let keep = (0..<rows).filter { !deleted.contains(firstRow + Int64($0)) }
            if keep.count < rows {
                return try finish(columns.map { $0.take(keep) }, rows: keep.count, source: source)
            }
        }
        return try finish(columns, rows: rows, source: source)
    }

    /// DuckLake's inlined rows, as one batch.
    private func readInlined() throws -> Batch? {
        let rows = spec.source.inlinedRows
        var columns = spec.source.fields.map { Vector(type: $0.type, storage: .nulls(rows.count)) }
        for c in needed {
            var builder = VectorBuilder(type: spec.source.fields[c].type, capacity: rows.count)
            for row in rows { if row[c].isNull { builder.appendNull() } else { builder.append(row[c]) } }
            columns[c] = builder.finish()
        }
        return try finish(columns, rows: rows.count, source: SourceFile(path: "inlined rows of \(spec.source.name)", partitions: []),
                           partitionsChecked: false)
    }

    private func readNDJSON(_ source: SourceFile) throws -> Batch? {
        let fields = spec.source.fields
        let lines = try NDJSONSchema.lines(source.path, objects: spec.source.objects)
        let fileColumns = needed.filter { $0 < spec.source.fileColumnCount }
        let keys = fileColumns.map { Array(fields[$0].name.utf8) }
        var builders = fileColumns.map { VectorBuilder(type: fields[$0].type, capacity: lines.count) }
        var found = [JSONNode?](repeating: nil, count: fileColumns.count)
        var rows = 0
        for (number, line) in lines.enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 13 }) {
            let tape: JSONTape
            do { tape = try JSONTape(Array(line)) } catch {
                throw QueryError.io("\(source.path), line \(number + 1): not valid JSON (\(error)) — quarantine or fix the line")
            }
            rows += 1
            for k in found.indices { found[k] = nil }
            if tape.root.kind == .object {
                tape.root.forEachMember { key, value in
                    for k in keys.indices where found[k] == nil && key.keyEquals(keys[k]) { found[k] = value; return }
                }
            }
            for (k, c) in fileColumns.enumerated() {
                guard let node = found[k], !node.isNull else { builders[k].appendNull(); continue }
                builders[k].append(try Self.sqlValue(node, type: fields[c].type, path: source.path, line: number + 1))
            }
        }
        var columns = fields.map { Vector(type: $0.type, storage: .nulls(rows)) }
        for (k, c) in fileColumns.enumerated() { columns[c] = builders[k].finish() }
        return try finish(columns, rows: rows, source: source)
    }

    /// JSON text without whitespace between tokens, as DuckDB's JSON type holds it.
    static func minified(_ raw: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard raw.contains(where: { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) else { return raw }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var inString = false, escaped = false
        for b in raw {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == 92 { escaped = true } else if b == 34 { inString = false }
            } else if b == 34 {
                inString = true
                out.append(b)
            } else if b != 32 && b != 9 && b != 10 && b != 13 {
                out.append(b)
            }
        }
        return out[...]
    }

    /// One JSON member as a value of its column's type; JSON columns keep the member's text.
    static func sqlValue(_ node: JSONNode, type: DataType, path: String, line: Int) throws -> Value {
        switch (node.kind, type) {
        case (_, .json): return .string(String(decoding: minified(node.raw), as: UTF8.self))
        case (.string, .varchar): return .string(String(decoding: node.stringBytes, as: UTF8.self))
        case (_, .varchar): return .string(String(decoding: node.raw, as: UTF8.self))
        case (.number, .bigint): if let i = node.int64 { return .int(i) }
        case (.number, .double): if let d = node.double { return .double(d) }
        case (.bool, .boolean): if let b = node.bool { return .bool(b) }
        default: break
        }
        let text = node.kind == .string ? String(decoding: node.stringBytes, as: UTF8.self) : String(decoding: node.raw, as: UTF8.self)
        return (try? Cast.value(.string(text), to: type)) ?? .null
    }

    private func finish(_ columns: [Vector], rows: Int, source: SourceFile, partitionsChecked: Bool = true) throws -> Batch? {
        var columns = columns
        let base = spec.source.fileColumnCount
        for (k, v) in source.partitions.enumerated() where needed.contains(base + k) {
            columns[base + k] = Vector(repeating: v, type: spec.source.fields[base + k].type, count: rows)
        }
        var batch = Batch(columns: columns, count: rows)
        // Filters on partition columns alone already passed for the whole file.
        for f in spec.filters where batch.count > 0 && !(partitionsChecked && f.columns.allSatisfy({ $0 >= base })) {
            let keep = Evaluator.selection(try Evaluator.evaluate(f, batch))
            if keep.count != batch.count {
                batch = Batch(columns: batch.columns.enumerated().map { needed.contains($0.offset) ? $0.element.take(keep) : Vector(type: $0.element.type, storage: .nulls(keep.count)) }, count: keep.count)
            }
        }
        return Batch(columns: spec.columns.map { batch.columns[$0] }, count: batch.count)
    }

    static func vector(_ c: Column, type: DataType) -> Vector {
        switch c.data {
        case let .boolean(v): return Vector(type: type, storage: .bools(v), validity: c.validity)
        case let .int32(v): return Vector(type: type, storage: .ints(v.map(Int64.init)), validity: c.validity)
        case let .int64(v): return Vector(type: type, storage: .ints(v), validity: c.validity)
        case let .double(v): return Vector(type: type, storage: .doubles(v), validity: c.validity)
        case let .string(v): return Vector(type: type, storage: .strings(v), validity: c.validity)
        }
    }
}

/// Runs work items on a few threads, at most four per thread ahead of the consumer, and hands
/// their results back in the order of the items. (One ahead per thread left a worker waiting
/// whenever a large row group sat in front of small ones: row groups of a skewed lake range
/// from a few hundred rows to half a million.)
final class OrderedPrefetch: @unchecked Sendable {
    let workers: Int
    private var work: [@Sendable () throws -> Batch?] = []
    private var results: [Int: Result<Batch?, Error>] = [:]
    private var nextToStart = 0
    private var nextToReturn = 0
    private let condition = NSCondition()
    private var threads: [Thread] = []
    private var stopped = false

    init(workers: Int) { self.workers = workers }

    deinit {
        condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
    }

    func start(_ work: [@Sendable () throws -> Batch?]) {
        self.work = work
        guard work.count > 1, workers > 1 else { return }
        for _ in 0..<workers {
            let t = Thread { [weak self] in self?.loop() }
            t.stackSize = 8 << 20
            threads.append(t)
            t.start()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while !stopped && nextToStart < work.count && nextToStart - nextToReturn >= 4 * workers { condition.wait() }
            if stopped || nextToStart >= work.count { condition.unlock(); return }
            let index = nextToStart
            nextToStart += 1
            let item = work[index]
            condition.unlock()
            let result = Result { try item() }
            condition.lock()
            results[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    func next() throws -> Batch? {
        while true {
            if threads.isEmpty {
                guard nextToReturn < work.count else { return nil }
                let item = work[nextToReturn]
                nextToReturn += 1
                if let b = try item(), b.count > 0 { return b }
                continue
            }
            condition.lock()
            guard nextToReturn < work.count else { condition.unlock(); return nil }
            while results[nextToReturn] == nil { condition.wait() }
            let result = results.removeValue(forKey: nextToReturn)!
            nextToReturn += 1
            condition.broadcast()
            condition.unlock()
            switch result {
            case let .success(b): if let b, b.count > 0 { return b }
            case let .failure(e):
                condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
                throw e
            }
        }
    }
}

/// The rows a DuckLake writer deleted from one data file: inlined positions and the `pos`
/// column of its delete files.
enum DeletedRows {
    static func of(_ file: SourceFile, in table: TableSource) throws -> Set<Int64> {
        var positions = Set(file.deletedPositions)
        for path in file.deleteFiles {
            do {
                let parquet = try table.open(path)
                let pos = try parquet.columnIndex("pos")
                for g in 0..<parquet.rowGroupCount {
                    for column in try parquet.loading(rowGroup: g, columns: [pos]).read(rowGroup: g, columns: [pos]) {
                        if case let .int64(values) = column.data { positions.formUnion(values) }
                    }
                }
            } catch let error as LakeError {
                throw QueryError.io("\(path) (DuckLake delete file of \(file.path)): \(error.message)")
            }
        }
        return positions
    }
}
