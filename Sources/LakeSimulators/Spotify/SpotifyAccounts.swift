import Crypto
import Foundation
import LakeCore

/// Spotify's accounts service as documented for apps: `POST /api/token` with the client
/// credentials, authorization code (with PKCE, RFC 7636 S256) and refresh token grants, and
/// `GET /authorize`, which here approves at once for the one simulated user and redirects to
/// the app's loopback `redirect_uri` with the code and the state.
final class SpotifyAccounts: @unchecked Sendable {
    struct Grant {
        var user: String?
        var scopes: Set<String>
        var expires: Date
    }

    private struct Code {
        var clientID: String
        var redirectURI: String
        var challenge: String
        var scopes: Set<String>
        var expires: Date
    }

    private let lock = NSLockLike()
    private var tokens: [String: Grant] = [:]
    private var codes: [String: Code] = [:]
    /// Live refresh tokens and their scopes; a refresh rotates the token, and the old one stops working.
    private var refreshTokens: [String: Set<String>] = [:]
    private(set) var issued: [String] = []
    let tokenLifetime: () -> Int

    init(tokenLifetime: @escaping () -> Int) { self.tokenLifetime = tokenLifetime }

    /// Every access and refresh token issued so far, so tests can prove none was written anywhere.
    var everIssued: [String] { lock.withLock { issued } }

    func grant(for token: String) -> Grant? { lock.withLock { tokens[token] } }

    func revoke(_ token: String) { lock.withLock { _ = tokens.removeValue(forKey: token) } }

    /// Revokes every refresh token, as a user removing the app's access does.
    func revokeRefreshTokens() { lock.withLock { refreshTokens.removeAll() } }

    /// `GET /authorize`: the query's problems as Spotify words them, or the redirect.
    func authorize(_ query: [String: String]) -> (status: Int, location: String?, body: String) {
        guard query["client_id"] == SpotifySimulator.clientID else {
            return (400, nil, "INVALID_CLIENT: Invalid client")
        }
        guard query["response_type"] == "code" else { return (400, nil, "unsupported_response_type") }
        guard let redirect = query["redirect_uri"], let url = URLComponents(string: redirect),
              url.scheme == "http" ? ["127.0.0.1", "[::1]", "::1"].contains(url.host ?? "") : url.scheme == "https"
        else {
            // Since 2025 Spotify takes HTTPS, or a loopback IP literal over HTTP; never "localhost".
            return (400, nil, "INVALID_CLIENT: Invalid redirect URI")
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"], challenge.count >= 43 else {
            return (400, nil, "invalid_request: code_challenge_method must be S256 with a code_challenge")
        }
        let scopes = Set((query["scope"] ?? "").split(separator: " ").map(String.init))
        let code = Self.random(48)
        lock.withLock {
            codes[code] = Code(clientID: SpotifySimulator.clientID, redirectURI: redirect, challenge: challenge,
                               scopes: scopes, expires: Date().addingTimeInterval(600))
        }
        var target = url
        var items = target.queryItems ?? []
        items.append(URLQueryItem(name: "code", value: code))
        if let state = query["state"] { items.append(URLQueryItem(name: "state", value: state)) }
        target.queryItems = items
        return (302, target.string, "")
    }

    /// `POST /api/token`: the JSON answer and its status.
    func token(form: [String: String], authorization: String?) -> (status: Int, body: String) {
        let basic = "Basic " + Data("\(SpotifySimulator.clientID):\(SpotifySimulator.clientSecret)".utf8).base64EncodedString()
        let confidential = authorization == basic
            || (form["client_id"] == SpotifySimulator.clientID && form["client_secret"] == SpotifySimulator.clientSecret)
        let known = confidential || form["client_id"] == SpotifySimulator.clientID
        func error(_ code: String, _ description: String) -> (Int, String) {
            (400, JSONValue.object([("error", .string(code)), ("error_description", .string(description))]).serialized())
        }
        switch form["grant_type"] {
        case "client_credentials":
            guard confidential else { return error("invalid_client", "Invalid client") }
            return (200, issue(user: nil, scopes: [], refresh: false))
        case "authorization_code":
            guard known else { return error("invalid_client", "Invalid client") }
            let code = lock.withLock { codes.removeValue(forKey: form["code"] ?? "") }
            guard let code, code.expires > Date() else { return error("invalid_grant", "Invalid authorization code") }
            guard form["redirect_uri"] == code.redirectURI else { return error("invalid_grant", "Invalid redirect URI") }
            guard let verifier = form["code_verifier"], Self.challenge(verifier) == code.challenge else {
                return error("invalid_grant", "code_verifier was incorrect")
            }
            return (200, issue(user: SpotifyCatalogue.userID, scopes: code.scopes, refresh: true))
        case "refresh_token":
            guard known else { return error("invalid_client", "Invalid client") }
            let scopes = lock.withLock { refreshTokens.removeValue(forKey: form["refresh_token"] ?? "") }
            guard let scopes else { return error("invalid_grant", "Refresh token revoked") }
            return (200, issue(user: SpotifyCatalogue.userID, scopes: scopes, refresh: true))
        default:
            return error("unsupported_grant_type", "grant_type parameter is missing")
        }
    }

    private func issue(user: String?, scopes: Set<String>, refresh: Bool) -> String {
        let token = "BQ" + Self.random(40)
        let refreshToken = refresh ? "AQ" + Self.random(60) : nil
        let lifetime = tokenLifetime()
        lock.withLock {
            tokens[token] = Grant(user: user, scopes: scopes, expires: Date().addingTimeInterval(Double(lifetime)))
            issued.append(token)
            if let refreshToken {
                refreshTokens[refreshToken] = scopes
                issued.append(refreshToken)
            }
        }
        var pairs: [(String, JSONValue)] = [("access_token", .string(token)), ("token_type", "Bearer"),
                                             ("expires_in", .int(lifetime))]
        if let refreshToken {
            pairs += [("refresh_token", .string(refreshToken)), ("scope", .string(scopes.sorted().joined(separator: " ")))]
        }
        return JSONValue.object(pairs).serialized()
    }

    /// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), without padding.
    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func random(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
