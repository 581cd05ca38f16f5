import Foundation
import LakeCore

/// The world the Spotify simulator serves, deterministic from a seed: artists, albums with
/// their tracks and the markets each is available in, one signed-in user's playlists and
/// listening history, and per market the views the endpoints page through (new albums for
/// `tag:new`, and the Extended Quota browse lists).
public final class SpotifyCatalogue: @unchecked Sendable {
    public struct Artist: Sendable {
        public var id: String
        public var name: String
        public var genres: [String]
        public var followers: Int
        public var popularity: Int
    }

    public struct Album: Sendable {
        public var id: String
        public var name: String
        public var artists: [Int]
        public var type: String
        public var releaseDate: String
        public var tracks: [Int]
        /// Markets are kept as a rule, not a list, so any ISO code works: an album is
        /// unavailable in a market when this salt says so.
        var marketSalt: UInt64
    }

    public struct Track: Sendable {
        public var id: String
        public var name: String
        public var artists: [Int]
        public var album: Int
        public var number: Int
        public var durationMs: Int
        public var explicit: Bool
        public var popularity: Int
        public var genre: String
        public var year: Int
    }

    public struct Playlist: Sendable {
        public var id: String
        public var name: String
        public var owner: String
        public var collaborative: Bool
        /// (track, added_at)
        public var items: [(track: Int, addedAt: String)]
    }

    public struct Market: Sendable {
        /// Albums released in the two weeks before the catalogue's day, newest first.
        public var newAlbums: [Int]
        /// Extended Quota's browse lists.
        public var newReleases: [Int]
        public var featured: [Playlist]
        public var categories: [(id: String, name: String)]
        /// Track ids listeners of this market play most: the new albums' and the featured ones'.
        public var listenedTrackIDs: [String]
    }

    public static let userID = "lake-demo-user"
    public static let genres = ["pop", "latin", "hip-hop", "rock", "indie", "electronic", "k-pop", "jazz", "metal", "folk"]

    public let seed: UInt64
    public let scale: Double
    /// The catalogue's "today": new albums are the ones released in the 14 days before it.
    public let today: Date
    public private(set) var artists: [Artist] = []
    public private(set) var albums: [Album] = []
    public private(set) var tracks: [Track] = []
    public private(set) var playlists: [Playlist] = []
    /// The user's listening history, newest first: (track, played_at in ms since 1970).
    public private(set) var plays: [(track: Int, at: Int64)] = []
    private var markets: [String: Market] = [:]
    private let lock = NSLockLike()
    var baseURL = "https://api.spotify.com/v1"

    static let words = ["Midnight", "Echo", "Summer", "Neon", "River", "Gold", "Paper", "Wild", "Blue", "Fire",
                        "Glass", "Velvet", "Ocean", "Storm", "Silver", "Dream", "Stone", "Heart", "City", "Light",
                        "Café", "Sørlandet", "Ñandú", "Björk", "東京", "\"Quoted\"", "Back\\slash", "Ünïcødé", "São", "Kraków"]

    public init(seed: UInt64, scale: Double, today: Date = Date()) {
        self.seed = seed
        self.scale = scale
        self.today = today
        var rng = SeededRandom(seed: seed, "world")
        func name(_ words: Int) -> String {
            (0..<words).map { _ in Self.words[Int(rng.next() % UInt64(Self.words.count))] }.joined(separator: " ")
        }
        func day(_ date: Date) -> String { String(Timestamps.iso(date).prefix(10)) }
        for _ in 0..<max(20, Int(300 * scale)) {
            let genre = Self.genres[rng.skewed(Self.genres.count)]
            artists.append(Artist(id: rng.spotifyID(), name: name(2), genres: [genre],
                                  followers: Int(rng.next() % 5_000_000), popularity: Int(rng.next() % 101)))
        }
        let albumCount = max(30, Int(400 * scale))
        for a in 0..<albumCount {
            var credited = [rng.skewed(artists.count)]
            if rng.next() % 5 == 0 { credited.append(Int(rng.next() % UInt64(artists.count))) }
            // A third of the albums came out in the last two weeks: the tag:new ones.
            let released = rng.next() % 3 == 0
                ? today.addingTimeInterval(-Double(rng.next() % 14) * 86_400)
                : today.addingTimeInterval(-Double(30 + rng.next() % 900) * 86_400)
            let type = ["album", "single", "compilation"][Int(rng.next() % 10) < 6 ? 0 : (rng.next() % 4 == 0 ? 2 : 1)]
            let count = type == "single" ? 1 + Int(rng.next() % 3) : 6 + Int(rng.next() % 9)
            var trackIndices: [Int] = []
            let artist = artists[credited[0]]
            for number in 1...count {
                trackIndices.append(tracks.count)
                tracks.append(Track(id: rng.spotifyID(), name: name(2), artists: credited, album: a, number: number,
                                    durationMs: 120_000 + Int(rng.next() % 180_000), explicit: rng.next() % 7 == 0,
                                    popularity: Int(rng.next() % 101), genre: artist.genres[0],
                                    year: Int(day(released).prefix(4)) ?? 2026))
            }
            albums.append(Album(id: rng.spotifyID(), name: name(3), artists: credited, type: type,
                                releaseDate: day(released), tracks: trackIndices, marketSalt: rng.next()))
        }
        // The signed-in user: own playlists, collaborative ones, and followed ones of others
        // (Spotify's editorial ids start 37i9dQZF1).
        for p in 0..<9 {
            let owner = p < 5 ? Self.userID : (p < 7 ? "friend\(p)" : "spotify")
            let id = owner == "spotify" ? "37i9dQZF1" + String(rng.spotifyID().prefix(13)) : rng.spotifyID()
            var items: [(Int, String)] = []
            for position in 0..<(5 + Int(rng.next() % UInt64(max(6, Int(60 * min(scale, 2))))) ) {
                items.append((rng.skewed(tracks.count), "2026-\(10 + position % 2)-\(10 + position % 18)T\(10 + position % 12):00:00Z"))
            }
            playlists.append(Playlist(id: id, name: "\(Self.words[p % Self.words.count]) mix \(p + 1)", owner: owner,
                                      collaborative: p == 5, items: items))
        }
        let now = Int64(today.timeIntervalSince1970 * 1000)
        for i in 0..<50 { plays.append((rng.skewed(tracks.count), now - Int64(i) * 7 * 60_000 - Int64(rng.next() % 60_000))) }
    }

