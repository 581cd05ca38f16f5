import LakeCore

/// The world the simulator serves: artists, albums and tracks, and per market its new
/// releases, featured playlists (with their tracks) and categories. Deterministic from a
/// seed; items are rendered to JSON once.
public final class SpotifyCatalogue: @unchecked Sendable {
    public struct Track: Sendable {
        public var id: String
        public var name: String
        public var artistIndex: Int
        public var albumIndex: Int
        public var durationMs: Int
        public var popularity: Int
    }

    public struct Market: Sendable {
        public var newReleases: [String]
        public var featured: [(id: String, json: String)]
        public var playlistTracks: [String: [String]]
        public var categories: [String]
        /// Track ids across the market's featured playlists, with repeats (popular tracks recur).
        public var playlistTrackIDs: [String]
    }

    public let seed: UInt64
    public let scale: Double
    public private(set) var artists: [(id: String, name: String)] = []
    public private(set) var albums: [(id: String, name: String, artist: Int, date: String)] = []
    public private(set) var tracks: [Track] = []
    private var markets: [String: Market] = [:]
    private let lock = NSLockLike()
    var baseURL = "https://api.spotify.com/v1"

    static let words = ["Midnight", "Echo", "Summer", "Neon", "River", "Gold", "Paper", "Wild", "Blue", "Fire",
                        "Glass", "Velvet", "Ocean", "Storm", "Silver", "Dream", "Stone", "Heart", "City", "Light",
                        "Café", "Sørlandet", "Ñandú", "Björk", "東京", "\"Quoted\"", "Back\\slash", "Ünïcødé", "São", "Kraków"]

    public init(seed: UInt64, scale: Double) {
        self.seed = seed
        self.scale = scale
        var rng = SeededRandom(seed: seed, "world")
        func name(_ words: Int) -> String {
            (0..<words).map { _ in Self.words[Int(rng.next() % UInt64(Self.words.count))] }.joined(separator: " ")
        }
        for _ in 0..<max(20, Int(300 * scale)) { artists.append((rng.spotifyID(), name(2))) }
        for _ in 0..<max(30, Int(400 * scale)) {
            let day = 1 + Int(rng.next() % 28), month = 1 + Int(rng.next() % 12)
            albums.append((rng.spotifyID(), name(3), Int(rng.next() % UInt64(artists.count)),
                           "202\(4 + Int(rng.next() % 2))-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"))
        }
        for _ in 0..<max(100, Int(2000 * scale)) {
            let album = Int(rng.next() % UInt64(albums.count))
            tracks.append(Track(id: rng.spotifyID(), name: name(2), artistIndex: albums[album].artist,
                                albumIndex: album, durationMs: 120_000 + Int(rng.next() % 180_000),
                                popularity: Int(rng.next() % 101)))
        }
    }

    /// The market's lists, built on first use.
    public func market(_ code: String) -> Market {
        lock.withLock {
            if let market = markets[code] { return market }
            let market = build(code)
            markets[code] = market
            return market
        }
    }

    /// How many items each endpoint serves in `code`.
    public func totals(_ code: String) -> JSONValue {
        let m = market(code)
        return .object([
            ("new_releases", .int(m.newReleases.count)),
            ("featured_playlists", .int(m.featured.count)),
            ("categories", .int(m.categories.count)),
            ("playlist_tracks", .int(m.playlistTracks.values.reduce(0) { $0 + $1.count })),
            ("playlists", .object(m.featured.map { ($0.id, .int(m.playlistTracks[$0.id]?.count ?? 0)) })),
        ])
    }

