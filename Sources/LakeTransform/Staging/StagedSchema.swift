import LakeCatalog
import LakeCore
import LakeParquet

/// A staged dataset's columns: the contract's fields in declared order, then provenance
/// (where each row came from in raw), then `_extra` for values the contract does not
/// describe yet.
///
/// JSON Schema → column: `string` → VARCHAR, with `format: date-time` → TIMESTAMP (UTC,
/// microseconds), `format: date` → DATE; `integer` → BIGINT; `number` → DOUBLE; `boolean`
/// → BOOLEAN; `object`, `array` or several types → VARCHAR holding the JSON text.
struct StagedSchema {
    enum RawKind: String { case api, stream }

    enum Kind { case string, int64, double, boolean, date, timestamp, json }

    final class Field {
        let spec: ContractField
        let column: Int
        let kind: Kind
        let name: [UInt8]
        /// Set for fields read at a nested path or from `_meta`; plain fields match record keys.
        let path: JSONPath?
        let fromMeta: Bool
        /// When the field is also a partition key, the partition's value wins (so Hive readers agree).
        let partitionKey: Bool
        /// The contract's enum strings (string fields only); a handful compare faster than they hash.
        let enumValues: [[UInt8]]?
        /// Read from the record's own member of the same name.
        let plain: Bool

        init(spec: ContractField, column: Int, kind: Kind, name: [UInt8], path: JSONPath?, fromMeta: Bool,
             partitionKey: Bool, enumValues: [[UInt8]]?) {
            self.spec = spec
            self.column = column
            self.kind = kind
            self.name = name
            self.path = path
            self.fromMeta = fromMeta
            self.partitionKey = partitionKey
            self.enumValues = enumValues
            plain = path == nil && !fromMeta
        }
    }

    /// What the line scanner needs of a field for every value, as plain values: reading a
    /// `Field` costs a retain and a release each time, which was a tenth of a promotion.
    struct Plan {
        let column: Int
        let kind: Kind
        let allowsNull: Bool
        let checksEnum: Bool
        /// The field's name in `planNames`.
        let name: Range<Int>
        /// The field's enum values in `planEnums` (empty without an enum).
        let enums: Range<Int>
    }

    /// Whether a string value (unescaped bytes) is one of `plan`'s enum values (any value when it
    /// has none), compared without touching the field: its `[[UInt8]]` of values retained each
    /// one it looked at. Both the scanner and the general reader check here.
    @inline(__always) func allows(_ plan: Plan, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard plan.checksEnum else { return true }
        return planEnums.bytes.withUnsafeBufferPointer { bytes in
            for k in plan.enums {
                let r = planEnums.ranges[k]!
                if r.count == value.count && (value.isEmpty || memcmp(bytes.baseAddress! + r.lowerBound, value.baseAddress!, r.count) == 0) {
                    return true
                }
            }
            return false
        }
    }

    let kind: RawKind
    let plans: [Plan]
    let planNames: [UInt8]
    let planEnums: PackedBytes
    /// Every raw line is a record itself (`x-lake.raw_format: "records"`), never an envelope.
    let bareRecords: Bool
    let fields: [Field]
    let columns: [ColumnSchema]
    /// Record keys claimed by nested paths (`track` for `track.album.name`) or left out on
    /// purpose (`x-lake.ignore`): not drift, not `_extra`.
    let claimedKeys: Set<[UInt8]>
    /// What happens to other keys the contract lacks.
    enum Unknown: String { case drift, keep, ignore }
    let unknown: Unknown
    let extraColumn: Int
    let rawFileColumn: Int
    let rawLineColumn: Int
    /// What the Parquet files hold: every column but the partition keys (`dt`, `region`), which
    /// live in the folder names as Hive and Spark expect; a file that repeated them would clash
    /// with the folder's value in pyarrow's and Spark's partition discovery.
    let fileColumns: [ColumnSchema]
    let fileColumnIndices: [Int]

