import Foundation
import LakeCore

/// Where a user's sign-in is kept between runs: outside the lake and its catalog, like the
/// PII key, one file per sign-in with mode 0600 in a folder with mode 0700:
/// `$LAKE_TOKEN_DIR/<store>.json`, else `$XDG_CONFIG_HOME/lake/tokens/`, else
/// `~/.config/lake/tokens/`.
///
/// It holds the refresh token and the client id it was issued to; access tokens live in
/// memory only.
public struct TokenStore: Sendable {
    public let folder: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let dir = environment["LAKE_TOKEN_DIR"], !dir.isEmpty {
            folder = dir
        } else if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            folder = config + "/lake/tokens"
        } else {
            folder = (environment["HOME"] ?? NSHomeDirectory()) + "/.config/lake/tokens"
        }
    }

    /// A saved sign-in.
    public struct Entry: Sendable, Equatable {
        public var clientID: String
        public var refreshToken: String
        public var scope: String
        public var tokenURL: String
        public var savedAt: String

        public init(clientID: String, refreshToken: String, scope: String, tokenURL: String, savedAt: String = Timestamps.iso()) {
            self.clientID = clientID
            self.refreshToken = refreshToken
            self.scope = scope
            self.tokenURL = tokenURL
            self.savedAt = savedAt
        }
    }

    public func path(_ store: String) -> String { "\(folder)/\(store).json" }

    public func load(_ store: String) throws -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(store)) else { return nil }
        guard let value = try? JSONValue.parse(Array(data)), let id = value["client_id"]?.stringValue,
              let refresh = value["refresh_token"]?.stringValue else {
            throw IngestError.signIn(store: store, problem: "the saved sign-in \(path(store)) cannot be read: run `lake auth \(store)` again")
        }
        return Entry(clientID: id, refreshToken: refresh, scope: value["scope"]?.stringValue ?? "",
                     tokenURL: value["token_url"]?.stringValue ?? "", savedAt: value["saved_at"]?.stringValue ?? "")
    }

    /// Writes the entry whole (temp file, then rename), readable by its owner only.
    public func save(_ store: String, _ entry: Entry) throws {
        try FileSystem.makeDirectories(folder)
        chmod(folder, 0o700)
        let text = JSONValue.object([
            ("client_id", .string(entry.clientID)), ("refresh_token", .string(entry.refreshToken)),
            ("scope", .string(entry.scope)), ("token_url", .string(entry.tokenURL)), ("saved_at", .string(entry.savedAt)),
        ]).pretty() + "\n"
        let tmp = path(store) + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            throw IngestError.signIn(store: store, problem: "cannot write \(tmp) (\(String(cString: strerror(errno)))): check that folder")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, rename(tmp, path(store)) == 0 else {
            unlink(tmp)
            throw IngestError.signIn(store: store, problem: "cannot write \(path(store)): check that folder")
        }
    }

    public func remove(_ store: String) { unlink(path(store)) }
}

#if canImport(Glibc)
import Glibc
#endif
