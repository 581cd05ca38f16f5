import Foundation
import LakeCatalog
import LakeCore

/// The contract of a captured table, generated from PostgreSQL's catalog: a property per
/// column typed as lake lands it (`numeric` as text, json and arrays as JSON, timestamps as
/// date-time), `NOT NULL` columns required, the primary key, and `x-lake.raw_format:
/// "debezium"` so that promotion applies the changes. A schema change registers a new
/// version; what a person added (owner, description, retention, pii, a declared key for a
/// table without one) is kept across versions. A dataset whose contract describes other
/// records and holds data is not taken over: the capture stops and says so. One that holds
/// no data (a contract lake ships, say) gets the table's contract.
struct CDCContract {
    struct Column: Equatable {
        var name: String
        var typeOID: UInt32
        var notNull: Bool
        var key: Bool
    }

    let source: String
    let dataset: String
    let table: String
    let columns: [Column]

    /// Registers the contract when it differs from the current one; says what happened.
    /// `replacing`: the dataset's contract describes other records but it holds no data (a
    /// contract lake ships, say), so the table's takes its place.
    func register(in catalog: Catalog, replacing: Bool = false) throws -> String? {
        var previous = try? catalog.contract(of: dataset)
        if let other = previous, other.rawFormat != "debezium" {
            guard replacing else { throw CDCError.datasetTaken(table: table, dataset: dataset, contract: other.file) }
            previous = nil
        }
        let json = document(keeping: previous.flatMap { try? JSONValue.parse($0.canonicalJSON) })
        let contract = try DatasetContract(data: Data(json.serialized().utf8), file: "generated from \(table) (\(source))")
        switch try catalog.register(contract) {
        case .created, .newVersion(1): return "contract for \(dataset) generated from \(table)'s columns (owner, description and retention are for a person to add)"
        case let .newVersion(v): return "\(table) changed its columns: contract version \(v) for \(dataset)"
        case .unchanged: return nil
        }
    }

    func document(keeping previous: JSONValue?) -> JSONValue {
        var properties: [(String, JSONValue)] = []
        for column in columns {
            properties.append((column.name, Self.property(column)))
        }
        var keys = columns.filter(\.key).map(\.name)
        var kept: [(String, JSONValue)] = []
        if case let .object(x)? = previous?["x-lake"] {
            for (k, v) in x where !["zone", "primary_key", "raw_format", "cdc_table"].contains(k) {
                // Fields that name columns must still name columns.
                if ["pii", "ignore"].contains(k), case let .array(names) = v {
                    kept.append((k, .array(names.filter { n in columns.contains { $0.name == n.stringValue } })))
                } else {
                    kept.append((k, v))
                }
            }
            if keys.isEmpty, case let .array(declared)? = x.first(where: { $0.0 == "primary_key" })?.1 {
                let names = declared.compactMap(\.stringValue)
                if names.allSatisfy({ n in columns.contains { $0.name == n } }) { keys = names }
            }
        }
        let lake: [(String, JSONValue)] = [
            ("zone", "staged"), ("raw_format", "debezium"), ("cdc_table", .string(table)),
            ("primary_key", .array(keys.map(JSONValue.string))),
        ] + kept
        return .object([
            ("$schema", .string(DatasetContract.draft)),
            ("title", .string("\(source).\(dataset)")),
            ("type", "object"),
            ("properties", .object(properties)),
            ("required", .array(columns.filter(\.notNull).map { .string($0.name) })),
            ("x-lake", .object(lake)),
        ])
    }

    /// A column's JSON Schema, as `PgText` writes its values.
    static func property(_ column: Column) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        func type(_ name: String) {
            pairs.append(("type", column.notNull ? .string(name) : .array([.string(name), "null"])))
        }
        switch PgText.kind(column.typeOID) {
        case .bool: type("boolean")
        case .integer: type("integer")
        case .float: type("number")
        case .numeric:
            type("string")
            pairs.append(("description", "numeric, as text so that no digit is lost"))
        case .date:
            type("string")
            pairs.append(("format", "date"))
        case .timestamp, .timestamptz:
            type("string")
            pairs.append(("format", "date-time"))
        case .bytea:
            type("string")
            pairs.append(("contentEncoding", "base64"))
        case .array: type("array")
        case .json: pairs.append(("description", "json, as JSON text"))
        case .text: type("string")
        }
        return .object(pairs)
    }
}
