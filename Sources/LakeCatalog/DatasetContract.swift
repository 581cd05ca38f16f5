import Foundation
import LakeCore

/// A dataset's contract from `schemas/`: JSON Schema (draft 2020-12) for its records plus an
/// `x-lake` block for governance.
///
/// The title names the dataset as `<source>.<dataset>` (`spotify.playlist_tracks`) or just
/// `<dataset>`. For API datasets `x-lake.records` says where records sit in a page body
/// (`albums.items`) and a property's `x-lake-path` says where its value sits in a record
/// (`track.album.name`; the property name by default).
public struct DatasetContract: Sendable {
    public static let draft = "https://json-schema.org/draft/2020-12/schema"
    static let zones = ["raw", "staged", "curated"]
    static let types = ["string", "integer", "number", "boolean", "object", "array", "null"]

    public let file: String
    public let name: String
    public let source: String?
    public let zone: String
    public let owner: String?
    public let description: String?
    public let retentionDays: Int?
    public let freshnessHours: Double?
    public let pii: [String]
    public let partitionBy: [String]
    public let primaryKey: [String]
    public let recordsPath: String?
    public let propertyNames: [String]
    public let required: [String]
    /// The properties in the order the contract declares them: the staged columns' order.
    public let fields: [ContractField]
    /// A curated table's model: the SELECT that computes it (`x-lake.sql`, or the file named by
    /// `x-lake.model` beside the contract, inlined when the contract is registered).
    public let modelSQL: String?
    /// A curated model recomputed partition by partition of this column (`x-lake.incremental_by`).
    public let incrementalBy: String?
    /// How each PII column is masked on the way to curated: `hmac` (default) or `drop`.
    public let piiMasking: [String: String]
    /// Incoming fields left out on purpose (`x-lake.ignore`): neither columns nor drift.
    public let ignoredFields: [String]
    /// What promotion does with other fields the contract lacks (`x-lake.additional_properties`):
    /// `drift` (default: kept in `_extra` and reported), `keep` (kept in `_extra`, not
    /// reported) or `ignore` (dropped, not reported).
    public let additionalProperties: String
    /// The share of a dataset's records its owner accepts in quarantine
    /// (`x-lake.quarantine_tolerance`, 0…1); governance reports quarantine beyond it only.
    public let quarantineTolerance: Double?
    /// How raw lines hold records (`x-lake.raw_format`): `lake` (default: lake's envelopes,
    /// `{"_meta", "value" | "body"}`; a line without `_meta` is read as a bare record) or
    /// `records` (every line is the record itself, as Kafka Connect's S3 sink, Firehose and
    /// most exports write them, even one with a field named `_meta`), or `debezium` (change
    /// events, which promotion applies to the table's current state).
    public let rawFormat: String
    /// The contract as canonical JSON (keys sorted), and its sha256.
    public let canonicalJSON: String
    public let fingerprint: String

