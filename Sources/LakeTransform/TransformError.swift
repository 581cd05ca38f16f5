import LakeCore

/// Failures of promotion (raw → staged) and of version upkeep.
public enum TransformError: LakeError {
    case notStaged(dataset: String, zone: String)
    case noRawFiles(dataset: String)
    case unreadableRaw(path: String, reason: String)
    case missingFile(path: String)
    case worker(String)

    public var stage: String { "Transform" }

    public var message: String {
        switch self {
        case let .notStaged(dataset, zone):
            return "dataset '\(dataset)' is a \(zone) dataset; `lake promote` builds staged datasets from raw (curated models come from schemas/curated/)"
        case let .noRawFiles(dataset):
            return "dataset '\(dataset)' has no raw files yet: ingest it first (`lake ingest …`)"
        case let .unreadableRaw(path, reason):
            return "cannot read raw file \(path): \(reason) — run `lake governance --verify` to find damaged files"
        case let .missingFile(path):
            return "\(path) is in the catalog but not on disk — run `lake governance` to see what else is missing"
        case let .worker(detail):
            return detail
        }
    }
}
