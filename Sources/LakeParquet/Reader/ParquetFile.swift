import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LakeCore

/// A Parquet file opened for reading: its footer parsed, its bytes memory-mapped.
///
/// Flat schemas only (every leaf a direct child of the root); nested LIST/MAP/struct columns
/// are listed in `skippedColumns` and not read. Values come back as lake's column types,
/// whatever the writer chose: INT96 and TIMESTAMP in any unit become microseconds, FLOAT and
/// DECIMAL become doubles, unsigned 32-bit and 64-bit integers become int64.
public final class ParquetFile: @unchecked Sendable {
    public let path: String
    public let schema: [ColumnSchema]
    public let rowCount: Int
    public let createdBy: String?
    public let keyValues: [(String, String)]
    /// Nested columns lake does not read, by name.
    public let skippedColumns: [String]

    let data: Data
    /// Where the file's bytes come from when it is an object rather than a local file: `data`
    /// then holds only what was fetched, at its offsets.
    let store: ObjectStore?
    /// Whether `data` holds every byte of the file (always, for a local one).
    let whole: Bool
    let meta: FileMetaData
    let leaves: [LeafColumn]

    struct LeafColumn {
        var element: SchemaElement
        var chunkIndex: Int
        var conversion: Conversion
    }

    enum Conversion {
        case none, timestampMillis, timestampNanos, decimal(scale: Int32), unsigned32, float16, uuid
    }

    public var rowGroupCount: Int { meta.rowGroups.count }

    /// Whether timestamp column `c` is instants (isAdjustedToUTC, DuckDB's TIMESTAMP WITH TIME
    /// ZONE) rather than local date-times (TIMESTAMP). Legacy annotations count as UTC.
    public func timestampIsUTC(_ c: Int) -> Bool {
        if case let .timestamp(utc, _)? = leaves[c].element.logicalType { return utc }
        return true
    }

    public convenience init(path: String) throws {
        try self.init(path: path, image: try Self.mapped(path), store: nil, whole: true)
    }

