/// Splits SQL text into tokens. Comments (`--`, `/* */`) are skipped.
enum Lexer {
    static let symbols = ["->>", "::", "->", "=>", "<=", ">=", "<>", "!=", "==", "||", "//", "**",
                          "+", "-", "*", "/", "%", "=", "<", ">", "(", ")", ",", ".", ";", "[", "]", ":", "{", "}"]

    static func tokenize(_ sql: String) throws -> [Token] {
        let chars = Array(sql.unicodeScalars)
        var tokens: [Token] = []
        var i = 0, line = 1, lineStart = 0
        func position(_ at: Int) -> (Int, Int) { (line, at - lineStart + 1) }
        func error(_ message: String, at: Int) -> QueryError {
            let (l, c) = position(at)
            return .syntax(message, line: l, column: c, sql: sql)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { i += 1; line += 1; lineStart = i; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                let start = i
                i += 2
                while i + 1 < chars.count, !(chars[i] == "*" && chars[i + 1] == "/") {
                    if chars[i] == "\n" { line += 1; lineStart = i + 1 }
                    i += 1
                }
                guard i + 1 < chars.count else { throw error("unterminated /* comment", at: start) }
                i += 2
                continue
            }
            let (l, col) = position(i)
            let start = i
            if c == "'" || c == "\"" {
                var text = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c { text.unicodeScalars.append(c); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    if chars[i] == "\n" { line += 1; lineStart = i + 1 }
                    text.unicodeScalars.append(chars[i])
                    i += 1
                }
                guard closed else {
                    throw error(c == "'" ? "unterminated string literal: add the closing '" : "unterminated quoted name: add the closing \"", at: start)
                }
                tokens.append(Token(kind: c == "'" ? .string : .quotedIdentifier, text: text, offset: start, line: l, column: col))
                continue
            }
            if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                var sawDot = false, sawExp = false
                while i < chars.count {
                    let d = chars[i]
                    if isDigit(d) || d == "_" { i += 1; continue }
                    if d == ".", !sawDot, !sawExp, !(i + 1 < chars.count && chars[i + 1] == ".") { sawDot = true; i += 1; continue }
                    if d == "e" || d == "E", !sawExp, i + 1 < chars.count,
                       isDigit(chars[i + 1]) || ((chars[i + 1] == "+" || chars[i + 1] == "-") && i + 2 < chars.count && isDigit(chars[i + 2])) {
                        sawExp = true
                        i += 2
                        continue
                    }
                    break
                }
                let text = String(String.UnicodeScalarView(chars[start..<i])).replacingOccurrences(of: "_", with: "")
                tokens.append(Token(kind: sawDot || sawExp ? .decimal : .integer, text: text, offset: start, line: l, column: col))
                continue
            }
            if isIdentifierStart(c) {
                while i < chars.count, isIdentifierPart(chars[i]) { i += 1 }
                tokens.append(Token(kind: .identifier, text: String(String.UnicodeScalarView(chars[start..<i])),
                                    offset: start, line: l, column: col))
                continue
            }
            if c == "?" || c == "$" {
                throw error("query parameters (\(c)) are not supported: write the value into the query", at: start)
            }
            var matched: String?
            for s in symbols {
                let sc = Array(s.unicodeScalars)
                if i + sc.count <= chars.count, Array(chars[i..<i + sc.count]) == sc { matched = s; break }
            }
            guard let symbol = matched else { throw error("unexpected character '\(c)'", at: start) }
            tokens.append(Token(kind: .symbol, text: symbol, offset: start, line: l, column: col))
            i += symbol.unicodeScalars.count
        }
        let (l, col) = position(chars.count)
        tokens.append(Token(kind: .end, text: "", offset: chars.count, line: l, column: col))
        return tokens
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122) || c == "_" || c.value > 127
    }
    static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || isDigit(c) || c == "$" }
}
