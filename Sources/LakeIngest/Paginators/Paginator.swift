/// One way an API splits a collection into pages.
///
/// A paginator keeps no state of its own: everything it needs to go on sits in the request
/// it returns (a next link, an offset, a page number, a cursor). That request is what a
/// checkpoint stores, so a resumed run continues exactly where the last commit stopped.
public protocol Paginator: Sendable {
    /// The first request, with whatever paging parameters it needs.
    func firstRequest(_ request: APIRequest) -> APIRequest
    /// The request for the page after `page`, or nil when `page` was the last. Throws
    /// `IngestError.paginationBroken` when the page says there is more but not how to get it.
    func nextRequest(after page: PageView) throws -> APIRequest?
}

import LakeCore

/// What a paginator sees of a fetched page.
public struct PageView: Sendable {
    public var request: APIRequest
    public var response: APIResponse
    /// The body, validated.
    public var json: JSONNode
    /// How many records the records selector found.
    public var recordCount: Int

    public init(request: APIRequest, response: APIResponse, json: JSONNode, recordCount: Int) {
        self.request = request
        self.response = response
        self.json = json
        self.recordCount = recordCount
    }
}