    private static func mapped(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ParquetError.io(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// An object in `store` (S3): one ranged GET of its tail for the footer. Row groups are
    /// fetched by `loading(rowGroup:columns:)`, only the column chunks asked for.
    /// Most of a lake's staged files are smaller than the first guess, and arrive whole.
    public convenience init(object path: String, in store: ObjectStore, tailGuess: Int = 128 << 10) throws {
        let (tail, size) = try Self.objectIO(path) { try store.readTail(path, count: tailGuess) }
        guard size >= 12, tail.count >= 8 else { throw ParquetError.notParquet(path: path, reason: "only \(size) bytes") }
        let length = tail.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: tail.count - 8, as: UInt32.self)) }
        guard length <= size - 12 else { throw ParquetError.notParquet(path: path, reason: "footer length \(length) does not fit the file") }
        var pieces = [(size - tail.count, tail)]
        if length + 8 > tail.count {
            let range = (size - 8 - length)..<size
            pieces = [(range.lowerBound, try Self.objectIO(path) { try store.read(path, ranges: [range])[0] })]
        }
        try self.init(path: path, image: Self.sparseImage(size: size, pieces), store: store, whole: tail.count == size)
    }

    private init(path: String, image data: Data, store: ObjectStore?, whole: Bool) throws {
        self.data = data
        self.store = store
        self.whole = whole
        self.path = path
        let size = data.count
        guard size >= 12 else { throw ParquetError.notParquet(path: path, reason: "only \(size) bytes") }
        let decoded: FileMetaData = try data.withUnsafeBytes { raw in
            // An object's image holds only its tail so far.
            guard store != nil || raw[0..<4].elementsEqual("PAR1".utf8), raw[(size - 4)...].elementsEqual("PAR1".utf8) else {
                throw ParquetError.notParquet(path: path, reason: "no PAR1 magic at both ends")
            }
            let length = Int(raw.loadUnaligned(fromByteOffset: size - 8, as: UInt32.self))
            guard length > 0, length <= size - 12 else {
                throw ParquetError.notParquet(path: path, reason: "footer length \(length) does not fit the file")
            }
            do {
                return try FileMetaData.decode(UnsafeRawBufferPointer(rebasing: raw[(size - 8 - length)..<(size - 8)]))
            } catch let error as ParquetError {
                throw ParquetError.notParquet(path: path, reason: "footer: \(error.message)")
            }
        }
        meta = decoded
        rowCount = Int(decoded.numRows)
        createdBy = decoded.createdBy
        keyValues = decoded.keyValues

        var leaves: [LeafColumn] = []
        var skipped: [String] = []
        var columns: [ColumnSchema] = []
        // Walk the schema tree: direct leaf children of the root are columns; groups are skipped whole.
        var index = 1
        var chunk = 0
        let rootChildren = Int(decoded.schema.first?.numChildren ?? 0)
        func skipSubtree(_ i: inout Int) -> Int {   // returns leaves under it
            let e = decoded.schema[i]
            i += 1
            guard let n = e.numChildren, n > 0 else { return 1 }
            var count = 0
            for _ in 0..<n where i < decoded.schema.count { count += skipSubtree(&i) }
            return count
        }
        for _ in 0..<rootChildren where index < decoded.schema.count {
            let e = decoded.schema[index]
            if (e.numChildren ?? 0) > 0 || e.type == nil || e.repetition == .repeated {
                skipped.append(e.name)
                chunk += skipSubtree(&index)
                continue
            }
            index += 1
            let (type, conversion) = try Self.columnType(e, path: path)
            columns.append(ColumnSchema(e.name, type, nullable: e.repetition != .required))
            leaves.append(LeafColumn(element: e, chunkIndex: chunk, conversion: conversion))
            chunk += 1
        }
        self.leaves = leaves
        schema = columns
        skippedColumns = skipped
    }

    /// The same file mapped again with its parsed footer: a reader that opened the file to
    /// prune and let the mapping go does not decode the footer a second time to read it.
    public func remapped() throws -> ParquetFile {
        let data = try Self.mapped(path)
        guard data.count == self.data.count else {
            throw ParquetError.io(path: path, reason: "the file changed while it was read (\(self.data.count) bytes, now \(data.count))")
        }
        return ParquetFile(other: self, image: data)
    }

    /// The file ready to read `columns` of row group `g`: a local file mapped again; an
    /// object's column chunks fetched, with ranged GETs in flight at once.
    public func loading(rowGroup g: Int, columns: [Int]) throws -> ParquetFile {
        guard let store else { return try remapped() }
        if whole { return self }
        let ranges = columns.map { c -> Range<Int> in
            let chunk = meta.rowGroups[g].columns[leaves[c].chunkIndex].meta
            let start = Int(min(chunk.dictionaryPageOffset.flatMap { $0 > 0 ? $0 : nil } ?? chunk.dataPageOffset, chunk.dataPageOffset))
            return start..<min(data.count, start + Int(chunk.totalCompressedSize))
        }
        let bytes = try Self.objectIO(path) { try store.read(path, ranges: ranges) }
        return ParquetFile(other: self, image: Self.sparseImage(size: data.count, zip(ranges.map(\.lowerBound), bytes).map { ($0, $1) }))
    }

    /// A zero-filled image of `size` bytes that costs memory only where `pieces` are written.
    static func sparseImage(size: Int, _ pieces: [(offset: Int, bytes: [UInt8])]) -> Data {
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), base != MAP_FAILED else {
            var data = Data(count: size)
            for (offset, bytes) in pieces { data.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
            return data
        }
        for (offset, bytes) in pieces {
            bytes.withUnsafeBytes { (base + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        return Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }

    /// Runs an object read, naming the object in its error.
    static func objectIO<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ParquetError { throw error } catch let error as LakeError {
            throw ParquetError.io(path: path, reason: error.message)
        } catch {
            throw ParquetError.io(path: path, reason: "\(error)")
        }
    }

    private init(other: ParquetFile, image: Data) {
        data = image
        store = other.store
        whole = other.store == nil
        path = other.path
        schema = other.schema
        rowCount = other.rowCount
        createdBy = other.createdBy
        keyValues = other.keyValues
        skippedColumns = other.skippedColumns
        meta = other.meta
        leaves = other.leaves
    }

    static func columnType(_ e: SchemaElement, path: String) throws -> (ColumnType, Conversion) {
        let logical = e.logicalType
        switch e.type! {
        case .boolean: return (.boolean, .none)
        case .int32:
            if logical == .date || e.convertedType == .date { return (.date, .none) }
            if case let .decimal(scale, _) = logical { return (.double, .decimal(scale: scale)) }
            if e.convertedType == .decimal { return (.double, .decimal(scale: e.scale ?? 0)) }
            if case .integer(32, false) = logical { return (.int64, .unsigned32) }
            if e.convertedType == .uint32 { return (.int64, .unsigned32) }
            return (.int32, .none)
        case .int64:
            if case let .timestamp(_, unit) = logical {
                return (.timestamp, unit == .millis ? .timestampMillis : unit == .nanos ? .timestampNanos : .none)
            }
            if e.convertedType == .timestampMillis { return (.timestamp, .timestampMillis) }
            if e.convertedType == .timestampMicros { return (.timestamp, .none) }
            if case let .decimal(scale, _) = logical { return (.double, .decimal(scale: scale)) }
            if e.convertedType == .decimal { return (.double, .decimal(scale: e.scale ?? 0)) }
            return (.int64, .none)
        case .int96: return (.timestamp, .none)
        case .float, .double: return (.double, .none)
        case .byteArray, .fixedLenByteArray:
            if case let .decimal(scale, _) = logical { return (.double, .decimal(scale: scale)) }
            if e.convertedType == .decimal { return (.double, .decimal(scale: e.scale ?? 0)) }
            if case .other(15) = logical { return (.double, .float16) }
            // UUID (16 bytes, big-endian) reads as its text, as DuckDB shows it.
            if case .other(14) = logical, e.type == .fixedLenByteArray { return (.string, .uuid) }
            return (.string, .none)
        }
    }

    /// The position of `name` in `schema`, or an error listing the columns.
    public func columnIndex(_ name: String) throws -> Int {
        guard let i = schema.firstIndex(where: { $0.name == name }) else {
            throw ParquetError.unknownColumn(name: name, path: path, available: schema.map(\.name))
        }
        return i
    }

    public func rowCount(rowGroup: Int) -> Int { Int(meta.rowGroups[rowGroup].numRows) }

    /// The footer's statistics for one column of one row group, if the writer kept them.
    public func statistics(rowGroup: Int, column: Int) -> ColumnStats? {
        let leaf = leaves[column]
        let chunk = meta.rowGroups[rowGroup].columns[leaf.chunkIndex].meta
        guard let s = chunk.statistics else { return nil }
        var stats = ColumnStats(name: schema[column].name, nullCount: Int(s.nullCount ?? 0), valueCount: Int(chunk.numValues))
        // The legacy fields sort strings as signed bytes; only trust them for numbers.
        let legacyOK = leaf.element.type != .byteArray && leaf.element.type != .fixedLenByteArray
        stats.min = (s.minValue ?? (legacyOK ? s.legacyMin : nil)).flatMap { decodeStat($0, column: column) }
        stats.max = (s.maxValue ?? (legacyOK ? s.legacyMax : nil)).flatMap { decodeStat($0, column: column) }
        return stats
    }

    private func decodeStat(_ bytes: [UInt8], column: Int) -> ColumnValue? {
        let leaf = leaves[column]
        var values = PhysicalValues()
        let ok: Bool = bytes.withUnsafeBytes { raw in
            if leaf.element.type == .byteArray {
                values.strings.append(raw)
                return true
            }
            return (try? PlainDecoder.decode(raw, count: 1, type: leaf.element.type!, typeLength: Int(leaf.element.typeLength ?? 0), into: &values)) != nil
        }
        guard ok, let c = try? ColumnChunkReader.convert(values, validity: nil, count: 1, schema: schema[column], leaf: leaf) else { return nil }
        return c.value(0)
    }

    /// Reads `columns` (indices into `schema`) of one row group.
    public func read(rowGroup: Int, columns: [Int]) throws -> [Column] {
        let group = meta.rowGroups[rowGroup]
        return try data.withUnsafeBytes { raw in
            try columns.map { c in
                let leaf = leaves[c]
                do {
                    return try ColumnChunkReader.read(raw, chunk: group.columns[leaf.chunkIndex].meta, leaf: leaf,
                                                      schema: schema[c], rows: Int(group.numRows))
                } catch let error as ParquetError {
                    if case .corrupt(let detail) = error {
                        throw ParquetError.notParquet(path: path, reason: "column \(schema[c].name), row group \(rowGroup): \(detail)")
                    }
                    throw error
                }
            }
        }
    }

    /// A string column of one row group as dictionary codes, when every data page of its chunk
    /// is dictionary-encoded; nil otherwise.
    public func readCodes(rowGroup: Int, column c: Int) throws -> (codes: [Int32], dictionary: StringArray, validity: [Bool]?)? {
        guard schema[c].type == .string else { return nil }
        let leaf = leaves[c]
        guard case .none = leaf.conversion else { return nil }
        let group = meta.rowGroups[rowGroup]
        return try data.withUnsafeBytes { raw in
            do {
                return try ColumnChunkReader.readCodes(raw, chunk: group.columns[leaf.chunkIndex].meta, leaf: leaf, rows: Int(group.numRows))
            } catch let error as ParquetError {
                if case .corrupt(let detail) = error {
                    throw ParquetError.notParquet(path: path, reason: "column \(schema[c].name), row group \(rowGroup): \(detail)")
                }
                throw error
            }
        }
    }

    /// Reads the named columns (all by default) of every row group into one batch.
    public func readAll(columns names: [String]? = nil) throws -> [Column] {
        let indices = try names.map { try $0.map(columnIndex) } ?? Array(schema.indices)
        var result = indices.map { Column(schema[$0]) }
        for g in 0..<rowGroupCount {
            let part = try read(rowGroup: g, columns: indices)
            for i in result.indices { result[i].append(part[i]) }
        }
        return result
    }
}
