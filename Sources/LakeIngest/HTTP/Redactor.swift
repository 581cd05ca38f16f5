import Foundation

/// Removes credentials from anything lake writes or prints: URLs, page bodies, messages.
///
/// Authenticators register their secrets here (a fetched access token as soon as it
/// arrives), and the query parameters that carry credentials.
public final class Redactor: @unchecked Sendable {
    public static let mask = "REDACTED"
    private let lock = NSLock()
    private var secrets: [[UInt8]] = []
    private var secretParams: Set<String> = []

    public init() {}

    public func addSecret(_ secret: String) {
        guard secret.utf8.count >= 4 else { return }
        lock.lock(); defer { lock.unlock() }
        let bytes = Array(secret.utf8)
        if !secrets.contains(bytes) { secrets.append(bytes) }
        // The same secret as it appears percent-encoded in a URL.
        if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
            secrets.append(Array(encoded.utf8))
        }
    }

    public func addSecretParameter(_ name: String) {
        lock.lock(); defer { lock.unlock() }
        secretParams.insert(name)
    }

    /// A URL without credential parameters and with any secret masked.
    public func url(_ url: String) -> String {
        lock.lock()
        let params = secretParams
        lock.unlock()
        var result = url
        if !params.isEmpty, var components = URLComponents(string: url), let items = components.queryItems {
            let kept = items.filter { !params.contains($0.name) }
            if kept.count != items.count {
                components.queryItems = kept.isEmpty ? nil : kept
                result = components.string ?? url
            }
        }
        return text(result)
    }

    public func text(_ text: String) -> String {
        String(decoding: bytes(Array(text.utf8)), as: UTF8.self)
    }

    /// The bytes with every secret replaced by the mask.
    public func bytes(_ input: [UInt8]) -> [UInt8] {
        lock.lock()
        let secrets = self.secrets
        lock.unlock()
        var output = input
        for secret in secrets where output.count >= secret.count {
            output = Self.replace(secret, in: output)
        }
        return output
    }

    private static func replace(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        let mask = Array(Redactor.mask.utf8)
        var result: [UInt8] = []
        var copied = 0
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                while copied <= hay.count - pin.count,
                      let found = memmem(hay.baseAddress! + copied, hay.count - copied, pin.baseAddress!, pin.count) {
                    let offset = hay.baseAddress!.distance(to: UnsafeRawPointer(found))
                    if result.isEmpty { result.reserveCapacity(hay.count) }
                    result.append(contentsOf: hay[copied..<offset])
                    result.append(contentsOf: mask)
                    copied = offset + pin.count
                }
            }
        }
        if copied == 0 { return haystack }
        result.append(contentsOf: haystack[copied...])
        return result
    }
}

/// glibc's memmem (a GNU extension the Glibc module does not export): a fast substring search.
@_silgen_name("memmem")
private func memmem(_ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer,
                    _ needleLength: Int) -> UnsafeMutableRawPointer?
