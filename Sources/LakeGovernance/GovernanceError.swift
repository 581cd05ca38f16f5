import LakeCore

/// Failures of retention and adoption.
public enum GovernanceError: LakeError {
    case outsideLake(path: String, root: String)
    case notInAZone(path: String)
    case nothingToAdopt(path: String)
    case unreadable(path: String, reason: String)

    public var stage: String { "Governance" }

    public var message: String {
        switch self {
        case let .outsideLake(path, root):
            return "\(path) is outside the lake root \(root): lake only touches files inside its root — copy the files into raw/<source>/<dataset>/dt=…/ first"
        case let .notInAZone(path):
            return "\(path) is not under raw/, staged/, curated/ or quarantine/ — move it into a zone folder first"
        case let .nothingToAdopt(path):
            return "\(path) holds no uncataloged files (already cataloged, hidden or empty) — nothing to adopt"
        case let .unreadable(path, reason):
            return "\(path) cannot be adopted: \(reason)"
        }
    }
}
