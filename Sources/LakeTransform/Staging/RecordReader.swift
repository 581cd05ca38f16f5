import LakeCore
import LakeParquet

/// Turns one raw record into one staged row, typed and checked against the contract, or
/// says why it cannot be staged.
///
/// Rules: a required field must be present and non-null (unless its type admits null); a
/// present value must have the declared type, its `format` (date-time, date) and its `enum`.
/// An optional field with a value of another type is schema drift, not an error: the column
/// gets null, the value goes to `_extra`, and the drift is counted. So is a field the
/// contract lacks.
struct RecordReader {
    let schema: StagedSchema

    /// Drift seen, by field and JSON type: (count, first raw file).
    var drift: [DriftKey: DriftSeen] = [:]
    struct DriftKey: Hashable { var field: String; var type: String }
    struct DriftSeen { var count: Int; var firstRaw: Int }
    /// The raw file being read (its index in the promotion), for drift's "first seen in".
    var currentRaw = 0

    var seen: [Bool]
    var extra: [UInt8] = []
    /// The field expected at each member position, learnt from the previous record.
    var guess: [Int] = []

    /// What the line scanner reads per line and per row, in memory of its own: copied out of
    /// their arrays, the plans, their names and the `_meta` names cost a retain and a release
    /// each, per row.
    let tables: ScanTables

    init(schema: StagedSchema) {
        self.schema = schema
        seen = [Bool](repeating: false, count: schema.fields.count)
        tables = ScanTables(schema: schema, meta: PackedBytes(Self.metaKeyNames.map { Array($0.utf8) }))
    }

    /// Where the records being read come from: one raw file, its partitions and the line.
    struct Context {
        var rawFile: [UInt8]
        var line = 0
        /// An API record's 1-based position in the paginated collection: the page's `offset`
        /// (a sibling of the records array, as in Spotify's paging objects) plus its index.
        var position: Int64?
        /// Per field: whether it is a partition key of this file, and the folder's value as bytes
        /// (nil for `__HIVE_DEFAULT_PARTITION__`).
        let partitionPresent: [Bool]
        let partitionValues: PackedBytes

        init(rawFile: String, partitions: PartitionValues, schema: StagedSchema) {
            self.rawFile = Array(rawFile.utf8)
            partitionPresent = schema.fields.map { $0.partitionKey && partitions[$0.spec.name] != nil }
            partitionValues = PackedBytes(schema.fields.map { f in
                f.partitionKey ? partitions[f.spec.name].flatMap { $0 == Hive.defaultPartition ? nil : Array($0.utf8) } : nil
            })
        }

        /// Appends field `i`'s folder value to `builder`; false when the folder gives none.
        func appendPartitionValue(_ i: Int, to builder: inout ColumnBuilder) -> Bool {
            guard let range = partitionValues.ranges[i] else { return false }
            partitionValues.bytes.withUnsafeBufferPointer { builder.append(bytes: UnsafeBufferPointer(rebasing: $0[range])) }
            return true
        }
    }

    /// A field that is a partition key takes the folder's value, so single-file and Hive readers
    /// agree; a reason when that value is missing and the field is required.
    func putPartitionValue(_ i: Int, _ f: StagedSchema.Plan, context: Context,
                           into builders: UnsafeMutableBufferPointer<ColumnBuilder>) -> String? {
        if context.appendPartitionValue(i, to: &builders[f.column]) { return nil }
        if f.allowsNull { builders[f.column].appendNull(); return nil }
        return "required field \"\(schema.fields[i].spec.name)\" has no value"
    }

    func putPartitionValue(field i: Int, context: Context, into buffer: inout RowBuffer) -> String? {
        buffer.builders.withUnsafeMutableBufferPointer { putPartitionValue(i, schema.plans[i], context: context, into: $0) }
    }

