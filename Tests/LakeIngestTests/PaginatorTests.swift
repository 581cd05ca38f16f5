import Foundation
import LakeCore
import LakeIngest
import Testing

/// Each paginator alone, on canned responses: no network.
@Suite struct PaginatorTests {
    func page(_ url: String, _ body: String, records: Int, headers: [(String, String)] = []) -> PageView {
        PageView(request: APIRequest(url: url), response: APIResponse(status: 200, headers: headers, body: Array(body.utf8)),
                 json: try! JSONTape(Array(body.utf8)).root, recordCount: records)
    }

    @Test func jsonLinkFollowsSpotifysNextAndStopsOnNull() {
        let p = JSONLinkPaginator(nextPath: "albums.next")
        let first = page("https://api.spotify.com/v1/browse/new-releases?country=SE&limit=50",
                         #"{"albums":{"items":[],"next":"https://api.spotify.com/v1/browse/new-releases?country=SE&offset=50&limit=50","total":120}}"#,
                         records: 50)
        #expect(p.nextRequest(after: first)?.url == "https://api.spotify.com/v1/browse/new-releases?country=SE&offset=50&limit=50")
        let last = page("https://x/y", #"{"albums":{"items":[],"next":null}}"#, records: 20)
        #expect(p.nextRequest(after: last) == nil)
        let relative = page("https://x/v1/items?page=1", #"{"albums":{"next":"/v1/items?page=2"}}"#, records: 1)
        #expect(p.nextRequest(after: relative)?.url == "https://x/v1/items?page=2")
    }

    @Test func linkHeaderFindsRelNextAmongOthers() {
        let p = LinkHeaderPaginator()
        let header = #"<https://api.github.com/r?page=1>; rel="first", <https://api.github.com/r?page=3>; rel="next", <https://api.github.com/r?page=9>; rel="last""#
        #expect(p.nextRequest(after: page("https://api.github.com/r?page=2", "[]", records: 3, headers: [("Link", header)]))?.url
                == "https://api.github.com/r?page=3")
        #expect(p.nextRequest(after: page("https://api.github.com/r?page=9", "[]", records: 3,
                                          headers: [("link", #"<https://api.github.com/r?page=1>; rel="first""#)])) == nil)
        #expect(p.nextRequest(after: page("https://x/r", "[]", records: 3)) == nil)
    }

    @Test func offsetAdvancesByRecordsReturnedAndStopsOnTotal() {
        let p = OffsetPaginator(limit: 10, totalPath: "total")
        let first = p.firstRequest(APIRequest(url: "https://x/items?q=a"))
        #expect(first.query("offset") == "0" && first.query("limit") == "10" && first.query("q") == "a")
        // The server capped the page at 8: the next offset is 8, not 10.
        let next = p.nextRequest(after: page(first.url, #"{"total": 20}"#, records: 8))
        #expect(next?.query("offset") == "8")
        #expect(p.nextRequest(after: page(next!.url, #"{"total": 20}"#, records: 8))?.query("offset") == "16")
        #expect(p.nextRequest(after: page(next!.settingQuery("offset", "16").url, #"{"total": 20}"#, records: 4)) == nil)
    }

    @Test func offsetWithoutTotalStopsOnAnEmptyOrShortPage() {
        let empty = OffsetPaginator(limit: 10)
        #expect(empty.nextRequest(after: page("https://x/i?offset=0&limit=10", "{}", records: 3))?.query("offset") == "3")
        #expect(empty.nextRequest(after: page("https://x/i?offset=3&limit=10", "{}", records: 0)) == nil)
        let short = OffsetPaginator(limit: 10, stop: .short)
        #expect(short.nextRequest(after: page("https://x/i?offset=0&limit=10", "{}", records: 10))?.query("offset") == "10")
        #expect(short.nextRequest(after: page("https://x/i?offset=10&limit=10", "{}", records: 3)) == nil)
    }

    @Test func pageNumberCountsUpToTotalPages() {
        let p = PageNumberPaginator(pageParam: "page", start: 1, totalPagesPath: "meta.total_pages",
                                    pageSizeParam: "per_page", pageSize: 5)
        let first = p.firstRequest(APIRequest(url: "https://x/items"))
        #expect(first.query("page") == "1" && first.query("per_page") == "5")
        #expect(p.nextRequest(after: page(first.url, #"{"meta":{"total_pages":2}}"#, records: 5))?.query("page") == "2")
        #expect(p.nextRequest(after: page("https://x/items?page=2", #"{"meta":{"total_pages":2}}"#, records: 5)) == nil)
        let open = PageNumberPaginator()
        #expect(open.nextRequest(after: page("https://x/items?page=4", "{}", records: 0)) == nil)
        #expect(open.nextRequest(after: page("https://x/items?page=4", "{}", records: 1))?.query("page") == "5")
    }

    @Test func cursorIsSentBackUntilItRunsOut() {
        let p = JSONCursorPaginator(cursorPath: "meta.next_cursor", cursorParam: "cursor")
        let next = p.nextRequest(after: page("https://x/items", #"{"meta":{"next_cursor":"eyJpZCI6MTAwfQ=="}}"#, records: 9))
        #expect(next?.query("cursor") == "eyJpZCI6MTAwfQ==")
        #expect(next?.url.contains("%3D%3D") == true)
        #expect(p.nextRequest(after: page(next!.url, #"{"meta":{"next_cursor":null}}"#, records: 9)) == nil)
        #expect(p.nextRequest(after: page(next!.url, #"{"meta":{"next_cursor":""}}"#, records: 9)) == nil)
    }

    @Test func singlePageHasNoNext() {
        #expect(SinglePagePaginator().nextRequest(after: page("https://x/", "{}", records: 5)) == nil)
    }
}
