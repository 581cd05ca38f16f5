import Foundation

/// The few elements lake reads from S3's XML answers (ListObjectsV2, CreateMultipartUpload,
/// DeleteObjects, errors): flat tags without attributes, so a scan for `<Tag>…</Tag>` reads
/// them without an XML library.
enum S3XML {
    /// The text of every `<tag>…</tag>` in `xml`, in order, unescaped.
    static func values(_ tag: String, in xml: Substring) -> [String] {
        blocks(tag, in: xml).map { unescape(String($0)) }
    }

    static func value(_ tag: String, in xml: Substring) -> String? { values(tag, in: xml).first }

    /// The inner text of every `<tag>…</tag>`, not unescaped (for nested elements).
    static func blocks(_ tag: String, in xml: Substring) -> [Substring] {
        let open = "<\(tag)>", close = "</\(tag)>"
        var out: [Substring] = []
        var rest = xml[...]
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            out.append(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&#34;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
