/// Text put inside HTML or XML (governance's HTML report, S3's request bodies).
public enum Markup {
    /// `&`, `<`, `>`, `"` and `'` as character references: safe in element text and in
    /// attribute values of either quote.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
