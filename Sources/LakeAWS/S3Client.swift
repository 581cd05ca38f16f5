import AsyncHTTPClient
import Crypto
import Foundation
import LakeCore
import NIOCore
import NIOHTTP1

/// One S3 bucket over its REST API, signed with SigV4: whole-object writes that never
/// overwrite (`If-None-Match: *`, multipart above `multipartThreshold`), ranged reads,
/// ListObjectsV2 paging and DeleteObjects in batches of 1,000. 5xx, `SlowDown` and dropped
/// connections are retried with full-jitter backoff; a refused signature is not.
public final class S3Client: @unchecked Sendable {
    public let bucket: String
    public let config: AWSConfig
    /// Path-style (`host/bucket/key`, what moto, MinIO and most endpoints other than AWS's
    /// want) or virtual-hosted (`bucket.host/key`, AWS's default).
    public let pathStyle: Bool
    public var multipartThreshold = 64 << 20
    public var partSize = 16 << 20
    public var maxAttempts = 6
    private let endpoint: URL
    private let http: HTTPClient
    private let lock = NSLock()
    private var closed = false

    /// An object as ListObjectsV2 or HEAD describe it.
    public struct Object: Sendable, Equatable {
        public var key: String
        public var size: Int
        public var etag: String
        /// LastModified, seconds since 1970 (0 when the answer did not say).
        public var modified: Double = 0
    }

    public init(bucket: String, config: AWSConfig, pathStyle: Bool? = nil) throws {
        self.bucket = bucket
        self.config = config
        let text = config.endpoint(for: "s3")
        guard let url = URL(string: text), url.host != nil, let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            throw AWSError.configuration("'\(text)' is not an S3 endpoint URL (like https://s3.\(config.region).amazonaws.com)")
        }
        endpoint = url
        self.pathStyle = pathStyle ?? (config.endpointOverride != nil || bucket.contains("."))
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    // MARK: Writes

    /// Writes `bytes` at `key` unless an object is there already (then `S3Error.exists`).
    /// Large objects go up in parts; a failed multipart upload is aborted.
    @discardableResult
    public func put(_ key: String, _ bytes: [UInt8], contentType: String = "application/octet-stream") async throws -> String {
        if bytes.count > multipartThreshold { return try await putMultipart(key, bytes, contentType: contentType) }
        let answer = try await send("PUT", key: key, headers: [("Content-Type", contentType), ("If-None-Match", "*")],
                                    body: bytes, action: "PutObject")
        return answer.headers.first(name: "ETag") ?? ""
    }