    /// Appends the row to `buffer`; on failure leaves `buffer` as it was and returns the reason.
    mutating func append(record: JSONNode, meta: JSONNode?, context: Context, into buffer: inout RowBuffer) -> String? {
        guard record.kind == .object else {
            return "the record is a JSON \(record.schemaTypeName), not an object"
        }
        let start = buffer.count
        for i in seen.indices { seen[i] = false }
        extra.removeAll(keepingCapacity: true)
        var failure: String?
        let fields = schema.fields

        // Plain fields come from the record's own members; everything else is drift.
        var position = 0
        record.forEachMember { key, value in
            guard failure == nil else { return }
            var match = -1
            if position < guess.count {
                let g = guess[position]
                if g >= 0, fields[g].plain, key.keyEquals(fields[g].name) { match = g }
            }
            if match < 0 {
                for i in fields.indices where fields[i].plain && key.keyEquals(fields[i].name) {
                    match = i
                    break
                }
                if position < guess.count { guess[position] = match } else { guess.append(match) }
            }
            position += 1
            if match >= 0 {
                if seen[match] { return }   // a repeated key: JSON parsers keep the first
                seen[match] = true
                failure = context.partitionPresent[match] ? putPartitionValue(field: match, context: context, into: &buffer)
                    : put(value, field: match, into: &buffer)
            } else if schema.unknown != .ignore, !schema.claimedKeys.contains(Array(key.stringBytes)) {
                noteDrift(field: String(decoding: key.stringBytes, as: UTF8.self), value: value, reported: schema.unknown == .drift)
            }
        }
        if let failure {
            buffer.truncate(to: start)
            return failure
        }
        // Nested-path and _meta fields, and plain fields the record lacks.
        for i in fields.indices where !seen[i] {
            let f = fields[i]
            var value: JSONNode?
            if let path = f.path {
                value = (f.fromMeta ? meta : record)?.value(at: path)
            } else if f.fromMeta {
                value = meta?[f.spec.name]
            }
            if let value {
                let reason = context.partitionPresent[i] ? putPartitionValue(field: i, context: context, into: &buffer)
                    : put(value, field: i, into: &buffer)
                if let reason {
                    buffer.truncate(to: start)
                    return reason
                }
            } else if context.appendPartitionValue(i, to: &buffer.builders[f.column]) {
                continue
            } else if f.spec.allowsNull {
                buffer.builders[f.column].appendNull()
            } else {
                buffer.truncate(to: start)
                return "required field \"\(f.spec.name)\" is missing"
            }
        }
        appendProvenance(meta: meta, context: context, into: &buffer)
        if extra.isEmpty {
            buffer.builders[schema.extraColumn].appendNull()
        } else {
            extra.append(0x7D)
            buffer.builders[schema.extraColumn].append(bytes: extra)
        }
        return nil
    }

    /// Appends one field's value; a reason when the row must go to quarantine.
    private mutating func put(_ value: JSONNode, field i: Int, into buffer: inout RowBuffer) -> String? {
        let f = schema.fields[i]
        let column = f.column
        if value.isNull {
            if f.spec.allowsNull { buffer.builders[column].appendNull(); return nil }
            return "required field \"\(f.spec.name)\" is null"
        }
        switch f.kind {
        case .string:
            guard value.kind == .string else { return mismatch(f, value, into: &buffer) }
            let bytes = value.stringBytes
            if !bytes.withUnsafeBufferPointer({ schema.allows(schema.plans[i], $0) }) {
                return "field \"\(f.spec.name)\": \(JSONValue.quote(String(decoding: bytes, as: UTF8.self))) is not one of the contract's enum values"
            }
            buffer.builders[column].append(bytes: bytes)
        case .int64:
            guard let v = value.int64 else { return mismatch(f, value, into: &buffer) }
            buffer.builders[column].append(int64: v)
        case .double:
            guard value.kind == .number, let v = value.double else { return mismatch(f, value, into: &buffer) }
            buffer.builders[column].append(double: v)
        case .boolean:
            guard let v = value.bool else { return mismatch(f, value, into: &buffer) }
            buffer.builders[column].append(bool: v)
        case .timestamp:
            guard value.kind == .string else { return mismatch(f, value, into: &buffer) }
            guard let micros = value.isEscaped ? CivilTime.parseTimestamp(value.stringBytes)
                    : value.tape.bytes.withUnsafeBufferPointer({ CivilTime.parseTimestamp(UnsafeBufferPointer(rebasing: $0[value.contentRange])) }) else {
                return "field \"\(f.spec.name)\": \(String(decoding: value.raw, as: UTF8.self)) is not an RFC 3339 date-time"
            }
            buffer.builders[column].append(int64: micros)
        case .date:
            guard value.kind == .string else { return mismatch(f, value, into: &buffer) }
            guard let days = CivilTime.parseDate(value.stringBytes) else {
                return "field \"\(f.spec.name)\": \(String(decoding: value.raw, as: UTF8.self)) is not a date (YYYY-MM-DD)"
            }
            buffer.builders[column].append(int32: Int32(days))
        case .json:
            let types = f.spec.valueTypes
            if !types.isEmpty && !types.contains(value.schemaTypeName) && !(value.schemaTypeName == "integer" && types.contains("number")) {
                return mismatch(f, value, into: &buffer)
            }
            if value.kind == .string { buffer.builders[column].append(bytes: value.stringBytes) } else { buffer.builders[column].append(bytes: value.raw) }
        }
        return nil
    }

