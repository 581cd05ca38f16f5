import LakeCore

/// An opaque cursor in the body, sent back as a parameter:
///
/// ```json
/// {"data": [...], "meta": {"next_cursor": "eyJpZCI6MTAwfQ"}}
/// ```
/// with `cursor: "meta.next_cursor"`, `cursor_param: "cursor"`. A null or empty cursor ends
/// the collection.
public struct JSONCursorPaginator: Paginator {
    public let cursorPath: JSONPath
    public let cursorParam: String

    public init(cursorPath: String, cursorParam: String = "cursor") {
        self.cursorPath = JSONPath(cursorPath)
        self.cursorParam = cursorParam
    }

    public func firstRequest(_ request: APIRequest) -> APIRequest { request }

    public func nextRequest(after page: PageView) -> APIRequest? {
        guard let node = page.json.value(at: cursorPath), node.kind == .string || node.kind == .number,
              let cursor = node.text, !cursor.isEmpty else { return nil }
        if page.request.query(cursorParam) == cursor { return nil }
        return page.request.settingQuery(cursorParam, cursor)
    }
}