    private func putMultipart(_ key: String, _ bytes: [UInt8], contentType: String) async throws -> String {
        // S3 checks If-None-Match when the upload completes; a HEAD first saves uploading
        // parts for an object that is already there.
        if try await head(key) != nil { throw S3Error.exists(bucket: bucket, key: key) }
        let created = try await send("POST", key: key, query: [("uploads", "")], headers: [("Content-Type", contentType)],
                                     action: "CreateMultipartUpload")
        guard let uploadId = S3XML.value("UploadId", in: created.text[...]) else {
            throw AWSError.malformed(service: "s3", action: "CreateMultipartUpload", detail: "no UploadId")
        }
        do {
            var parts: [(Int, String)] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + partSize)
                let number = parts.count + 1
                let answer = try await send("PUT", key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadId)],
                                            body: Array(bytes[offset..<end]), action: "UploadPart")
                parts.append((number, answer.headers.first(name: "ETag") ?? ""))
                offset = end
            }
            let body = "<CompleteMultipartUpload>"
                + parts.map { "<Part><PartNumber>\($0.0)</PartNumber><ETag>\(Markup.escape($0.1))</ETag></Part>" }.joined()
                + "</CompleteMultipartUpload>"
            let done = try await send("POST", key: key, query: [("uploadId", uploadId)], headers: [("If-None-Match", "*")],
                                      body: Array(body.utf8), action: "CompleteMultipartUpload")
            // A 200 can still carry an error in its body (S3 documents this for Complete).
            if S3XML.value("Code", in: done.text[...]) != nil, !done.text.contains("<CompleteMultipartUploadResult") {
                throw AWSError.service(service: "s3", action: "CompleteMultipartUpload", status: 200,
                                       code: S3XML.value("Code", in: done.text[...]) ?? "", message: S3XML.value("Message", in: done.text[...]) ?? "")
            }
            return S3XML.value("ETag", in: done.text[...]) ?? ""
        } catch {
            _ = try? await send("DELETE", key: key, query: [("uploadId", uploadId)], action: "AbortMultipartUpload")
            throw error
        }
    }

    // MARK: Reads

    /// The object's bytes, or `range` of them (a ranged GET: a footer, a column chunk).
    public func get(_ key: String, range: Range<Int>? = nil) async throws -> [UInt8] {
        var headers: [(String, String)] = []
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        return try await send("GET", key: key, headers: headers, action: "GetObject").body
    }

    /// The object's last `count` bytes (a suffix-ranged GET: a Parquet footer without a HEAD
    /// first) and its whole size, from Content-Range.
    public func getTail(_ key: String, count: Int) async throws -> (bytes: [UInt8], size: Int) {
        let answer = try await send("GET", key: key, headers: [("Range", "bytes=-\(count)")], action: "GetObject")
        let total = answer.headers.first(name: "Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int($0) } }
        return (answer.body, total ?? answer.body.count)
    }

    /// Size and ETag, or nil when there is no such object.
    public func head(_ key: String) async throws -> Object? {
        do {
            let answer = try await send("HEAD", key: key, action: "HeadObject")
            return Object(key: key, size: Int(answer.headers.first(name: "Content-Length") ?? "") ?? 0,
                          etag: answer.headers.first(name: "ETag") ?? "")
        } catch S3Error.missing {
            return nil
        }
    }

    /// Every object under `prefix`, following ListObjectsV2's continuation tokens.
    public func list(prefix: String, pageSize: Int = 1000) async throws -> [Object] {
        var objects: [Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "\(pageSize)")]
            if let token { query.append(("continuation-token", token)) }
            let page = try await send("GET", key: nil, query: query, action: "ListObjectsV2").text
            for item in S3XML.blocks("Contents", in: page[...]) {
                guard let key = S3XML.value("Key", in: item) else { continue }
                objects.append(Object(key: key, size: Int(S3XML.value("Size", in: item) ?? "") ?? 0, etag: S3XML.value("ETag", in: item) ?? "",
                                      modified: S3XML.value("LastModified", in: item).flatMap(Self.instant) ?? 0))
            }
            token = S3XML.value("IsTruncated", in: page[...]) == "true" ? S3XML.value("NextContinuationToken", in: page[...]) : nil
        } while token != nil
        return objects
    }

    /// `2026-11-30T12:00:00.000Z` as seconds since 1970.
    static func instant(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    // MARK: Deletes

    /// Deletes `keys` with DeleteObjects, 1,000 per request; a key that is already gone is not an error.
    public func delete(_ keys: [String]) async throws {
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(keys.count, start + 1000)]
            let body = Array(("<Delete><Quiet>true</Quiet>" + batch.map { "<Object><Key>\(Markup.escape($0))</Key></Object>" }.joined() + "</Delete>").utf8)
            let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
            let answer = try await send("POST", key: nil, query: [("delete", "")], headers: [("Content-MD5", md5)], body: body,
                                        action: "DeleteObjects")
            if let failed = S3XML.blocks("Error", in: answer.text[...]).first {
                throw AWSError.service(service: "s3", action: "DeleteObjects", status: 200, code: S3XML.value("Code", in: failed) ?? "",
                                       message: "\(S3XML.value("Key", in: failed) ?? ""): \(S3XML.value("Message", in: failed) ?? "")")
            }
            start += batch.count
        }
    }

    /// Creates the bucket (for tests and `lake init` against an empty endpoint); an existing one is fine.
    public func createBucket() async throws {
        let body = config.region == "us-east-1" ? [] : Array(
            "<CreateBucketConfiguration><LocationConstraint>\(config.region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        do {
            _ = try await send("PUT", key: nil, body: body, action: "CreateBucket")
        } catch let error as AWSError where ["BucketAlreadyOwnedByYou", "BucketAlreadyExists"].contains(error.code ?? "") {}
    }

    // MARK: Transport

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The object's URL path and host for this addressing style; keys are encoded per segment.
    func location(_ key: String?) -> (host: String, path: String) {
        let host = endpoint.host! + (endpoint.port.map { ":\($0)" } ?? "")
        let encodedKey = key.map { $0.split(separator: "/", omittingEmptySubsequences: false).map { SigV4.encode(String($0)) }.joined(separator: "/") }
        if pathStyle { return (host, "/\(bucket)" + (encodedKey.map { "/\($0)" } ?? "")) }
        return ("\(bucket).\(host)", "/" + (encodedKey ?? ""))
    }

    func send(_ method: String, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
              body: [UInt8] = [], action: String) async throws -> Answer {
        try await AWSRetry.run({ try await once(method, key: key, query: query, headers: extra, body: body, action: action) }) { error, attempt in
            guard attempt < maxAttempts else { return nil }
            switch error {
            case let .service(_, _, status, code, _):
                return status >= 500 || code == "SlowDown" || code == "RequestTimeout" ? AWSRetry.exponential(attempt) : nil
            case .transport: return AWSRetry.exponential(attempt)
            default: return nil
            }
        }
    }

    private func once(_ method: String, key: String?, query: [(String, String)], headers extra: [(String, String)],
                      body: [UInt8], action: String) async throws -> Answer {
        let (host, path) = location(key)
        let queryString = query.map { $0.1.isEmpty && ["uploads", "delete"].contains($0.0) ? $0.0 : "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }
            .joined(separator: "&")
        var headers: [(name: String, value: String)] = [("Host", host), ("x-amz-content-sha256", SigV4.sha256Hex(body))]
        for (name, value) in extra { headers.append((name, value)) }
        let signer = SigV4(credentials: config.credentials, region: config.region, service: "s3")
        signer.sign(method: method, path: path, query: queryString.isEmpty ? nil : queryString, headers: &headers,
                    payloadSHA256: SigV4.sha256Hex(body))
        let url = "\(endpoint.scheme!)://\(host)\(path)" + (queryString.isEmpty ? "" : "?\(queryString)")
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers where name != "Host" { request.headers.add(name: name, value: value) }
        if !body.isEmpty || method == "PUT" || method == "POST" {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let responseHeaders: HTTPHeaders
        var buffer: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .seconds(120))
            status = Int(response.status.code)
            responseHeaders = response.headers
            buffer = try await response.body.collect(upTo: 1 << 30)
        } catch {
            throw AWSError.transport(service: "s3", action: action, endpoint: endpoint.absoluteString, reason: "\(error)")
        }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let answer = Answer(status: status, headers: responseHeaders, body: bytes)
        guard (200..<300).contains(status) else {
            let text = answer.text[...]
            let code = S3XML.value("Code", in: text) ?? (status == 404 ? "NoSuchKey" : "HTTP \(status)")
            let message = S3XML.value("Message", in: text) ?? ""
            if status == 412 || code == "PreconditionFailed" { throw S3Error.exists(bucket: bucket, key: key ?? "") }
            if status == 404, code == "NoSuchKey" || method == "HEAD" { throw S3Error.missing(bucket: bucket, key: key ?? "") }
            if code == "NoSuchBucket" { throw S3Error.noBucket(bucket) }
            if AWSJSONClient.signatureCodes.contains(code) || (status == 403 && method == "HEAD") {
                throw AWSError.signature(service: "s3", action: action, code: code, message: message,
                                         accessKeyId: config.credentials.accessKeyId)
            }
            throw AWSError.service(service: "s3", action: action, status: status, code: code, message: message)
        }
        return answer
    }

    public func shutdown() async {
        guard lock.withLock({ defer { closed = true }; return !closed }) else { return }
        try? await http.shutdown()
    }

    deinit {
        if lock.withLock({ defer { closed = true }; return !closed }) { try? http.syncShutdown() }
    }
}

/// The S3 answers callers act on, as errors that name the object.
public enum S3Error: LakeError, Equatable {
    case exists(bucket: String, key: String)
    case missing(bucket: String, key: String)
    case noBucket(String)

    public var stage: String { "S3" }

    public var message: String {
        switch self {
        case let .exists(bucket, key): return "s3://\(bucket)/\(key) already exists; lake never overwrites an object"
        case let .missing(bucket, key): return "s3://\(bucket)/\(key) does not exist"
        case let .noBucket(bucket): return "there is no bucket '\(bucket)' at this endpoint — create it, or check the bucket name and --endpoint-url"
        }
    }
}
