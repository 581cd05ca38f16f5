import LakeCore

/// How much a finding matters. `lake governance --strict` fails on `warning` and `error`.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    case error, warning, info

    var rank: Int { switch self { case .error: 0; case .warning: 1; case .info: 2 } }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// The groups of rules, one per swamp symptom.
public enum Category: String, Sendable, CaseIterable {
    case uncataloged, ownership, retention, integrity, drift, freshness, pii, quarantine
}

/// One thing in the lake that needs a person: what rule found it, where, and how to fix it.
public struct Finding: Sendable, Equatable {
    /// A stable kebab-case name, e.g. `uncataloged-file`; the README lists them.
    public var rule: String
    public var category: Category
    public var severity: Severity
    public var dataset: String?
    /// The file or partition folder, relative to the lake root.
    public var path: String?
    public var message: String
    public var hint: String
    /// Bytes concerned, where that means something (retention, uncataloged files).
    public var bytes: Int?

    public init(rule: String, category: Category, severity: Severity, dataset: String?, path: String?,
                message: String, hint: String, bytes: Int? = nil) {
        self.rule = rule
        self.category = category
        self.severity = severity
        self.dataset = dataset
        self.path = path
        self.message = message
        self.hint = hint
        self.bytes = bytes
    }

    public var json: JSONValue {
        .object([
            ("rule", .string(rule)), ("category", .string(category.rawValue)), ("severity", .string(severity.rawValue)),
            ("dataset", dataset.map(JSONValue.string) ?? .null), ("path", path.map(JSONValue.string) ?? .null),
            ("message", .string(message)), ("hint", .string(hint)), ("bytes", bytes.map(JSONValue.int) ?? .null),
        ])
    }
}
