import Foundation
import LakeCore

/// `lake auth`: a user signs in with the authorization code flow and PKCE, and the refresh
/// token lands in the token store (mode 0600), outside the lake and its catalog.
///
/// 1. A listener takes a loopback port; the redirect URI is `http://127.0.0.1:<port>/callback`.
/// 2. The authorize URL carries the client id, the scopes, the S256 challenge and a random
///    state; `show` prints it (and may open a browser).
/// 3. The browser comes back with a code and the state; a state that differs is refused.
/// 4. The code and the verifier are traded for tokens; only the refresh token is kept.
public struct UserSignIn: Sendable {
    public let declaration: UserAuthDeclaration
    public let clientID: String
    public let clientSecret: String?
    public let store: TokenStore
    public var port = 0
    public var timeout = 300.0
    public var policy = RetryPolicy()

    public init(declaration: UserAuthDeclaration, environment: [String: String]) throws {
        guard let id = environment[declaration.clientIDEnv], !id.isEmpty else {
            throw IngestError.missingEnvironment(variable: declaration.clientIDEnv, purpose: "the app's client id, from the developer dashboard")
        }
        self.declaration = declaration
        clientID = id
        clientSecret = declaration.clientSecretEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        store = TokenStore(environment: environment)
    }

    /// What a sign-in saved.
    public struct Outcome: Sendable {
        public var path: String
        public var scope: String
        public var redirectURI: String
    }

    /// Runs the flow; `show` gets the URL to open.
    public func run(show: @Sendable (String) -> Void) async throws -> Outcome {
        let listener = try LoopbackRedirect(port: port)
        let pkce = PKCE()
        let state = PKCE.random(32)
        var url = URLComponents(string: declaration.authorizeURL)!
        url.queryItems = (url.queryItems ?? []) + [
            URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "redirect_uri", value: listener.redirectURI),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "code_challenge", value: pkce.challenge),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "scope", value: declaration.scopes.joined(separator: " ")),
        ]
        show(url.string!)
        let name = declaration.store
        let query = try await listener.awaitCallback(timeout: timeout) { query in
            if query["state"] != state { return (false, "This sign-in did not come from the lake command waiting for it (the state differs). Run it again.") }
            if let error = query["error"] { return (false, "Sign-in refused: \(error). You can close this tab.") }
            return (true, "Signed in to lake. You can close this tab.")
        }
        guard query["state"] == state else {
            throw IngestError.signIn(store: name, problem: "the redirect's state does not match the one sent, so it is not this sign-in's answer; nothing was saved — run `lake auth \(name)` again")
        }
        if let error = query["error"] {
            throw IngestError.signIn(store: name, problem: "the sign-in was refused (\(error)); nothing was saved")
        }
        guard let code = query["code"], !code.isEmpty else {
            throw IngestError.signIn(store: name, problem: "the redirect carried no code; nothing was saved")
        }
        let transport = HTTPTransport(timeoutSeconds: 30)
        defer { Task { await transport.shutdown() } }
        let redactor = Redactor()
        redactor.addSecret(code)
        let endpoint = TokenEndpoint(url: declaration.tokenURL, transport: transport, policy: policy, redactor: redactor)
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", listener.redirectURI),
                    ("code_verifier", pkce.verifier)]
        if clientSecret == nil { form.append(("client_id", clientID)) }
        let answer: [String: Any]
        do {
            answer = try await endpoint.post(form: form, basic: clientSecret.map { (clientID, $0) })
        } catch let IngestError.tokenRefused(url, status, detail) {
            throw IngestError.signIn(store: name, problem: "\(url) refused the code (HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")); nothing was saved — run `lake auth \(name)` again")
        }
        guard let refresh = answer["refresh_token"] as? String, !refresh.isEmpty else {
            throw IngestError.signIn(store: name, problem: "the token endpoint gave no refresh token, so lake could not sign in again later; nothing was saved")
        }
        let scope = answer["scope"] as? String ?? declaration.scopes.joined(separator: " ")
        try store.save(name, TokenStore.Entry(clientID: clientID, refreshToken: refresh, scope: scope, tokenURL: declaration.tokenURL))
        return Outcome(path: store.path(name), scope: scope, redirectURI: listener.redirectURI)
    }
}
