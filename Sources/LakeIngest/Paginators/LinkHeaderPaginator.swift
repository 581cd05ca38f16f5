/// The next page's URL sits in an RFC 8288 `Link` header, as GitHub sends it:
///
/// ```
/// Link: <https://api.github.com/repos/o/r/issues?page=2>; rel="next", <…?page=9>; rel="last"
/// ```
public struct LinkHeaderPaginator: Paginator {
    public init() {}

    public func firstRequest(_ request: APIRequest) -> APIRequest { request }

    public func nextRequest(after page: PageView) throws -> APIRequest? {
        guard let header = page.response.header("Link"), let link = Self.next(in: header) else { return nil }
        return page.request.following(link)
    }

    /// The target of the link whose `rel` includes `next`.
    static func next(in header: String) -> String? {
        for part in splitLinks(header) {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else {
                continue
            }
            let params = part[part.index(after: close)...].split(separator: ";").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            for param in params {
                let pieces = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pieces.count == 2, pieces[0].lowercased() == "rel" else { continue }
                let rels = pieces[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
                    .split(separator: " ")
                if rels.contains("next") { return String(part[part.index(after: open)..<close]) }
            }
        }
        return nil
    }

    /// Splits on commas that are not inside `<…>`.
    private static func splitLinks(_ header: String) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var start = header.startIndex
        for index in header.indices {
            switch header[index] {
            case "<": depth += 1
            case ">": depth = max(0, depth - 1)
            case "," where depth == 0:
                parts.append(header[start..<index])
                start = header.index(after: index)
            default: break
            }
        }
        parts.append(header[start...])
        return parts
    }
}

import Foundation
