/// SaslHandshake v1 and SaslAuthenticate v1: SASL inside Kafka requests (KIP-152).
struct SaslHandshakeRequest: KafkaRequest {
    static let apiKey: Int16 = 17, version: Int16 = 1, name = "SaslHandshake"
    var mechanism: String
    struct Response { var errorCode: Int16; var mechanisms: [String] }
    func encode(_ w: inout KafkaWriter) { w.string(mechanism) }
    static func decode(_ r: inout KafkaReader) throws -> Response {
        Response(errorCode: try r.int16(), mechanisms: try r.array("mechanisms") { try $0.string() })
    }
}

struct SaslAuthenticateRequest: KafkaRequest {
    static let apiKey: Int16 = 36, version: Int16 = 1, name = "SaslAuthenticate"
    var bytes: [UInt8]
    struct Response { var errorCode: Int16; var message: String?; var bytes: [UInt8] }
    func encode(_ w: inout KafkaWriter) { w.bytes(bytes) }
    static func decode(_ r: inout KafkaReader) throws -> Response {
        let code = try r.int16()
        let message = try r.nullableString("error_message")
        let bytes = try r.bytes("auth_bytes")
        _ = try r.int64("session_lifetime_ms")
        return Response(errorCode: code, message: message, bytes: bytes)
    }
}
