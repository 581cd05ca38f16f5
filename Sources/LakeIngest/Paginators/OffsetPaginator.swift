import LakeCore

/// `?offset=0&limit=100`, then `offset=100`, …:
///
/// ```json
/// {"items": [...], "total": 1234}
/// ```
/// The offset advances by the records actually returned (a server that caps `limit` skips
/// nothing). It stops when the offset reaches `total` (with `total` set), on an empty page,
/// or — with `stop: short` — on a page with fewer records than `limit`.
public struct OffsetPaginator: Paginator {
    public enum Stop: String, Sendable { case total, empty, short }

    public let limit: Int
    public let offsetParam: String
    public let limitParam: String
    public let totalPath: JSONPath?
    public let stop: Stop
    public let start: Int

    public init(limit: Int, offsetParam: String = "offset", limitParam: String = "limit",
                totalPath: String? = nil, stop: Stop? = nil, start: Int = 0) {
        self.limit = limit
        self.offsetParam = offsetParam
        self.limitParam = limitParam
        self.totalPath = totalPath.map(JSONPath.init)
        self.stop = stop ?? (totalPath == nil ? .empty : .total)
        self.start = start
    }

    public func firstRequest(_ request: APIRequest) -> APIRequest {
        request.settingQuery(offsetParam, String(start)).settingQuery(limitParam, String(limit))
    }

    public func nextRequest(after page: PageView) -> APIRequest? {
        guard page.recordCount > 0 else { return nil }
        let offset = page.request.query(offsetParam).flatMap(Int.init) ?? start
        let next = offset + page.recordCount
        switch stop {
        case .total:
            if let totalPath, let total = page.json.value(at: totalPath)?.int, next >= total {
                return nil
            }
        case .short:
            if page.recordCount < limit { return nil }
        case .empty:
            break
        }
        return page.request.settingQuery(offsetParam, String(next)).settingQuery(limitParam, String(limit))
    }
}
