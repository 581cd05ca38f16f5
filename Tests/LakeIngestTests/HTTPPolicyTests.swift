import Foundation
import LakeIngest
import Testing

@Suite struct HTTPPolicyTests {
    @Test func retryAfterIsHonouredInSecondsOrAsADateAndNeverZero() {
        let policy = RetryPolicy()
        #expect((2.0...2.1).contains(policy.rateLimitDelay(retryAfter: "2")))
        #expect(policy.rateLimitDelay(retryAfter: "0") >= policy.minimumRateLimitDelay)
        #expect(policy.rateLimitDelay(retryAfter: nil) >= policy.minimumRateLimitDelay)
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let delay = policy.rateLimitDelay(retryAfter: "Mon, 24 Nov 2025 16:00:05 GMT", now: now)
        #expect((5.0...5.1).contains(delay))
    }

    @Test func backoffGrowsWithJitterUpToACap() {
        var policy = RetryPolicy()
        policy.baseDelay = 1
        policy.maxDelay = 8
        #expect((0.5...1).contains(policy.backoff(attempt: 1)))
        #expect((2...4).contains(policy.backoff(attempt: 3)))
        #expect((4...8).contains(policy.backoff(attempt: 10)))
    }

    @Test func redactionRemovesSecretsFromURLsBodiesAndMessages() {
        let redactor = Redactor()
        redactor.addSecret("s3cr3t-key")
        redactor.addSecretParameter("api_key")
        #expect(redactor.url("https://x/items?api_key=s3cr3t-key&page=2") == "https://x/items?page=2")
        #expect(redactor.text("failed with s3cr3t-key inside") == "failed with REDACTED inside")
        let body = Array(#"{"next":"https://x/?k=s3cr3t-key","v":"s3cr3t-key"}"#.utf8)
        #expect(String(decoding: redactor.bytes(body), as: UTF8.self) == #"{"next":"https://x/?k=REDACTED","v":"REDACTED"}"#)
    }

    @Test func nextLinksOnAnotherHostArePinnedToTheConfiguredOne() {
        let pin = OriginPin(baseURL: "http://127.0.0.1:8080/v1")
        let moved = pin.pin(APIRequest(url: "https://api.spotify.com/v1/browse/new-releases?offset=50"))
        #expect(moved.url == "http://127.0.0.1:8080/v1/browse/new-releases?offset=50")
    }

    @Test func pageLinesKeepTheBodyAsReceivedOnOneLine() throws {
        let line = PageLine.make(meta: .object([("page", 1)]), body: Array("\u{FEFF}{\n  \"a\": \"x\"\r\n}".utf8),
                                 redactor: Redactor())
        let text = String(decoding: line, as: UTF8.self)
        #expect(text == "{\"_meta\":{\"page\":1},\"body\":{   \"a\": \"x\"  }}\n")
        #expect(try JSONSerialization.jsonObject(with: Data(line)) is [String: Any])
    }
}