    /// A value of another type: quarantine when the field is required, drift otherwise.
    private mutating func mismatch(_ f: StagedSchema.Field, _ value: JSONNode, into buffer: inout RowBuffer) -> String? {
        let expected = f.spec.valueTypes.joined(separator: " or ")
        if !f.spec.allowsNull {
            return "required field \"\(f.spec.name)\" is a \(value.schemaTypeName), the contract says \(expected)"
        }
        noteDrift(field: f.spec.name, value: value)
        buffer.builders[f.column].appendNull()
        return nil
    }

    /// Keeps the value in `_extra`, and counts it as drift unless the contract said to keep such fields quietly.
    mutating func noteDrift(field: String, value: JSONNode, reported: Bool = true) {
        if reported {
            drift[DriftKey(field: field, type: value.schemaTypeName), default: DriftSeen(count: 0, firstRaw: currentRaw)].count += 1
        }
        extra.append(extra.isEmpty ? 0x7B : 0x2C)
        extra += JSONValue.quote(field).utf8
        extra.append(0x3A)
        extra += value.raw
    }

    /// Per reader, not static: a global array read by both workers per row costs a contended retain.
    let metaKey = Array("_meta".utf8)
    let valueKey = Array("value".utf8)
    static let metaKeyNames = ["page", "fetched_at", "partition", "offset", "stream_id", "arrival_time"]
    let metaKeys: [[UInt8]] = metaKeyNames.map { Array($0.utf8) }

    /// One pass over `_meta` for the provenance columns.
    private func appendProvenance(meta: JSONNode?, context: Context, into buffer: inout RowBuffer) {
        let c = schema.rawFileColumn
        buffer.builders[c].append(bytes: context.rawFile)
        buffer.builders[c + 1].append(int64: Int64(context.line))
        var found: [JSONNode?] = [nil, nil, nil, nil, nil, nil]
        meta?.forEachMember { key, value in
            for k in 0..<6 where found[k] == nil && key.keyEquals(metaKeys[k]) {
                found[k] = value
                return
            }
        }
        func int(_ k: Int, _ column: Int) {
            if let v = found[k]?.int64 { buffer.builders[column].append(int64: v) } else { buffer.builders[column].appendNull() }
        }
        func time(_ k: Int, _ column: Int) {
            if let v = found[k], v.kind == .string, let t = CivilTime.parseTimestamp(v.stringBytes) {
                buffer.builders[column].append(int64: t)
            } else {
                buffer.builders[column].appendNull()
            }
        }
        switch schema.kind {
        case .api:
            int(0, c + 2)
            time(1, c + 3)
            if let p = context.position { buffer.builders[c + 4].append(int64: p) } else { buffer.builders[c + 4].appendNull() }
        case .stream:
            int(2, c + 2)
            int(3, c + 3)
            if let v = found[4], v.kind == .string { buffer.builders[c + 4].append(bytes: v.stringBytes) } else { buffer.builders[c + 4].appendNull() }
            time(5, c + 5)
        }
    }
}