    static let apiProvenance = [ColumnSchema("_raw_file", .string, nullable: false), ColumnSchema("_raw_line", .int64, nullable: false),
                                ColumnSchema("_page", .int64), ColumnSchema("_fetched_at", .timestamp),
                                ColumnSchema("_position", .int64)]
    static let streamProvenance = [ColumnSchema("_raw_file", .string, nullable: false), ColumnSchema("_raw_line", .int64, nullable: false),
                                   ColumnSchema("_partition", .int64), ColumnSchema("_offset", .int64),
                                   ColumnSchema("_stream_id", .string), ColumnSchema("_arrival_time", .timestamp)]

    init(contract: DatasetContract, kind: RawKind) {
        self.kind = kind
        bareRecords = contract.rawFormat == "records"
        var fields: [Field] = []
        var columns: [ColumnSchema] = []
        var claimed = Set<[UInt8]>()
        for spec in contract.fields {
            let kind = Self.kind(of: spec)
            let type = Self.columnType(of: kind)
            var path: JSONPath?
            var fromMeta = false
            if var text = spec.path, text != spec.name {
                if text.hasPrefix("_meta.") {
                    fromMeta = true
                    text = String(text.dropFirst(6))
                }
                path = JSONPath(text)
                if !fromMeta, case let .key(first)? = path?.steps.first { claimed.insert(Array(first.utf8)) }
            }
            let enumValues = spec.enumValues.map { $0.compactMap { $0.stringValue.map { Array($0.utf8) } } }
            fields.append(Field(spec: spec, column: columns.count, kind: kind, name: Array(spec.name.utf8), path: path,
                                fromMeta: fromMeta, partitionKey: contract.partitionBy.contains(spec.name) || spec.name == "dt" || spec.name == "region",
                                enumValues: kind == .string ? enumValues : nil))
            columns.append(ColumnSchema(spec.name, type, nullable: spec.allowsNull))
        }
        rawFileColumn = columns.count
        rawLineColumn = columns.count + 1
        columns += kind == .api ? Self.apiProvenance : Self.streamProvenance
        extraColumn = columns.count
        columns.append(ColumnSchema("_extra", .string))
        self.fields = fields
        let names = PackedBytes(fields.map(\.name))
        var enumStart = 0
        plans = zip(fields, names.ranges).map { f, name in
            let count = f.enumValues?.count ?? 0
            defer { enumStart += count }
            return Plan(column: f.column, kind: f.kind, allowsNull: f.spec.allowsNull, checksEnum: f.enumValues != nil, name: name!,
                        enums: enumStart..<(enumStart + count))
        }
        planEnums = PackedBytes(fields.flatMap { $0.enumValues ?? [] })
        planNames = names.bytes
        self.columns = columns
        claimedKeys = claimed.union(contract.ignoredFields.map { Array($0.utf8) })
        unknown = Unknown(rawValue: contract.additionalProperties) ?? .drift
        let partitionColumns = Set(fields.filter { $0.partitionKey && contract.partitionBy.contains($0.spec.name) }.map(\.column))
        fileColumnIndices = columns.indices.filter { !partitionColumns.contains($0) }
        fileColumns = fileColumnIndices.map { columns[$0] }
    }

    /// A contract field's Parquet column: its type, and nullable unless the field is required.
    static func column(of field: ContractField) -> ColumnSchema {
        ColumnSchema(field.name, columnType(of: kind(of: field)), nullable: field.allowsNull)
    }

    /// The Parquet column type of a contract field (curated tables use the same mapping).
    static func columnType(of kind: Kind) -> ColumnType {
        switch kind {
        case .string, .json: .string
        case .int64: .int64
        case .double: .double
        case .boolean: .boolean
        case .date: .date
        case .timestamp: .timestamp
        }
    }

    static func kind(of spec: ContractField) -> Kind {
        let types = spec.valueTypes
        guard types.count == 1 else { return .json }
        switch types[0] {
        case "string":
            switch spec.format {
            case "date-time": return .timestamp
            case "date": return .date
            default: return .string
            }
        case "integer": return .int64
        case "number": return .double
        case "boolean": return .boolean
        default: return .json
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
