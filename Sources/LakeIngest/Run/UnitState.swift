import LakeCore

/// A unit's checkpoint: the request to send next, pages so far, and what it carries forward.
struct UnitState: Codable, Equatable {
    /// The next request's URL, without credentials; nil once done.
    var next: String?
    var page: Int
    var done: Bool
    /// Per child dataset, the values of its parent field seen so far (for parents).
    var children: [String: [String]]?
    /// The highest incremental cursor value landed by this unit.
    var cursor: String?
    /// Why the unit ended early without failing (a status the declaration says to skip).
    var skipped: String?

    func json() -> String {
        var pairs: [(String, JSONValue)] = [("next", next.json), ("page", .int(page)), ("done", .bool(done))]
        if let children {
            pairs.append(("children", .object(children.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSONValue.string))) })))
        }
        if let cursor { pairs.append(("cursor", .string(cursor))) }
        if let skipped { pairs.append(("skipped", .string(skipped))) }
        return JSONValue.object(pairs).serialized()
    }

    /// `firstChild` takes the values of a checkpoint written before parents had several children.
    static func parse(_ text: String, firstChild: String?) -> UnitState? {
        guard let value = try? JSONValue.parse(text), let page = value["page"]?.intValue else { return nil }
        var children: [String: [String]]?
        switch value["children"] {
        case let .array(list)?: children = firstChild.map { [$0: list.compactMap(\.stringValue)] } ?? [:]
        case let .object(pairs)?: children = Dictionary(pairs.map { ($0.0, $0.1.arrayValue?.compactMap(\.stringValue) ?? []) }, uniquingKeysWith: { a, _ in a })
        default: break
        }
        return UnitState(next: value["next"]?.stringValue, page: page, done: value["done"] == .bool(true),
                         children: children, cursor: value["cursor"]?.stringValue, skipped: value["skipped"]?.stringValue)
    }
}

/// One resource walked through its pages: in one region, for one parent record.
struct Unit: Sendable {
    var resource: ResourceDeclaration
    var region: String?
    /// The search query filled into `{query}`.
    var query: String?
    var parentValue: String?
    /// False for a parent walked only to find its children (its dataset was not asked for).
    var lands: Bool

    /// `SE`, `SE/37i9dQZF1DX0XUsuxWHRQd`, `SE/q=genre:latin`, or `-` without region.
    var scope: String {
        [region, query.map { "q=" + $0 }, parentValue].compactMap { $0 }.joined(separator: "/").nonEmpty ?? "-"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
