import LakeCore

/// A unit's checkpoint: the request to send next, pages so far, and what it carries forward.
struct UnitState: Codable, Equatable {
    /// The next request's URL, without credentials; nil once done.
    var next: String?
    var page: Int
    var done: Bool
    /// Values of the child resource's parent field seen so far (for parents).
    var children: [String]?
    /// The highest incremental cursor value landed by this unit.
    var cursor: String?

    func json() -> String {
        var pairs: [(String, JSONValue)] = [("next", next.json), ("page", .int(page)), ("done", .bool(done))]
        if let children { pairs.append(("children", .array(children.map(JSONValue.string)))) }
        if let cursor { pairs.append(("cursor", .string(cursor))) }
        return JSONValue.object(pairs).serialized()
    }

    static func parse(_ text: String) -> UnitState? {
        guard let value = try? JSONValue.parse(text), let page = value["page"]?.intValue else { return nil }
        return UnitState(
            next: value["next"]?.stringValue, page: page, done: value["done"] == .bool(true),
            children: value["children"]?.arrayValue?.compactMap(\.stringValue), cursor: value["cursor"]?.stringValue)
    }
}

/// One resource walked through its pages: in one region, for one parent record.
struct Unit: Sendable {
    var resource: ResourceDeclaration
    var region: String?
    var parentValue: String?
    /// False for a parent walked only to find its children (its dataset was not asked for).
    var lands: Bool

    /// `SE`, `SE/37i9dQZF1DX0XUsuxWHRQd`, or `-` without region.
    var scope: String {
        [region, parentValue].compactMap { $0 }.joined(separator: "/").nonEmpty ?? "-"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
