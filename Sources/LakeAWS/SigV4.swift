import Crypto
import Foundation

/// AWS Signature Version 4: the canonical request, the string to sign and the signing key,
/// as AWS's reference describes them. JSON protocols (Kinesis, SQS) sign the payload hash;
/// S3 encodes path segments once, every other service twice.
public struct SigV4 {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `X-Amz-Date`, the session token and `Authorization` to `headers` (which must
    /// hold `Host`). `query` is the raw query string, if any.
    public func sign(method: String, path: String, query: String?, headers: inout [(name: String, value: String)],
                     payloadSHA256: String, date: Date = Date()) {
        let stamp = Self.stamp(date)
        headers.removeAll { $0.name.lowercased() == "x-amz-date" || $0.name.lowercased() == "authorization" }
        headers.append(("X-Amz-Date", stamp))
        if let token = credentials.sessionToken {
            headers.removeAll { $0.name.lowercased() == "x-amz-security-token" }
            headers.append(("X-Amz-Security-Token", token))
        }
        let (signed, signature) = signature(method: method, path: path, query: query, headers: headers,
                                            payloadSHA256: payloadSHA256, stamp: stamp)
        headers.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(stamp)), "
                        + "SignedHeaders=\(signed), Signature=\(signature)"))
    }

    /// The signed header list and the signature of a request whose headers already hold `X-Amz-Date`.
    func signature(method: String, path: String, query: String?, headers: [(name: String, value: String)],
                   payloadSHA256: String, stamp: String) -> (signedHeaders: String, signature: String) {
        let (canonical, signed) = canonicalRequest(method: method, path: path, query: query, headers: headers, payloadSHA256: payloadSHA256)
        let toSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope(stamp))\n\(Self.hex(SHA256.hash(data: Array(canonical.utf8))))"
        var key = Self.hmac(Array("AWS4\(credentials.secretAccessKey)".utf8), String(stamp.prefix(8)))
        for part in [region, service, "aws4_request"] { key = Self.hmac(key, part) }
        return (signed, Self.hex(Self.hmac(key, toSign)))
    }

    func canonicalRequest(method: String, path: String, query: String?, headers: [(name: String, value: String)],
                          payloadSHA256: String) -> (String, String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let request = [method.uppercased(), canonicalPath(path), Self.canonicalQuery(query), canonicalHeaders, signed, payloadSHA256]
            .joined(separator: "\n")
        return (request, signed)
    }

    private func canonicalPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let decoded = String(segment).removingPercentEncoding ?? String(segment)
            let once = Self.encode(decoded)
            return service == "s3" ? once : Self.encode(once)
        }
        return segments.joined(separator: "/")
    }

    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            return (encode(decode(parts[0])), encode(parts.count > 1 ? decode(parts[1]) : ""))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private func scope(_ stamp: String) -> String { "\(stamp.prefix(8))/\(region)/\(service)/aws4_request" }

    /// RFC 3986 encoding: everything but A–Z a–z 0–9 - _ . ~ becomes %XX.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
