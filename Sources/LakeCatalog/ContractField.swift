import LakeCore

/// One property of a contract: its JSON Schema type(s), format and enum, where its value
/// sits in a record (`x-lake-path`), and whether records must have it.
public struct ContractField: Sendable, Equatable {
    public let name: String
    /// JSON Schema type names (`string`, `integer`, `null`…); empty means any.
    public let types: [String]
    public let format: String?
    public let enumValues: [JSONValue]?
    public let path: String?
    public let required: Bool

    public init(name: String, types: [String], format: String?, enumValues: [JSONValue]?, path: String?, required: Bool) {
        self.name = name
        self.types = types
        self.format = format
        self.enumValues = enumValues
        self.path = path
        self.required = required
    }

    /// A value may be null (or absent) when the field is optional or its type admits null.
    public var allowsNull: Bool { !required || types.contains("null") }

    /// The non-null types.
    public var valueTypes: [String] { types.filter { $0 != "null" } }
}