    private func build(_ code: String) -> Market {
        var rng = SeededRandom(seed: seed, "market-\(code)")
        let releases = Int(Double(20 + Int(rng.next() % 81)) * scale).clamped(1, albums.count)
        var newReleases: [String] = []
        for i in 0..<releases { newReleases.append(albumJSON((i * 7 + Int(rng.next() % 5)) % albums.count)) }
        var featured: [(String, String)] = []
        var playlistTracks: [String: [String]] = [:]
        var trackIDs: [String] = []
        for p in 0..<max(1, Int(Double(4 + Int(rng.next() % 9)) * scale)) {
            let id = rng.spotifyID()
            let count = Int(Double(20 + Int(rng.next() % 231)) * max(scale, 0.2))
            var items: [String] = []
            for position in 0..<count {
                let track = rng.skewed(tracks.count)
                let added = "2026-\(10 + position % 2)-\(10 + position % 18)T\(10 + position % 12):00:00Z"
                items.append(playlistTrackJSON(track, addedAt: added))
                trackIDs.append(tracks[track].id)
            }
            playlistTracks[id] = items
            featured.append((id, playlistJSON(id: id, name: "\(code) Hits \(p + 1): \(Self.words[p % Self.words.count])",
                                              tracks: count)))
        }
        var categories: [String] = []
        for c in 0..<max(5, Int(Double(20 + Int(rng.next() % 41)) * min(scale, 1))) {
            let id = "cat\(c)\(code.lowercased())"
            categories.append(JSONValue.object([
                ("href", .string("\(baseURL)/browse/categories/\(id)")),
                ("icons", .array([.object([("height", 274), ("url", .string("https://i.scdn.co/image/\(id)")), ("width", 274)])])),
                ("id", .string(id)), ("name", .string("\(Self.words[c % Self.words.count]) \(c)")),
            ]).serialized())
        }
        return Market(newReleases: newReleases, featured: featured, playlistTracks: playlistTracks, categories: categories,
                      playlistTrackIDs: trackIDs)
    }

    private func artistJSON(_ i: Int) -> JSONValue {
        let a = artists[i]
        return .object([
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/artist/\(a.id)"))])),
            ("href", .string("\(baseURL)/artists/\(a.id)")), ("id", .string(a.id)), ("name", .string(a.name)),
            ("type", "artist"), ("uri", .string("spotify:artist:\(a.id)")),
        ])
    }

    private func albumValue(_ i: Int) -> JSONValue {
        let album = albums[i]
        return .object([
            ("album_type", "album"), ("total_tracks", .int(8 + i % 9)), ("available_markets", .array(["SE", "US", "GB"])),
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/album/\(album.id)"))])),
            ("href", .string("\(baseURL)/albums/\(album.id)")), ("id", .string(album.id)),
            ("images", .array([.object([("url", .string("https://i.scdn.co/image/\(album.id)")), ("height", 640), ("width", 640)])])),
            ("name", .string(album.name)), ("release_date", .string(album.date)), ("release_date_precision", "day"),
            ("type", "album"), ("uri", .string("spotify:album:\(album.id)")), ("artists", .array([artistJSON(album.artist)])),
        ])
    }

    private func albumJSON(_ i: Int) -> String { albumValue(i).serialized() }

    private func playlistJSON(id: String, name: String, tracks: Int) -> String {
        JSONValue.object([
            ("collaborative", false), ("description", .string("The hottest tracks — \(name)")),
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/playlist/\(id)"))])),
            ("href", .string("\(baseURL)/playlists/\(id)")), ("id", .string(id)),
            ("images", .array([.object([("url", .string("https://i.scdn.co/image/\(id)")), ("height", .null), ("width", .null)])])),
            ("name", .string(name)),
            ("owner", .object([("display_name", "Spotify"), ("href", .string("\(baseURL)/users/spotify")), ("id", "spotify"),
                               ("type", "user"), ("uri", "spotify:user:spotify")])),
            ("public", true), ("snapshot_id", .string("MTY5\(id.prefix(8))")),
            ("tracks", .object([("href", .string("\(baseURL)/playlists/\(id)/tracks")), ("total", .int(tracks))])),
            ("type", "playlist"), ("uri", .string("spotify:playlist:\(id)")),
        ]).serialized()
    }

    private func playlistTrackJSON(_ i: Int, addedAt: String) -> String {
        let t = tracks[i]
        return JSONValue.object([
            ("added_at", .string(addedAt)),
            ("added_by", .object([("href", .string("\(baseURL)/users/spotify")), ("id", "spotify"), ("type", "user"),
                                  ("uri", "spotify:user:spotify")])),
            ("is_local", false),
            ("track", .object([
                ("album", albumValue(t.albumIndex)), ("artists", .array([artistJSON(t.artistIndex)])),
                ("disc_number", 1), ("duration_ms", .int(t.durationMs)), ("explicit", .bool(t.popularity % 7 == 0)),
                ("external_ids", .object([("isrc", .string("SE\(t.id.prefix(10).uppercased())"))])),
                ("href", .string("\(baseURL)/tracks/\(t.id)")), ("id", .string(t.id)), ("is_local", false),
                ("name", .string(t.name)), ("popularity", .int(t.popularity)), ("track_number", .int(1 + i % 12)),
                ("type", "track"), ("uri", .string("spotify:track:\(t.id)")),
            ])),
        ]).serialized()
    }
}

extension Int {
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.max(low, Swift.min(high, self)) }
}

import Foundation

/// NSLock with a closure helper that returns a value.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
