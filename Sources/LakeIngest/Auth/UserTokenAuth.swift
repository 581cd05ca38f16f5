import Foundation
import LakeCore

/// A user's sign-in (OAuth 2.0 authorization code with PKCE, saved by `lake auth`): the
/// refresh token from the token store is traded for access tokens as they lapse, and a
/// rotated refresh token is saved at once. Tokens never leave memory, the store and the
/// `Authorization` header.
public actor UserTokenAuth: Authenticator {
    let declaration: UserAuthDeclaration
    let endpoint: TokenEndpoint
    let clientID: String
    let clientSecret: String?
    let store: TokenStore
    private var entry: TokenStore.Entry
    private let cache = TokenCache()

    public init(declaration: UserAuthDeclaration, clientID: String, clientSecret: String?, store: TokenStore,
                transport: HTTPTransport, policy: RetryPolicy, redactor: Redactor) throws {
        guard let saved = try store.load(declaration.store) else {
            throw IngestError.signIn(store: declaration.store,
                                     problem: "no sign-in is saved (looked for \(store.path(declaration.store))): run `lake auth \(declaration.store)` first")
        }
        guard saved.clientID == clientID else {
            throw IngestError.signIn(store: declaration.store,
                                     problem: "the saved sign-in belongs to another client id than \(declaration.clientIDEnv) holds: run `lake auth \(declaration.store)` again")
        }
        self.declaration = declaration
        endpoint = TokenEndpoint(url: declaration.tokenURL, transport: transport, policy: policy, redactor: redactor)
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.store = store
        entry = saved
        redactor.addSecret(saved.refreshToken)
        if let clientSecret { redactor.addSecret(clientSecret) }
    }

    public func authorize(_ request: APIRequest) async throws -> APIRequest {
        var request = request
        request.headers["Authorization"] = "Bearer \(try await cache.current { try await self.refresh() })"
        return request
    }

    public func renew(after request: APIRequest) async -> Bool {
        await cache.drop(sentIn: request)
        return true
    }

    private func refresh() async throws -> (token: String, expires: Date) {
        var form = [("grant_type", "refresh_token"), ("refresh_token", entry.refreshToken)]
        if clientSecret == nil { form.append(("client_id", clientID)) }
        let answer: [String: Any]
        do {
            answer = try await endpoint.post(form: form, basic: clientSecret.map { (clientID, $0) })
        } catch let IngestError.tokenRefused(_, status, detail) {
            throw IngestError.signIn(
                store: declaration.store,
                problem: "the saved sign-in was refused (HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")); it was revoked or has expired: run `lake auth \(declaration.store)` to sign in again")
        }
        // PKCE clients get a new refresh token with each refresh; the old one stops working.
        if let rotated = answer["refresh_token"] as? String, !rotated.isEmpty, rotated != entry.refreshToken {
            entry.refreshToken = rotated
            entry.savedAt = Timestamps.iso()
            try store.save(declaration.store, entry)
        }
        return (answer["access_token"] as! String, TokenEndpoint.expiry(answer))
    }
}
