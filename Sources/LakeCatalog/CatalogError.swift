import LakeCore

/// Failures of the catalog and of dataset contracts.
public enum CatalogError: LakeError {
    case noLake(root: String)
    case unknownDataset(String, known: [String])
    case invalidContract(file: String, problem: String)
    case contractsInvalid(first: String, more: Int)
    case noContracts(folder: String)
    case database(String)
    case offsetFenced(stream: String, group: String, partition: Int, expected: String?, found: String?)
    case lockLost(scope: String, server: String)

    public var stage: String { "Catalog" }

    public var message: String {
        switch self {
        case let .noLake(root):
            return "no lake at \(root) (no catalog.sqlite, and no lake.json naming a team catalog): run `lake init` there, or pass --lake DIR / set LAKE_HOME"
        case let .unknownDataset(name, known):
            let hint = Suggest.closest(to: name, in: known).map { " — did you mean '\($0)'?" }
                ?? (known.isEmpty ? " — the catalog has no datasets yet: run `lake catalog sync`" : "")
            return "no dataset '\(name)' in the catalog\(hint)"
        case let .invalidContract(file, problem):
            return "\(file): \(problem)"
        case let .contractsInvalid(first, more):
            return first + (more > 0 ? " (and \(more) more invalid contract\(more == 1 ? "" : "s"))" : "")
                + "; nothing was registered — fix the contract and run `lake catalog sync` again"
        case let .noContracts(folder):
            return "no dataset contracts (*.json) in \(folder): pass --schemas DIR"
        case let .database(detail):
            return detail
        case let .offsetFenced(stream, group, partition, expected, found):
            return "\(stream) partition \(partition): another consumer of group '\(group)' committed offset \(found ?? "none") "
                + "where this one expected \(expected ?? "none"); this consumer leaves the partition to it (nothing was landed twice)"
        case let .lockLost(scope, server):
            return "\(server): the \(scope) lock's connection ended (pg_terminate_backend, a restart or a network fault), so another "
                + "lake process may hold it now; this run stopped without committing — run the command again, it carries on from what the catalog holds"
        }
    }
}

/// "Did you mean": the closest name by edit distance, when it is close enough.
public enum Suggest {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = a[i - 1] == b[j - 1] ? previous : min(previous, row[j - 1], row[j]) + 1
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
