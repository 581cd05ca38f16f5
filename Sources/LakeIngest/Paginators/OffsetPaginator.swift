import LakeCore

/// `?offset=0&limit=100`, then `offset=100`, …:
///
/// ```json
/// {"items": [...], "total": 1234}
/// ```
/// The offset advances by the records actually returned (a server that caps `limit` skips
/// nothing). It stops when the offset reaches `total` (with `total` set), on an empty page,
/// or — with `stop: short` — on a page with fewer records than `limit`.
///
/// Some APIs refuse to page past a ceiling (Spotify's search: `offset + limit` ≤ 1000).
/// With `maxOffset` the last request asks for what fits under it, and the collection ends
/// there; `capped(after:)` says when that cut a longer collection short.
public struct OffsetPaginator: Paginator {
    public enum Stop: String, Sendable { case total, empty, short }

    public let limit: Int
    public let offsetParam: String
    public let limitParam: String
    public let totalPath: JSONPath?
    public let stop: Stop
    public let start: Int
    /// The ceiling of `offset + limit`, if the API has one.
    public let maxOffset: Int?

    public init(limit: Int, offsetParam: String = "offset", limitParam: String = "limit",
                totalPath: String? = nil, stop: Stop? = nil, start: Int = 0, maxOffset: Int? = nil) {
        self.limit = limit
        self.offsetParam = offsetParam
        self.limitParam = limitParam
        self.totalPath = totalPath.map(JSONPath.init)
        self.stop = stop ?? (totalPath == nil ? .empty : .total)
        self.start = start
        self.maxOffset = maxOffset
    }

    public func firstRequest(_ request: APIRequest) -> APIRequest {
        request.settingQuery(offsetParam, String(start)).settingQuery(limitParam, String(limit(at: start)))
    }

    public func nextRequest(after page: PageView) throws -> APIRequest? {
        guard page.recordCount > 0 else { return nil }
        let offset = page.request.query(offsetParam).flatMap(Int.init) ?? start
        let next = offset + page.recordCount
        switch stop {
        case .total:
            if let totalPath, let total = page.json.value(at: totalPath)?.int, next >= total {
                return nil
            }
        case .short:
            if page.recordCount < (page.request.query(limitParam).flatMap(Int.init) ?? limit) { return nil }
        case .empty:
            break
        }
        if let maxOffset, next >= maxOffset { return nil }
        return page.request.settingQuery(offsetParam, String(next)).settingQuery(limitParam, String(limit(at: next)))
    }

    /// The collection's total when the ceiling stopped the paging before it (nil otherwise).
    public func capped(after page: PageView) -> Int? {
        guard let maxOffset, let totalPath, let total = page.json.value(at: totalPath)?.int, total > maxOffset else {
            return nil
        }
        let offset = page.request.query(offsetParam).flatMap(Int.init) ?? start
        return offset + page.recordCount >= maxOffset ? total : nil
    }

    /// The limit to ask for at `offset`: never past the ceiling.
    private func limit(at offset: Int) -> Int {
        guard let maxOffset else { return limit }
        return max(1, min(limit, maxOffset - offset))
    }
}
