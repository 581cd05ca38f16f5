import Crypto
import Foundation
import LakeCore

/// The per-lake key that PII is masked with (HMAC-SHA256), kept outside the catalog and the
/// lake folder: `$LAKE_PII_KEY_FILE`, else `~/.config/lake/keys/<lake>.key`, where `<lake>` is
/// a hash of the lake root's path. Created (32 random bytes, hex, mode 0600) on first use.
///
/// The same key gives the same masked value for the same person on every run, so curated
/// tables still join and count distinct people; without the key the values cannot be
/// re-identified by hashing guesses. Back the key file up: a new key masks everyone anew.
public struct PIIKey: Sendable {
    public let path: String
    let key: SymmetricKey

    public static func path(for root: LakeRoot, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["LAKE_PII_KEY_FILE"], !explicit.isEmpty { return explicit }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let id = String(Checksum.sha256(Array(root.path.utf8)).prefix(16))
        return home + "/.config/lake/keys/" + id + ".key"
    }

    /// `shared`: a team lake, whose machines must all mask with one key; a key file is then
    /// created only where LAKE_PII_KEY_FILE names it, never as a new machine-local one.
    public static func load(for root: LakeRoot, shared: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PIIKey {
        let path = path(for: root, environment: environment)
        if !FileManager.default.fileExists(atPath: path) {
            if shared, environment["LAKE_PII_KEY_FILE"].map({ $0.isEmpty }) ?? true {
                throw TransformError.worker("masking PII on a team lake needs the team's key on every machine — "
                                            + "set LAKE_PII_KEY_FILE to the shared key file (32 random bytes as hex)")
            }
            try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let hex = bytes.map { String(format: "%02x", $0) }.joined() + "\n"
            guard FileManager.default.createFile(atPath: path, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw TransformError.worker("cannot create the PII key \(path): set LAKE_PII_KEY_FILE to a writable path")
            }
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TransformError.worker("cannot read the PII key \(path): check its permissions, or set LAKE_PII_KEY_FILE")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var chars = Array(trimmed.utf8)
        if chars.count % 2 == 0, chars.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }) {
            while chars.count >= 2 { bytes.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!); chars.removeFirst(2) }
        } else {
            bytes = Array(trimmed.utf8)
        }
        guard bytes.count >= 16 else { throw TransformError.worker("the PII key \(path) is shorter than 16 bytes: use 32 random bytes in hex") }
        return PIIKey(path: path, key: SymmetricKey(data: bytes))
    }

    /// HMAC-SHA256 of the value's UTF-8 text, as 64 lower-case hex digits.
    public func mask(_ value: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in mac { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