    /// Whether an album can be played in a market (about nine in ten are).
    public func available(_ album: Int, in market: String) -> Bool {
        var hash = albums[album].marketSalt
        for byte in market.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash % 10 != 0
    }

    /// Albums released in the two weeks before `today`.
    public func isNew(_ album: Int) -> Bool {
        guard let date = Timestamps.parse(albums[album].releaseDate + "T00:00:00Z") else { return false }
        return today.timeIntervalSince(date) < 14 * 86_400
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

    /// Adds plays to the user's history, as if they listened just now.
    public func play(_ count: Int) {
        lock.withLock {
            var rng = SeededRandom(seed: seed, "plays-\(plays.count)")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for i in 0..<count { plays.insert((rng.skewed(tracks.count), now - Int64(count - 1 - i) * 1000), at: 0) }
            if plays.count > 50 { plays.removeLast(plays.count - 50) }
        }
    }

    /// How many items each dataset can land in `code`, for exactly-once checks.
    public func totals(_ code: String) -> JSONValue {
        let m = market(code)
        let landable = Array(m.newAlbums.prefix(1000))
        let artistIDs = Set(landable.flatMap { albums[$0].artists })
        return .object([
            ("new_albums", .int(landable.count)),
            ("new_albums_total", .int(m.newAlbums.count)),
            ("album_tracks", .int(landable.reduce(0) { $0 + albums[$1].tracks.count })),
            ("artists", .int(artistIDs.count)),
            ("new_releases", .int(m.newReleases.count)),
            ("featured_playlists", .int(m.featured.count)),
            ("categories", .int(m.categories.count)),
            ("playlist_tracks", .int(m.featured.reduce(0) { $0 + $1.items.count })),
            ("playlists", .object(m.featured.map { ($0.id, .int($0.items.count)) })),
        ])
    }

    /// What the signed-in user's datasets hold.
    public var userTotals: JSONValue {
        lock.withLock {
            let readable = playlists.filter { $0.owner == Self.userID || $0.collaborative }
            return .object([
                ("my_playlists", .int(playlists.count)),
                ("playlist_items", .int(readable.reduce(0) { $0 + $1.items.count })),
                ("readable_playlists", .int(readable.count)),
                ("recently_played", .int(plays.count)),
            ])
        }
    }

    var userPlays: [(track: Int, at: Int64)] { lock.withLock { plays } }

    private func build(_ code: String) -> Market {
        var rng = SeededRandom(seed: seed, "market-\(code)")
        let fresh = albums.indices.filter { isNew($0) && available($0, in: code) }
            .sorted { (albums[$0].releaseDate, albums[$0].id) > (albums[$1].releaseDate, albums[$1].id) }
        let releases = Int(Double(20 + Int(rng.next() % 81)) * scale).clamped(1, albums.count)
        let newReleases = (0..<releases).map { ($0 * 7 + Int(rng.next() % 5)) % albums.count }
        var featured: [Playlist] = []
        var listened = fresh.flatMap { albums[$0].tracks.map { tracks[$0].id } }
        for p in 0..<max(1, Int(Double(4 + Int(rng.next() % 9)) * scale)) {
            let count = Int(Double(20 + Int(rng.next() % 231)) * max(scale, 0.2))
            var items: [(Int, String)] = []
            for position in 0..<count {
                let track = rng.skewed(tracks.count)
                items.append((track, "2026-\(10 + position % 2)-\(10 + position % 18)T\(10 + position % 12):00:00Z"))
                listened.append(tracks[track].id)
            }
            featured.append(Playlist(id: "37i9dQZF1" + String(rng.spotifyID().prefix(13)),
                                     name: "\(code) Hits \(p + 1): \(Self.words[p % Self.words.count])", owner: "spotify",
                                     collaborative: false, items: items))
        }
        let categories = (0..<max(5, Int(Double(20 + Int(rng.next() % 41)) * min(scale, 1)))).map {
            ("cat\($0)\(code.lowercased())", "\(Self.words[$0 % Self.words.count]) \($0)")
        }
        return Market(newAlbums: fresh, newReleases: newReleases, featured: featured, categories: categories,
                      listenedTrackIDs: listened)
    }
}

extension Int {
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.max(low, Swift.min(high, self)) }
}

/// NSLock with a closure helper that returns a value.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
