import LakeCore

/// The next page's URL sits in the body, as in Spotify's paging object:
///
/// ```json
/// {"albums": {"items": [...], "offset": 0, "limit": 50, "total": 120,
///             "next": "https://api.spotify.com/v1/browse/new-releases?offset=50&limit=50"}}
/// ```
/// with `next: "albums.next"`. A null, empty or missing link ends the collection, unless
/// `has_more` names a flag that says more follow: then a missing link is an error.
public struct JSONLinkPaginator: Paginator {
    public let nextPath: JSONPath
    public let hasMorePath: JSONPath?

    public init(nextPath: String, hasMorePath: String? = nil) {
        self.nextPath = JSONPath(nextPath)
        self.hasMorePath = hasMorePath.map(JSONPath.init)
    }

    public func firstRequest(_ request: APIRequest) -> APIRequest { request }

    public func nextRequest(after page: PageView) throws -> APIRequest? {
        let link = page.json.value(at: nextPath)?.string.flatMap { $0.isEmpty ? nil : $0 }
        if let hasMorePath, page.json.value(at: hasMorePath)?.bool == true, link == nil {
            throw IngestError.paginationBroken(
                url: page.request.url,
                problem: "\"\(hasMorePath)\" is true but there is no next link at \"\(nextPath)\" (the page held \(page.recordCount) records)")
        }
        return link.flatMap { page.request.following($0) }
    }
}
