/// No pagination: the first page is the only one.
public struct SinglePagePaginator: Paginator {
    public init() {}
    public func firstRequest(_ request: APIRequest) -> APIRequest { request }
    public func nextRequest(after page: PageView) throws -> APIRequest? { nil }
}