    /// Parses and checks a contract; `file` is only used in messages.
    public init(data: Data, file: String) throws {
        func invalid(_ problem: String) -> CatalogError { .invalidContract(file: file, problem: problem) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw invalid("is not valid JSON (\(Self.describe(error))) — fix the syntax")
        }
        guard let top = object as? [String: Any] else { throw invalid("a contract must be a JSON object") }
        if let schema = top["$schema"] {
            guard let uri = schema as? String, uri.trimmingCharacters(in: CharacterSet(charactersIn: "#")) == Self.draft else {
                throw invalid("\"$schema\" is \(schema); lake reads JSON Schema draft 2020-12 (\(Self.draft))")
            }
        }
        guard let title = top["title"] as? String, !title.isEmpty else {
            throw invalid("missing \"title\": name the dataset as \"<source>.<dataset>\", e.g. \"spotify.new_releases\"")
        }
        let ext = top["x-lake"]
        guard ext == nil || ext is [String: Any] else { throw invalid("\"x-lake\" must be an object") }
        let lake = ext as? [String: Any] ?? [:]

        let parts = title.split(separator: ".").map(String.init)
        let datasetName = (lake["dataset"] as? String) ?? parts.last ?? title
        let sourceName = (lake["source"] as? String) ?? (parts.count == 2 ? parts[0] : nil)
        guard parts.count <= 2, Names.isValid(datasetName) else {
            throw invalid("title \"\(title)\" must be \"<source>.<dataset>\" with names of lower-case letters, digits and '_'")
        }
        if let sourceName, !Names.isValid(sourceName) {
            throw invalid("source \"\(sourceName)\" must be lower-case letters, digits and '_'")
        }
        if let type = top["type"], (type as? String) != "object" {
            throw invalid("\"type\" is \(type); a dataset's record must be \"object\"")
        }
        guard top["properties"] == nil || top["properties"] is [String: Any] else {
            throw invalid("\"properties\" must be an object of field schemas")
        }
        let properties = top["properties"] as? [String: Any] ?? [:]
        for (field, schema) in properties.sorted(by: { $0.key < $1.key }) {
            guard let schema = schema as? [String: Any] else {
                throw invalid("property \"\(field)\" must be a schema object")
            }
            if let type = schema["type"] {
                let names = (type as? [Any]) ?? [type]
                for name in names {
                    guard let name = name as? String, Self.types.contains(name) else {
                        throw invalid("property \"\(field)\" has type \(name); use one of \(Self.types.joined(separator: ", "))")
                    }
                }
            }
            if let path = schema["x-lake-path"], !(path is String) {
                throw invalid("property \"\(field)\": \"x-lake-path\" must be a string like \"track.album.name\"")
            }
        }
        let required = try Self.stringList(top["required"], key: "required", file: file)
        for field in required where properties[field] == nil {
            throw invalid("\"required\" names \"\(field)\", which is not in \"properties\"")
        }
        let zone = (lake["zone"] as? String) ?? "staged"
        guard Self.zones.contains(zone) else {
            throw invalid("x-lake.zone is \"\(zone)\"; use one of \(Self.zones.joined(separator: ", "))")
        }
        if let owner = lake["owner"], !(owner is String) { throw invalid("x-lake.owner must be a string") }
        var retention: Int?
        if let value = lake["retention_days"] {
            guard let days = value as? Int, days > 0, !isJSONBoolean(value) else {
                throw invalid("x-lake.retention_days must be a whole number of days above 0, not \(value)")
            }
            retention = days
        }
        var freshness: Double?
        if let value = lake["freshness_hours"] {
            guard let hours = (value as? NSNumber)?.doubleValue, hours > 0 else {
                throw invalid("x-lake.freshness_hours must be a number of hours above 0")
            }
            freshness = hours
        }
        let pii = try Self.stringList(lake["pii"], key: "x-lake.pii", file: file)
        let primaryKey = try Self.stringList(lake["primary_key"], key: "x-lake.primary_key", file: file)
        for (key, fields) in [("x-lake.pii", pii), ("x-lake.primary_key", primaryKey)] {
            for field in fields where properties[field] == nil {
                throw invalid("\(key) names \"\(field)\", which is not in \"properties\"")
            }
        }
        var modelSQL = lake["sql"] as? String
        var inlined: String?
        if modelSQL == nil, let model = lake["model"] as? String {
            let path = model.hasPrefix("/") ? model : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(model)
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw invalid("x-lake.model names \(model), which cannot be read (looked at \(path))")
            }
            modelSQL = text
            inlined = text
        }
        if modelSQL != nil, zone != "curated" { throw invalid("x-lake.model and x-lake.sql belong to curated tables (x-lake.zone: \"curated\")") }
        var masking: [String: String] = [:]
        if let m = lake["pii_masking"] {
            guard let dict = m as? [String: String], dict.values.allSatisfy({ $0 == "hmac" || $0 == "drop" }) else {
                throw invalid("x-lake.pii_masking must map field names to \"hmac\" or \"drop\"")
            }
            masking = dict
        }
        let ignored = try Self.stringList(lake["ignore"], key: "x-lake.ignore", file: file)
        let additional = lake["additional_properties"] ?? "drift"
        guard let additional = additional as? String, ["drift", "keep", "ignore"].contains(additional) else {
            throw invalid("x-lake.additional_properties must be \"drift\" (report fields the contract lacks), \"keep\" (keep them in _extra, unreported) or \"ignore\" (drop them)")
        }
        var tolerance: Double?
        if let value = lake["quarantine_tolerance"] {
            guard let share = (value as? NSNumber)?.doubleValue, !isJSONBoolean(value), (0...1).contains(share) else {
                throw invalid("x-lake.quarantine_tolerance must be a share of records from 0 to 1, like 0.001")
            }
            tolerance = share
        }
        let rawFormat = lake["raw_format"] ?? "lake"
        guard let rawFormat = rawFormat as? String, ["lake", "records", "debezium"].contains(rawFormat) else {
            throw invalid("x-lake.raw_format must be \"lake\" (lake's own raw lines), \"records\" (each line is a record, as exports write them) or \"debezium\" (change events, promoted into the table's current state)")
        }
        if let records = lake["records"], !(records is String) {
            throw invalid("x-lake.records must be a path like \"albums.items\"")
        }

