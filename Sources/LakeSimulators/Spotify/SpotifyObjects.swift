import LakeCore

/// Spotify's Web API objects as each app mode receives them. Development Mode objects lost
/// `popularity`, `available_markets` and `followers` in February 2026, a playlist item's
/// object is `item` (it was `track`), and a simplified playlist's `tracks` became `items`;
/// Extended Quota apps keep the older shapes. (`external_ids` stayed: the March 2026
/// changelog reverted its removal.)
struct SpotifyObjects {
    let catalogue: SpotifyCatalogue
    let mode: SpotifyAppMode
    let base: String

    var extended: Bool { mode == .extended }

    func simplifiedArtist(_ i: Int) -> JSONValue {
        let a = catalogue.artists[i]
        return .object([
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/artist/\(a.id)"))])),
            ("href", .string("\(base)/artists/\(a.id)")), ("id", .string(a.id)), ("name", .string(a.name)),
            ("type", "artist"), ("uri", .string("spotify:artist:\(a.id)")),
        ])
    }

    func artist(_ i: Int) -> JSONValue {
        let a = catalogue.artists[i]
        var pairs: [(String, JSONValue)] = [
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/artist/\(a.id)"))])),
        ]
        if extended { pairs.append(("followers", .object([("href", .null), ("total", .int(a.followers))]))) }
        pairs += [("genres", .array(a.genres.map(JSONValue.string))), ("href", .string("\(base)/artists/\(a.id)")),
                  ("id", .string(a.id)),
                  ("images", .array([.object([("url", .string("https://i.scdn.co/image/\(a.id)")), ("height", 640), ("width", 640)])])),
                  ("name", .string(a.name))]
        if extended { pairs.append(("popularity", .int(a.popularity))) }
        pairs += [("type", "artist"), ("uri", .string("spotify:artist:\(a.id)"))]
        return .object(pairs)
    }

    func simplifiedAlbum(_ i: Int) -> JSONValue {
        let album = catalogue.albums[i]
        var pairs: [(String, JSONValue)] = [("album_type", .string(album.type)), ("total_tracks", .int(album.tracks.count))]
        if extended { pairs.append(("available_markets", .array(["SE", "US", "GB", "DE", "BR", "JP"]))) }
        pairs += [
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/album/\(album.id)"))])),
            ("href", .string("\(base)/albums/\(album.id)")), ("id", .string(album.id)),
            ("images", .array([.object([("url", .string("https://i.scdn.co/image/\(album.id)")), ("height", 640), ("width", 640)])])),
            ("name", .string(album.name)), ("release_date", .string(album.releaseDate)), ("release_date_precision", "day"),
            ("type", "album"), ("uri", .string("spotify:album:\(album.id)")),
            ("artists", .array(album.artists.map(simplifiedArtist))),
        ]
        return .object(pairs)
    }

    /// A track as an album's track list gives it.
    func simplifiedTrack(_ i: Int) -> JSONValue {
        .object(trackPairs(i, full: false))
    }

    /// A full track: search results, playlist items, recently played.
    func track(_ i: Int) -> JSONValue {
        .object(trackPairs(i, full: true))
    }

    private func trackPairs(_ i: Int, full: Bool) -> [(String, JSONValue)] {
        let t = catalogue.tracks[i]
        var pairs: [(String, JSONValue)] = []
        if full { pairs.append(("album", simplifiedAlbum(t.album))) }
        pairs.append(("artists", .array(t.artists.map(simplifiedArtist))))
        if extended { pairs.append(("available_markets", .array(["SE", "US", "GB", "DE", "BR", "JP"]))) }
        pairs += [("disc_number", 1), ("duration_ms", .int(t.durationMs)), ("explicit", .bool(t.explicit))]
        if full { pairs.append(("external_ids", .object([("isrc", .string("SE\(t.id.prefix(10).uppercased())"))]))) }
        pairs += [("external_urls", .object([("spotify", .string("https://open.spotify.com/track/\(t.id)"))])),
                  ("href", .string("\(base)/tracks/\(t.id)")), ("id", .string(t.id)), ("is_local", false),
                  ("is_playable", true), ("name", .string(t.name))]
        if full, extended { pairs.append(("popularity", .int(t.popularity))) }
        pairs += [("preview_url", .null), ("track_number", .int(t.number)), ("type", "track"),
                  ("uri", .string("spotify:track:\(t.id)"))]
        return pairs
    }

    /// A playlist's entry: `item` on `/items`, `track` on the older `/tracks` (Extended only).
    func playlistItem(_ track: Int, addedAt: String, addedBy: String, key: String) -> JSONValue {
        .object([
            ("added_at", .string(addedAt)),
            ("added_by", .object([("external_urls", .object([("spotify", .string("https://open.spotify.com/user/\(addedBy)"))])),
                                  ("href", .string("\(base)/users/\(addedBy)")), ("id", .string(addedBy)), ("type", "user"),
                                  ("uri", .string("spotify:user:\(addedBy)"))])),
            ("is_local", false),
            (key, self.track(track)),
        ])
    }

    func simplifiedPlaylist(_ p: SpotifyCatalogue.Playlist) -> JSONValue {
        let summary = JSONValue.object([("href", .string("\(base)/playlists/\(p.id)/items")), ("total", .int(p.items.count))])
        return .object([
            ("collaborative", .bool(p.collaborative)), ("description", .string("Tracks for \(p.name)")),
            ("external_urls", .object([("spotify", .string("https://open.spotify.com/playlist/\(p.id)"))])),
            ("href", .string("\(base)/playlists/\(p.id)")), ("id", .string(p.id)),
            ("images", .array([.object([("url", .string("https://i.scdn.co/image/\(p.id)")), ("height", .null), ("width", .null)])])),
            (extended ? "tracks" : "items", summary),
            ("name", .string(p.name)),
            ("owner", .object([("display_name", .string(p.owner)), ("href", .string("\(base)/users/\(p.owner)")),
                               ("id", .string(p.owner)), ("type", "user"), ("uri", .string("spotify:user:\(p.owner)"))])),
            ("public", .bool(!p.collaborative)), ("snapshot_id", .string("MTY5\(p.id.prefix(8))")),
            ("type", "playlist"), ("uri", .string("spotify:playlist:\(p.id)")),
        ])
    }

    func category(_ c: (id: String, name: String)) -> JSONValue {
        .object([
            ("href", .string("\(base)/browse/categories/\(c.id)")),
            ("icons", .array([.object([("height", 274), ("url", .string("https://i.scdn.co/image/\(c.id)")), ("width", 274)])])),
            ("id", .string(c.id)), ("name", .string(c.name)),
        ])
    }

    func playHistory(_ play: (track: Int, at: Int64)) -> JSONValue {
        .object([
            ("track", track(play.track)),
            ("played_at", .string(Timestamps.iso(milliseconds: play.at))),
            ("context", .null),
        ])
    }
}

/// The two kinds of app Spotify registers: what new apps get, and what a registered business
/// with 250,000 monthly users can be granted.
public enum SpotifyAppMode: String, Sendable, CaseIterable {
    case development, extended
}
