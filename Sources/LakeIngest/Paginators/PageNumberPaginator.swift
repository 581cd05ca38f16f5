import LakeCore

/// `?page=1`, `?page=2`, …:
///
/// ```json
/// {"results": [...], "meta": {"total_pages": 7}}
/// ```
/// It stops after the page numbered `total_pages` (with `totalPagesPath` set) or on an
/// empty page.
public struct PageNumberPaginator: Paginator {
    public let pageParam: String
    public let start: Int
    public let totalPagesPath: JSONPath?
    public let pageSizeParam: String?
    public let pageSize: Int?

    public init(pageParam: String = "page", start: Int = 1, totalPagesPath: String? = nil,
                pageSizeParam: String? = nil, pageSize: Int? = nil) {
        self.pageParam = pageParam
        self.start = start
        self.totalPagesPath = totalPagesPath.map(JSONPath.init)
        self.pageSizeParam = pageSizeParam
        self.pageSize = pageSize
    }

    public func firstRequest(_ request: APIRequest) -> APIRequest {
        var request = request.settingQuery(pageParam, String(start))
        if let pageSizeParam, let pageSize { request = request.settingQuery(pageSizeParam, String(pageSize)) }
        return request
    }

    public func nextRequest(after page: PageView) throws -> APIRequest? {
        guard page.recordCount > 0 else { return nil }
        let current = page.request.query(pageParam).flatMap(Int.init) ?? start
        if let totalPagesPath, let total = page.json.value(at: totalPagesPath)?.int {
            // Page numbers count from `start`; the last one is start + total - 1.
            if current >= start + total - 1 { return nil }
        }
        return page.request.settingQuery(pageParam, String(current + 1))
    }
}
