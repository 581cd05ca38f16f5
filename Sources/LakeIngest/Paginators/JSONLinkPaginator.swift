import LakeCore

/// The next page's URL sits in the body, as in Spotify's paging object:
///
/// ```json
/// {"albums": {"items": [...], "offset": 0, "limit": 50, "total": 120,
///             "next": "https://api.spotify.com/v1/browse/new-releases?offset=50&limit=50"}}
/// ```
/// with `next: "albums.next"`. A null, empty or missing link ends the collection.
public struct JSONLinkPaginator: Paginator {
    public let nextPath: JSONPath

    public init(nextPath: String) { self.nextPath = JSONPath(nextPath) }

    public func firstRequest(_ request: APIRequest) -> APIRequest { request }

    public func nextRequest(after page: PageView) -> APIRequest? {
        guard let link = page.json.value(at: nextPath)?.string, !link.isEmpty else { return nil }
        return page.request.following(link)
    }
}
