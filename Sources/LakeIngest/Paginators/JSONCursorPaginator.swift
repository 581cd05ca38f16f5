import LakeCore

/// A cursor in the body, sent back as a parameter:
///
/// ```json
/// {"data": [...], "meta": {"next_cursor": "eyJpZCI6MTAwfQ"}}
/// ```
/// with `cursor: "meta.next_cursor"`, `cursor_param: "cursor"`. A null or empty cursor ends
/// the collection.
///
/// Stripe and the APIs built like it page by the id of the last record, while a flag says
/// more follow:
///
/// ```json
/// {"object": "list", "data": [{"id": "cus_9"}, …, {"id": "cus_NffrFeUfNV2Hib"}], "has_more": true}
/// ```
/// with `cursor: "data[-1].id"`, `cursor_param: "starting_after"`, `has_more: "has_more"`.
/// Then the flag decides: false ends the collection, and true without a cursor is an error
/// for the unit, never a silent end.
public struct JSONCursorPaginator: Paginator {
    public let cursorPath: JSONPath
    public let cursorParam: String
    public let hasMorePath: JSONPath?

    public init(cursorPath: String, cursorParam: String = "cursor", hasMorePath: String? = nil) {
        self.cursorPath = JSONPath(cursorPath)
        self.cursorParam = cursorParam
        self.hasMorePath = hasMorePath.map(JSONPath.init)
    }

    public func firstRequest(_ request: APIRequest) -> APIRequest { request }

    public func nextRequest(after page: PageView) throws -> APIRequest? {
        let node = page.json.value(at: cursorPath)
        let cursor = (node?.kind == .string || node?.kind == .number) ? node?.text.flatMap { $0.isEmpty ? nil : $0 } : nil
        if let hasMorePath {
            guard let flag = page.json.value(at: hasMorePath), flag.kind == .bool else {
                throw IngestError.paginationBroken(
                    url: page.request.url,
                    problem: "the page has no true/false at \"\(hasMorePath)\" (the declaration's has_more); it held \(page.recordCount) records")
            }
            guard flag.bool == true else { return nil }
            guard let cursor else {
                throw IngestError.paginationBroken(
                    url: page.request.url,
                    problem: "\"\(hasMorePath)\" is true but there is no cursor at \"\(cursorPath)\" (the page held \(page.recordCount) records)")
            }
            if page.request.query(cursorParam) == cursor {
                throw IngestError.paginationBroken(
                    url: page.request.url, problem: "\"\(hasMorePath)\" is true but the cursor \"\(cursorPath)\" did not move")
            }
            return page.request.settingQuery(cursorParam, cursor)
        }
        guard let cursor, page.request.query(cursorParam) != cursor else { return nil }
        return page.request.settingQuery(cursorParam, cursor)
    }
}
