import Foundation
import LakeCore
import LakeIngest
import LakeTestSupport

extension IngestOptions {
    /// Fast retries and small files, so tests see many commits.
    static var forTests: IngestOptions {
        var options = IngestOptions()
        options.progress = false
        options.policy.baseDelay = 0.01
        options.policy.maxDelay = 0.1
        // Every fault at once revokes tokens often while eight units share them: allow more renewals.
        options.policy.maxRenewals = 8
        options.timeoutSeconds = 5
        options.limits.maxRecords = 7
        // The simulators keep no rolling window unless a test asks for one.
        options.requestsPerWindow = 1_000_000
        return options
    }
}

/// A raw page line, decoded.
struct RawPage {
    var meta: [String: Any]
    var body: Any
    var path: String

    var scope: String { meta["scope"] as! String }
    var dataset: String { meta["dataset"] as! String }
    var page: Int { meta["page"] as! Int }

    func records(at path: String?) -> [[String: Any]] {
        let value = path.map { JSONPath($0).steps.reduce(Optional(body)) { node, step in
            switch step {
            case let .key(key): return (node as? [String: Any])?[key]
            case let .index(i): return (node as? [Any]).flatMap { i < $0.count ? $0[i] : nil }
            case .each: return (node as? [Any])?.first
            }
        } } ?? body
        if path == nil, let one = value as? [String: Any] { return [one] }
        return (value as? [[String: Any]]) ?? []
    }
}

extension TempLake {
    func rawPages() throws -> [RawPage] {
        try files(under: "raw").flatMap { path in
            try GzipReader.lines(path: root.absolute(path)).map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                return RawPage(meta: object["_meta"] as! [String: Any], body: object["body"]!, path: path)
            }
        }
    }

    /// Every byte under the root, gzip files decompressed, as one searchable text.
    func everythingWritten() throws -> String {
        try FileSystem.files(under: root.path).map { path -> String in
            let bytes = try FileSystem.readFile(path)
            if path.hasSuffix(".gz") { return String(decoding: try GzipReader.decompress(bytes), as: UTF8.self) }
            return String(decoding: bytes, as: UTF8.self)
        }.joined(separator: "\n")
    }
}
