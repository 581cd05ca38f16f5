import Foundation
@testable import LakeAWS
import Testing

/// Signatures from AWS's SigV4 test suite (aws-sig-v4-test-suite): the same request must
/// give the same `Authorization` header, to the byte.
@Suite struct SigV4Tests {
    let signer = SigV4(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                       region: "us-east-1", service: "service")
    /// 20150830T123600Z
    let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    func authorization(_ method: String, _ path: String, query: String? = nil, headers extra: [(String, String)] = [],
                       body: String = "") -> String {
        var headers: [(name: String, value: String)] = [("Host", "example.amazonaws.com")] + extra.map { (name: $0.0, value: $0.1) }
        signer.sign(method: method, path: path, query: query, headers: &headers,
                    payloadSHA256: SigV4.sha256Hex(Array(body.utf8)), date: date)
        return headers.first { $0.name == "Authorization" }!.value
    }

    func expected(_ signed: String, _ signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signed), Signature=\(signature)"
    }

    @Test func getVanilla() {
        #expect(authorization("GET", "/") == expected("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
    }

    @Test func postVanilla() {
        #expect(authorization("POST", "/") == expected("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"))
    }

    @Test func postVanillaQuery() {
        #expect(authorization("POST", "/", query: "Param1=value1")
            == expected("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"))
    }

    @Test func queryParametersAreSortedByKey() {
        #expect(authorization("GET", "/", query: "Param2=value2&Param1=value1")
            == expected("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
    }

    @Test func formBodyIsSignedByItsHash() {
        #expect(authorization("POST", "/", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1")
            == expected("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"))
    }

    @Test func repeatedHeadersJoinInOrder() {
        #expect(authorization("GET", "/", headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")])
            == expected("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"))
    }

    @Test func emptyBodyHash() { #expect(SigV4.sha256Hex([]) == Self.emptySHA) }

    @Test func credentialsNeverPrintTheirSecret() {
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: "token-secret")
        let printed = "\(credentials) \(String(reflecting: credentials))"
        #expect(!printed.contains("EXAMPLEKEY") && !printed.contains("token-secret"))
        #expect(printed.contains("AKIDEXAMPLE"))
    }
}
