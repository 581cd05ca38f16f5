import LakeCore

/// What went wrong talking to AWS, with the AWS error code and what to check. Never holds a secret.
public enum AWSError: LakeError {
    case configuration(String)
    case service(service: String, action: String, status: Int, code: String, message: String)
    case signature(service: String, action: String, code: String, message: String, accessKeyId: String)
    case transport(service: String, action: String, endpoint: String, reason: String)
    case malformed(service: String, action: String, detail: String)

    public var stage: String { "AWS" }

    public var message: String {
        switch self {
        case let .configuration(detail): return detail
        case let .service(service, action, status, code, message):
            return "\(service) \(action) failed: \(code) (HTTP \(status))\(message.isEmpty ? "" : ": \(message)")"
        case let .signature(service, action, code, message, key):
            return "\(service) \(action) was refused: \(code)\(message.isEmpty ? "" : " (\(message))") — check the secret key "
                + "of access key \(key) (AWS_SECRET_ACCESS_KEY or the profile), the session token, and the clock"
        case let .transport(service, action, endpoint, reason):
            return "\(service) \(action): cannot reach \(endpoint) (\(reason)) — check --endpoint-url / AWS_ENDPOINT_URL and the region"
        case let .malformed(service, action, detail):
            return "\(service) \(action): the answer could not be read (\(detail))"
        }
    }

    /// The AWS error code, for callers that act on one.
    public var code: String? {
        switch self {
        case let .service(_, _, _, code, _), let .signature(_, _, code, _, _): return code
        default: return nil
        }
    }
}
