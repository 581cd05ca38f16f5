import Foundation
import LakeCore
import LakeIngest
import LakeSimulators
import LakeTestSupport
import Testing

/// `lake ingest api` with each paginator and each kind of auth, over loopback.
@Suite(.serialized) struct DeclaredAPIIngestTests {
    func declaration(port: Int, style: String, records: String?, paginator: String, auth: String,
                     extra: String = "") throws -> SourceDeclaration {
        try SourceDeclaration.parse(data: Data("""
            {"source": "shop", "base_url": "http://127.0.0.1:\(port)/", \(auth)
             "resources": [{"dataset": "items", "path": "\(style)/items", \(records.map { "\"records\": \"\($0)\"," } ?? "")
                            "paginator": \(paginator) \(extra)}]}
            """.utf8), file: "shop.json")
    }

    static let cases: [(String, String?, String, PagedAPISimulator.RequiredAuth, String, [String: String])] = [
        ("next", "data", #"{"type": "json_link", "next": "links.next"}"#, .bearer("tok-123456"),
         #""auth": {"type": "bearer", "token_env": "SHOP_TOKEN"},"#, ["SHOP_TOKEN": "tok-123456"]),
        ("link", nil, #"{"type": "link_header"}"#, .apiKeyHeader(name: "X-API-Key", value: "key-abcdef"),
         #""auth": {"type": "api_key", "name": "X-API-Key", "value_env": "SHOP_KEY"},"#, ["SHOP_KEY": "key-abcdef"]),
        ("offset", "items", #"{"type": "offset", "limit": 10, "total": "total"}"#,
         .apiKeyQuery(name: "api_key", value: "qkey-98765"),
         #""auth": {"type": "api_key", "name": "api_key", "location": "query", "value_env": "SHOP_KEY"},"#,
         ["SHOP_KEY": "qkey-98765"]),
        ("page", "results", #"{"type": "page_number", "total_pages": "meta.total_pages", "page_size_param": "per_page", "page_size": 5}"#,
         .basic(user: "ann", password: "pw-secret-1"),
         #""auth": {"type": "basic", "username_env": "U", "password_env": "P"},"#, ["U": "ann", "P": "pw-secret-1"]),
        ("cursor", "data", #"{"type": "cursor", "cursor": "meta.next_cursor", "cursor_param": "cursor"}"#, .none, "", [:]),
    ]

    @Test(arguments: 0..<5)
    func everyRecordLandsOnceWithEachPaginatorAndAuth(_ index: Int) async throws {
        let (style, records, paginator, required, auth, environment) = Self.cases[index]
        let api = PagedAPISimulator(count: 53, auth: required)
        let port = try await api.start()
        let lake = try TempLake()
        let report = try await APIIngestion(
            declaration: declaration(port: port, style: style, records: records, paginator: paginator, auth: auth),
            catalog: lake.catalog, environment: environment, options: .forTests
        ).run()
        await api.stop()
        #expect(report.complete)
        let ids = try lake.rawPages().flatMap { $0.records(at: records) }.map { $0["id"] as! Int }
        #expect(ids.sorted() == Array(0..<53), "\(style)")
        let written = try lake.everythingWritten()
        for secret in environment.values where secret != "ann" { #expect(!written.contains(secret)) }
    }

    @Test func regionFromARecordFieldSplitsPagesIntoRegionFolders() async throws {
        let api = PagedAPISimulator(count: 20)
        let port = try await api.start()
        let lake = try TempLake()
        _ = try await APIIngestion(
            declaration: declaration(port: port, style: "offset", records: "items",
                                     paginator: #"{"type": "offset", "limit": 8, "total": "total"}"#, auth: "",
                                     extra: #", "region_field": "country""#),
            catalog: lake.catalog, environment: [:], options: .forTests
        ).run()
        await api.stop()
        let pages = try lake.rawPages()
        let folders = Set(lake.files(under: "raw").map { $0.split(separator: "/")[4] })
        #expect(folders == ["region=SE", "region=US", "region=GB", "region=DE", "region=a%2Fb"])
        for page in pages {
            let region = page.meta["region"] as! String
            #expect(page.records(at: "items").allSatisfy { Regions.normalize($0["country"] as! String) == region })
        }
        #expect(pages.flatMap { $0.records(at: "items") }.count == 20)
    }

    @Test func anIncrementalCursorFetchesOnlyWhatIsNewNextRun() async throws {
        let api = PagedAPISimulator(count: 30)
        let port = try await api.start()
        let lake = try TempLake()
        let d = try declaration(port: port, style: "next", records: "data",
                                paginator: #"{"type": "json_link", "next": "links.next"}"#, auth: "",
                                extra: #", "incremental": {"field": "updated_at", "param": "updated_since"}"#)
        _ = try await APIIngestion(declaration: d, catalog: lake.catalog, environment: [:], options: .forTests).run()
        api.append(count: 12)
        _ = try await APIIngestion(declaration: d, catalog: lake.catalog, environment: [:], options: .forTests).run()
        await api.stop()
        let ids = try lake.rawPages().flatMap { $0.records(at: "data") }.map { $0["id"] as! Int }
        #expect(ids.sorted() == Array(0..<42))
        #expect(try lake.catalog.cursor(source: "shop", dataset: "items", scope: "-") == "2026-01-01T00:00:41Z")
    }

    @Test func stripesStartingAfterLandsEveryRecordOnceThroughFaults() async throws {
        var faults = SimulatorFaults()
        (faults.rateLimit, faults.serverError, faults.truncated) = (0.1, 0.1, 0.1)
        let api = PagedAPISimulator(count: 750, faults: faults)
        let port = try await api.start()
        let lake = try TempLake()
        let d = try declaration(port: port, style: "stripe", records: "data",
                                paginator: #"{"type": "cursor", "cursor": "data[-1].id", "cursor_param": "starting_after", "has_more": "has_more"}"#,
                                auth: "", extra: #", "params": {"limit": 100}"#)
        let report = try await APIIngestion(declaration: d, catalog: lake.catalog, environment: [:], options: .forTests).run()
        let served = api.faultsServed
        await api.stop()
        #expect(report.complete && report.failures.isEmpty, "\(report.failures)")
        #expect(served.values.reduce(0, +) > 0, "the faults were on")
        let ids = try lake.rawPages().flatMap { $0.records(at: "data") }.map { $0["id"] as! String }
        #expect(ids.count == 750 && Set(ids).count == 750)
        #expect(try lake.rawPages().map(\.page).max() == 8, "100 per page")
    }

    @Test func aCursorMissingWhileHasMoreIsTrueFailsTheUnitNamingWhy() async throws {
        let api = PagedAPISimulator(count: 100)
        let port = try await api.start()
        let lake = try TempLake()
        let d = try declaration(port: port, style: "stripe-broken", records: "data",
                                paginator: #"{"type": "cursor", "cursor": "data[-1].id", "cursor_param": "starting_after", "has_more": "has_more"}"#,
                                auth: "")
        let report = try await APIIngestion(declaration: d, catalog: lake.catalog, environment: [:], options: .forTests).run()
        await api.stop()
        #expect(!report.complete)
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.contains("\"has_more\" is true but there is no cursor at \"data[-1].id\"") == true, "\(report.failures)")
        // What came before the broken page is landed and committed.
        #expect(try lake.rawPages().flatMap { $0.records(at: "data") }.count == 20)
    }

    @Test(arguments: ["0", "1"])
    func aPageStartingWithAByteOrderMarkLandsWithoutIt(_ pretty: String) async throws {
        let api = PagedAPISimulator(count: 95)
        let port = try await api.start()
        let lake = try TempLake()
        let d = try declaration(port: port, style: "bom", records: "items",
                                paginator: #"{"type": "page_number", "start": 0, "page_size_param": "size", "page_size": 40, "total_pages": "pages"}"#,
                                auth: "", extra: #", "params": {"pretty": "\#(pretty)"}"#)
        let report = try await APIIngestion(declaration: d, catalog: lake.catalog, environment: [:], options: .forTests).run()
        await api.stop()
        #expect(report.complete && report.failures.isEmpty, "\(report.failures)")
        let pages = try lake.rawPages()
        #expect(pages.flatMap { $0.records(at: "items") }.map { $0["id"] as! Int }.sorted() == Array(0..<95))
        for path in lake.files(under: "raw") {
            let bytes = try GzipReader.decompress(FileSystem.readFile(lake.root.absolute(path)))
            #expect(!bytes.indices.dropLast(2).contains { bytes[$0] == 0xEF && bytes[$0 + 1] == 0xBB && bytes[$0 + 2] == 0xBF })
            #expect(!bytes.contains(0x0D), "line breaks inside the body become spaces")
        }
    }

    @Test func aResourcePerRegionWithoutRegionsSaysWhereToGiveThem() async throws {
        let lake = try TempLake()
        let d = try SourceDeclaration.parse(data: Data(#"{"source": "s", "base_url": "http://127.0.0.1:9/", "resources": [{"dataset": "a", "path": "x/{region}"}]}"#.utf8), file: "s.json")
        let error = await #expect(throws: IngestError.self) {
            _ = try await APIIngestion(declaration: d, catalog: lake.catalog, environment: [:], options: .forTests).run()
        }
        #expect(error?.message.contains("--regions") == true && error?.message.contains("\"regions\"") == true)
    }
}
