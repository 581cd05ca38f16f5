/// Spotify's Web API as a declared source: client credentials, Spotify paging objects
/// followed by their `next` links at each endpoint's largest `limit`, region = market.
///
/// - `new_releases`:       GET /browse/new-releases?country=M        → `albums.items`
/// - `featured_playlists`: GET /browse/featured-playlists?country=M  → `playlists.items`
/// - `categories`:         GET /browse/categories?country=M          → `categories.items`
/// - `playlist_tracks`:    GET /playlists/{id}/tracks?market=M, for every featured playlist
public enum SpotifySource {
    public static let apiBase = "https://api.spotify.com/v1"
    public static let tokenURL = "https://accounts.spotify.com/api/token"
    public static let datasets = ["new_releases", "featured_playlists", "playlist_tracks", "categories"]

    public static func declaration(markets: [String], datasets: [String] = datasets,
                                   apiBase: String = apiBase, tokenURL: String = tokenURL) -> SourceDeclaration {
        let all: [ResourceDeclaration] = [
            ResourceDeclaration(
                dataset: "new_releases", path: "browse/new-releases",
                params: [("country", "{region}"), ("limit", "50")], records: "albums.items",
                paginator: .jsonLink(next: "albums.next", hasMore: nil)),
            ResourceDeclaration(
                dataset: "featured_playlists", path: "browse/featured-playlists",
                params: [("country", "{region}"), ("limit", "50")], records: "playlists.items",
                paginator: .jsonLink(next: "playlists.next", hasMore: nil)),
            ResourceDeclaration(
                dataset: "categories", path: "browse/categories",
                params: [("country", "{region}"), ("limit", "50")], records: "categories.items",
                paginator: .jsonLink(next: "categories.next", hasMore: nil)),
            ResourceDeclaration(
                dataset: "playlist_tracks", path: "playlists/{parent}/tracks",
                params: [("market", "{region}"), ("limit", "100")], records: "items",
                paginator: .jsonLink(next: "next", hasMore: nil), parent: ParentLink(resource: "featured_playlists", field: "id")),
        ]
        return SourceDeclaration(
            source: "spotify", baseURL: apiBase,
            auth: .clientCredentials(tokenURL: tokenURL, clientIDEnv: "SPOTIFY_CLIENT_ID",
                                     clientSecretEnv: "SPOTIFY_CLIENT_SECRET", scope: nil),
            regions: markets.map { $0.uppercased() },
            resources: all.filter { datasets.contains($0.dataset) || $0.dataset == "featured_playlists" })
    }
}
