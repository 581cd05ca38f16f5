/// One lexical token of SQL, with where it starts (for error messages).
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier      // bare word: keyword or name
        case quotedIdentifier
        case string
        case integer
        case decimal
        case symbol          // operators and punctuation
        case parameter       // $name / ? (not supported; reported clearly)
        case end
    }

    var kind: Kind
    var text: String
    var offset: Int
    var line: Int
    var column: Int

    /// Whether this is the (case-insensitive) keyword `word`.
    func isKeyword(_ word: String) -> Bool {
        kind == .identifier && text.uppercased() == word
    }

    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
}
