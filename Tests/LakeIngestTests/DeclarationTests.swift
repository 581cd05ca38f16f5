import Foundation
import LakeIngest
import Testing

@Suite struct DeclarationTests {
    func parse(_ text: String) throws -> SourceDeclaration {
        try SourceDeclaration.parse(data: Data(text.utf8), file: "sources/x.json")
    }

    @Test func aFullDeclarationParses() throws {
        let d = try parse("""
            {"source": "shop", "base_url": "https://api.example.com/v2/", "regions": ["SE", "US"],
             "auth": {"type": "api_key", "name": "api_key", "location": "query", "value_env": "SHOP_KEY"},
             "defaults": {"params": {"per_page": 100}},
             "resources": [
               {"dataset": "orders", "path": "orders", "params": {"country": "{region}"}, "records": "data",
                "paginator": {"type": "cursor", "cursor": "meta.next", "cursor_param": "after"},
                "incremental": {"field": "updated_at", "param": "updated_since", "initial": "2026-01-01"}},
               {"dataset": "order_lines", "path": "orders/{parent}/lines", "records": "lines",
                "parent": {"resource": "orders", "field": "id"},
                "paginator": {"type": "offset", "limit": 50, "total": "total"}}
             ]}
            """)
        #expect(d.source == "shop" && d.regions == ["SE", "US"])
        #expect(d.resources.map(\.dataset) == ["orders", "order_lines"])
        #expect(d.resources[0].usesRegion && !d.resources[1].usesRegion)
        #expect(d.resources[0].params.contains { $0 == ("per_page", "100") })
        #expect(d.resources[1].parent?.resource == "orders")
    }

    @Test(arguments: [
        (#"{"source": "Shop", "base_url": "https://x", "resources": [{"dataset": "a"}]}"#, "\"source\""),
        (#"{"source": "s", "base_url": "ftp://x", "resources": [{"dataset": "a"}]}"#, "base_url"),
        (#"{"source": "s", "base_url": "https://x", "resources": []}"#, "resources"),
        (#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "paginator": {"type": "magic"}}]}"#, "magic"),
        (#"{"source": "s", "base_url": "https://x", "auth": {"type": "bearer", "token": "abc"}, "resources": [{"dataset": "a"}]}"#, "token_env"),
        (#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "path": "{parent}", "parent": {"resource": "b", "field": "id"}}]}"#, "parent \"b\""),
    ])
    func problemsNameTheFileAndTheKey(_ text: String, _ key: String) {
        let error = #expect(throws: IngestError.self) { try parse(text) }
        #expect(error?.message.hasPrefix("sources/x.json: ") == true)
        #expect(error?.message.contains(key) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        (#"{"source": "s", "base_url": "https://x", "pagination": {}, "resources": [{"dataset": "a"}]}"#, "\"pagination\""),
        (#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "record": "data"}]}"#, "\"record\""),
        (#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "paginator": {"type": "cursor", "cursor": "next", "param": "c"}}]}"#, "\"param\""),
        (#"{"source": "s", "base_url": "https://x", "auth": {"type": "bearer", "token_env": "T", "prefix": "Token"}, "resources": [{"dataset": "a"}]}"#, "\"prefix\""),
        (#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "parent": {"resource": "a", "field": "id", "each": true}, "path": "{parent}"}]}"#, "\"each\""),
    ])
    func unknownKeysAreRefusedAtLoadNamingTheKey(_ text: String, _ key: String) {
        let error = #expect(throws: IngestError.self) { try parse(text) }
        #expect(error?.message.hasPrefix("sources/x.json: ") == true)
        #expect(error?.message.contains("unknown key \(key)") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        ("cursor", #""cursor": "$.data[-1].id""#),
        ("cursor", #""cursor": "data[last].id""#),
        ("cursor", #""cursor": "data..id""#),
        ("cursor", #""cursor": "data[*].id""#),
        ("cursor", #""cursor": "data['id']""#),
        ("has_more", #""cursor": "data[-1].id", "has_more": "meta[?(@.more)]""#),
    ])
    func pathsLakeCannotReadAreRefusedAtLoad(_ key: String, _ paginator: String) {
        let error = #expect(throws: IngestError.self) {
            try parse(#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "paginator": {"type": "cursor", \#(paginator)}}]}"#)
        }
        #expect(error?.message.contains("paginator.\(key)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("not a path lake reads") == true)
    }

    @Test func limitCapsAreCheckedAtLoad() throws {
        let d = try parse("""
            {"source": "billing", "base_url": "https://api.stripe.com/v1/",
             "auth": {"type": "bearer", "token_env": "STRIPE_SECRET_KEY"},
             "resources": [{"dataset": "customers", "path": "customers", "records": "data",
               "paginator": {"type": "offset", "limit": 100, "max_limit": 100}}]}
            """)
        #expect(d.resources[0].paginator.caps == "limit at most 100")
        let over = #expect(throws: IngestError.self) {
            try parse(#"{"source": "s", "base_url": "https://x", "resources": [{"dataset": "a", "paginator": {"type": "offset", "limit": 50, "max_limit": 10}}]}"#)
        }
        #expect(over?.message.contains("max_limit 10") == true)
    }

    @Test func missingSecretsNameTheVariable() {
        let error = #expect(throws: IngestError.self) {
            _ = try AuthDeclaration.bearer(tokenEnv: "SHOP_TOKEN").make(
                environment: [:], transport: HTTPTransport(timeoutSeconds: 1), policy: RetryPolicy(), redactor: Redactor())
        }
        #expect(error?.message.contains("SHOP_TOKEN") == true)
    }
}
