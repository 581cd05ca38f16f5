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

    @Test func jsonLinkFollowsSpotifysNextAndStopsOnNull() throws {
        let p = JSONLinkPaginator(nextPath: "albums.next")
        let first = page("https://api.spotify.com/v1/browse/new-releases?country=SE&limit=50",
                         #"{"albums":{"items":[],"next":"https://api.spotify.com/v1/browse/new-releases?country=SE&offset=50&limit=50","total":120}}"#,
                         records: 50)
        #expect(try p.nextRequest(after: first)?.url == "https://api.spotify.com/v1/browse/new-releases?country=SE&offset=50&limit=50")
        let last = page("https://x/y", #"{"albums":{"items":[],"next":null}}"#, records: 20)
        #expect(try p.nextRequest(after: last) == nil)
        let relative = page("https://x/v1/items?page=1", #"{"albums":{"next":"/v1/items?page=2"}}"#, records: 1)
        #expect(try p.nextRequest(after: relative)?.url == "https://x/v1/items?page=2")
    }

    @Test func linkHeaderFindsRelNextAmongOthers() throws {
        let p = LinkHeaderPaginator()
        let header = #"<https://api.github.com/r?page=1>; rel="first", <https://api.github.com/r?page=3>; rel="next", <https://api.github.com/r?page=9>; rel="last""#
        #expect(try p.nextRequest(after: page("https://api.github.com/r?page=2", "[]", records: 3, headers: [("Link", header)]))?.url
                == "https://api.github.com/r?page=3")
        #expect(try p.nextRequest(after: page("https://api.github.com/r?page=9", "[]", records: 3,
                                          headers: [("link", #"<https://api.github.com/r?page=1>; rel="first""#)])) == nil)
        #expect(try p.nextRequest(after: page("https://x/r", "[]", records: 3)) == nil)
    }

    @Test func offsetAdvancesByRecordsReturnedAndStopsOnTotal() throws {
        let p = OffsetPaginator(limit: 10, totalPath: "total")
        let first = p.firstRequest(APIRequest(url: "https://x/items?q=a"))
        #expect(first.query("offset") == "0" && first.query("limit") == "10" && first.query("q") == "a")
        // The server capped the page at 8: the next offset is 8, not 10.
        let next = try p.nextRequest(after: page(first.url, #"{"total": 20}"#, records: 8))
        #expect(next?.query("offset") == "8")
        #expect(try p.nextRequest(after: page(next!.url, #"{"total": 20}"#, records: 8))?.query("offset") == "16")
        #expect(try p.nextRequest(after: page(next!.settingQuery("offset", "16").url, #"{"total": 20}"#, records: 4)) == nil)
    }

    @Test func offsetWithoutTotalStopsOnAnEmptyOrShortPage() throws {
        let empty = OffsetPaginator(limit: 10)
        #expect(try empty.nextRequest(after: page("https://x/i?offset=0&limit=10", "{}", records: 3))?.query("offset") == "3")
        #expect(try empty.nextRequest(after: page("https://x/i?offset=3&limit=10", "{}", records: 0)) == nil)
        let short = OffsetPaginator(limit: 10, stop: .short)
        #expect(try short.nextRequest(after: page("https://x/i?offset=0&limit=10", "{}", records: 10))?.query("offset") == "10")
        #expect(try short.nextRequest(after: page("https://x/i?offset=10&limit=10", "{}", records: 3)) == nil)
    }

    @Test func pageNumberCountsUpToTotalPages() throws {
        let p = PageNumberPaginator(pageParam: "page", start: 1, totalPagesPath: "meta.total_pages",
                                    pageSizeParam: "per_page", pageSize: 5)
        let first = p.firstRequest(APIRequest(url: "https://x/items"))
        #expect(first.query("page") == "1" && first.query("per_page") == "5")
        #expect(try p.nextRequest(after: page(first.url, #"{"meta":{"total_pages":2}}"#, records: 5))?.query("page") == "2")
        #expect(try p.nextRequest(after: page("https://x/items?page=2", #"{"meta":{"total_pages":2}}"#, records: 5)) == nil)
        let open = PageNumberPaginator()
        #expect(try open.nextRequest(after: page("https://x/items?page=4", "{}", records: 0)) == nil)
        #expect(try open.nextRequest(after: page("https://x/items?page=4", "{}", records: 1))?.query("page") == "5")
    }

    @Test func cursorIsSentBackUntilItRunsOut() throws {
        let p = JSONCursorPaginator(cursorPath: "meta.next_cursor", cursorParam: "cursor")
        let next = try p.nextRequest(after: page("https://x/items", #"{"meta":{"next_cursor":"eyJpZCI6MTAwfQ=="}}"#, records: 9))
        #expect(next?.query("cursor") == "eyJpZCI6MTAwfQ==")
        #expect(next?.url.contains("%3D%3D") == true)
        #expect(try p.nextRequest(after: page(next!.url, #"{"meta":{"next_cursor":null}}"#, records: 9)) == nil)
        #expect(try p.nextRequest(after: page(next!.url, #"{"meta":{"next_cursor":""}}"#, records: 9)) == nil)
    }

    @Test func singlePageHasNoNext() throws {
        #expect(try SinglePagePaginator().nextRequest(after: page("https://x/", "{}", records: 5)) == nil)
    }

    @Test func stripesStartingAfterFollowsTheLastIdWhileHasMoreIsTrue() throws {
        let p = JSONCursorPaginator(cursorPath: "data[-1].id", cursorParam: "starting_after", hasMorePath: "has_more")
        let first = page("https://x/v1/customers?limit=100",
                         #"{"object":"list","data":[{"id":"cus_1"},{"id":"cus_NffrFeUfNV2Hib"}],"has_more":true}"#, records: 2)
        #expect(try p.nextRequest(after: first)?.query("starting_after") == "cus_NffrFeUfNV2Hib")
        #expect(try p.nextRequest(after: first)?.query("limit") == "100")
        let last = page("https://x/v1/customers?limit=100&starting_after=cus_9",
                        #"{"object":"list","data":[{"id":"cus_10"}],"has_more":false}"#, records: 1)
        #expect(try p.nextRequest(after: last) == nil)
    }

    @Test func aMissingCursorWhileHasMoreIsTrueIsAnErrorNotTheEnd() {
        let p = JSONCursorPaginator(cursorPath: "data[-1].id", cursorParam: "starting_after", hasMorePath: "has_more")
        let broken = page("https://x/v1/customers?starting_after=cus_9", #"{"data":[],"has_more":true}"#, records: 0)
        let error = #expect(throws: IngestError.self) { try p.nextRequest(after: broken) }
        #expect(error?.message.contains("has_more") == true && error?.message.contains("data[-1].id") == true)
        #expect(error?.message.contains("starting_after=cus_9") == true, "names the URL")
        let stuck = page("https://x/v1/c?starting_after=cus_9", #"{"data":[{"id":"cus_9"}],"has_more":true}"#, records: 1)
        #expect(throws: IngestError.self) { try p.nextRequest(after: stuck) }
        let noFlag = page("https://x/v1/c", #"{"data":[{"id":"cus_9"}]}"#, records: 1)
        #expect(throws: IngestError.self) { try p.nextRequest(after: noFlag) }
    }

    @Test func aJSONLinkMissingWhileHasMoreIsTrueIsAnError() {
        let p = JSONLinkPaginator(nextPath: "links.next", hasMorePath: "meta.has_more")
        #expect(throws: IngestError.self) {
            try p.nextRequest(after: page("https://x/i", #"{"links":{"next":null},"meta":{"has_more":true}}"#, records: 5))
        }
    }

    @Test func anOffsetCeilingStopsWhereTheAPIWouldRefuse() throws {
        // Spotify's search: limit at most 10, offset + limit at most 1000.
        let p = OffsetPaginator(limit: 10, totalPath: "albums.total", maxOffset: 1000)
        var request = p.firstRequest(APIRequest(url: "https://x/v1/search?q=tag:new&type=album"))
        var pages = 0
        while true {
            #expect(Int(request.query("offset")!)! + Int(request.query("limit")!)! <= 1000)
            #expect(Int(request.query("limit")!)! <= 10)
            pages += 1
            let view = page(request.url, #"{"albums":{"total":4321}}"#, records: 10)
            guard let next = try p.nextRequest(after: view) else {
                #expect(p.capped(after: view) == 4321)
                break
            }
            request = next
        }
        #expect(pages == 100)
        let ragged = OffsetPaginator(limit: 30, maxOffset: 100)
        let last = try ragged.nextRequest(after: page("https://x/s?offset=60&limit=30", "{}", records: 30))
        #expect(last?.query("offset") == "90" && last?.query("limit") == "10")
    }

    @Test func negativeIndicesCountFromTheEndAndStarTakesEach() throws {
        let root = try JSONTape(Array(#"{"data":[{"id":"a"},{"id":"b"},{"id":"c"}]}"#.utf8)).root
        #expect(root.value(at: JSONPath("data[-1].id"))?.string == "c")
        #expect(root.value(at: JSONPath("data[-3].id"))?.string == "a")
        #expect(root.value(at: JSONPath("data[-4].id")) == nil)
        #expect(root.values(at: JSONPath("data[*].id")).compactMap(\.string) == ["a", "b", "c"])
    }
}
