/// A compressed buffer that does not decompress, or a codec the system lacks.
public enum CodecError: LakeError {
    case corrupt(codec: String, String)
    case unavailable(String)

    public var stage: String { "Codec" }

    public var message: String {
        switch self {
        case let .corrupt(codec, detail): return "\(codec) data is corrupt: \(detail)"
        case let .unavailable(detail): return detail
        }
    }
}
