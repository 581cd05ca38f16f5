/// Dotted paths into parsed JSON (`albums.items`, `track.artists[0].name`), as source
/// declarations and contracts name fields.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable { case key(String), index(Int) }
    public let steps: [Step]
    public let description: String

    /// Parses `a.b[0].c`; an empty string is the root.
    public init(_ text: String) {
        description = text
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: true) {
            var name = Substring(part)
            var indices: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "["),
                  let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { steps.append(.key(String(name))) }
            steps += indices.map(Step.index)
        }
        self.steps = steps
    }
}
