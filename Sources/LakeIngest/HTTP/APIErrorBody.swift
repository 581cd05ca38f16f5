import Foundation

/// The message in an API's error body, for error messages: Spotify's
/// `{"error": {"status": 404, "message": "…"}}`, OAuth's `{"error": "invalid_client",
/// "error_description": "…"}`, or a short excerpt of anything else.
enum APIErrorBody {
    static func describe(_ body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                return message
            }
            if let error = object["error"] as? String {
                let detail = object["error_description"] as? String
                return detail.map { "\(error): \($0)" } ?? error
            }
            if let message = object["message"] as? String { return message }
        }
        let text = String(decoding: body.prefix(120), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return text.isEmpty ? "" : "body starts \"\(text)\""
    }

    /// Spotify's `error.reason` (`QUOTA_EXCEEDED`), if the body has one.
    static func reason(_ body: [UInt8]) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["reason"] as? String
    }
}
