import LakeCore

/// What can go wrong reading or writing Parquet, with the file and what to do.
public enum ParquetError: LakeError, Equatable {
    case corrupt(String)
    case notParquet(path: String, reason: String)
    case unsupported(String)
    case codecUnavailable(String)
    case io(path: String, reason: String)
    case unknownColumn(name: String, path: String, available: [String])

    public var stage: String { "Parquet" }

    public var message: String {
        switch self {
        case let .corrupt(detail):
            return "the file is corrupt: \(detail)"
        case let .notParquet(path, reason):
            return "\(path) is not a readable Parquet file (\(reason)) — check that it was written completely"
        case let .unsupported(detail):
            return "\(detail) is not supported by lake's reader"
        case let .codecUnavailable(detail):
            return "\(detail)"
        case let .io(path, reason):
            return "cannot access \(path): \(reason)"
        case let .unknownColumn(name, path, available):
            return "\(path) has no column \"\(name)\"; it has \(available.joined(separator: ", "))"
        }
    }
}
