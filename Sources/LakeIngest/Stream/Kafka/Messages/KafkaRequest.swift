/// One Kafka API at one version: how its request body is written and its response body read.
/// lake speaks the last non-flexible version of each API, which every broker since 2.4 and
/// librdkafka's mock cluster accept, with a v1 request header (client id, no tagged fields).
protocol KafkaRequest {
    associatedtype Response
    static var apiKey: Int16 { get }
    static var version: Int16 { get }
    static var name: String { get }
    func encode(_ w: inout KafkaWriter)
    static func decode(_ r: inout KafkaReader) throws -> Response
}

extension KafkaRequest {
    /// The whole request frame: size, header v1, body.
    func frame(correlationId: Int32, clientId: String) -> [UInt8] {
        var body = KafkaWriter()
        body.int16(Self.apiKey)
        body.int16(Self.version)
        body.int32(correlationId)
        body.nullableString(clientId)
        encode(&body)
        var framed = KafkaWriter()
        framed.int32(Int32(body.bytes.count))
        framed.raw(body.bytes)
        return framed.bytes
    }
}

/// ApiVersions v2: which versions of each API the broker speaks. Sent first on every
/// connection (v3 and later are answered in a form the mock cluster's clients cannot read).
struct ApiVersionsRequest: KafkaRequest {
    static let apiKey: Int16 = 18, version: Int16 = 2, name = "ApiVersions"
    struct Response { var errorCode: Int16; var ranges: [Int16: ClosedRange<Int16>] }
    func encode(_ w: inout KafkaWriter) {}
    static func decode(_ r: inout KafkaReader) throws -> Response {
        let code = try r.int16("ApiVersions.error_code")
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for (key, lo, hi) in try r.array("ApiVersions.api_keys", { r in (try r.int16(), try r.int16(), try r.int16()) }) where lo <= hi {
            ranges[key] = lo...hi
        }
        return Response(errorCode: code, ranges: ranges)
    }
}