        self.file = file
        name = datasetName
        source = sourceName
        self.zone = zone
        owner = (lake["owner"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        description = (top["description"] as? String) ?? (lake["description"] as? String)
        retentionDays = retention
        freshnessHours = freshness
        self.pii = pii
        partitionBy = try Self.stringList(lake["partition_by"], key: "x-lake.partition_by", file: file)
        self.primaryKey = primaryKey
        recordsPath = lake["records"] as? String
        propertyNames = properties.keys.sorted()
        self.required = required
        self.modelSQL = modelSQL
        incrementalBy = lake["incremental_by"] as? String
        piiMasking = masking
        ignoredFields = ignored
        additionalProperties = additional
        quarantineTolerance = tolerance
        self.rawFormat = rawFormat
        // Key order is kept (it is the column order), so the text is compact but not key-sorted.
        var ordered = (try? JSONTape(Array(data)))?.root.jsonValue
        if let inlined, case let .object(pairs)? = ordered {
            // The model's SQL goes into the registered contract, so a changed model is a new version.
            ordered = .object(pairs.map { key, value in
                guard key == "x-lake", case let .object(x) = value else { return (key, value) }
                return (key, .object(x.filter { $0.0 != "model" } + [("sql", .string(inlined))]))
            })
        }
        canonicalJSON = (ordered ?? JSONValue.from(object)).serialized()
        fields = Self.fields(ordered?["properties"], required: Set(required), fallback: properties.keys.sorted())
        _ = inlined
        fingerprint = Checksum.sha256(Array(canonicalJSON.utf8))
    }

    /// Reads and checks the contract file at `path`.
    public static func load(path: String) throws -> DatasetContract {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError.invalidContract(file: path, problem: "cannot be read — check the path")
        }
        return try DatasetContract(data: data, file: path)
    }

    private static func fields(_ properties: JSONValue?, required: Set<String>, fallback: [String]) -> [ContractField] {
        guard case let .object(pairs)? = properties else { return [] }
        return pairs.map { name, schema in
            var types: [String] = []
            switch schema["type"] {
            case let .string(t)?: types = [t]
            case let .array(list)?: types = list.compactMap(\.stringValue)
            default: break
            }
            return ContractField(name: name, types: types, format: schema["format"]?.stringValue,
                                 enumValues: schema["enum"]?.arrayValue, path: schema["x-lake-path"]?.stringValue,
                                 required: required.contains(name))
        }
    }

    private static func stringList(_ value: Any?, key: String, file: String) throws -> [String] {
        guard let value else { return [] }
        guard let list = value as? [String] else {
            throw CatalogError.invalidContract(file: file, problem: "\"\(key)\" must be an array of field names")
        }
        return list
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
