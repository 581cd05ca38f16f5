import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the S256 method: a one-time secret (the
/// verifier) stays with lake, its SHA-256 (the challenge) goes with the authorize request,
/// and the token endpoint gives a code only to whoever shows the verifier.
public struct PKCE: Sendable {
    public let verifier: String
    public var challenge: String { Self.challenge(for: verifier) }

    /// A fresh verifier: 64 characters from RFC 7636's unreserved set (43 to 128 are allowed).
    public init() { verifier = Self.random(64) }

    public init(verifier: String) { self.verifier = verifier }

    /// BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), without padding (RFC 7636 §4.2).
    public static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Random characters from `[A-Za-z0-9-._~]`, from the system's secure generator.
    public static func random(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
