import Foundation

/// An access token kept until shortly before it lapses, fetched by one task at a time however
/// many requests want it, and dropped when the API refuses it.
actor TokenCache {
    private var token: String?
    private var expires = Date.distantPast
    private var inFlight: Task<(token: String, expires: Date), Error>?

    /// The current token, fetching one with `fetch` when there is none or it lapsed.
    func current(_ fetch: @escaping @Sendable () async throws -> (token: String, expires: Date)) async throws -> String {
        if let token, Date() < expires { return token }
        if let inFlight { return try await inFlight.value.0 }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        let (fresh, expiry) = try await task.value
        token = fresh
        expires = expiry
        return fresh
    }

    /// The API answered 401 to `request`: drop the token it carried, unless another task
    /// renewed it already.
    func drop(sentIn request: APIRequest) {
        if let token, request.headers["Authorization"] == "Bearer \(token)" { self.token = nil }
    }
}
