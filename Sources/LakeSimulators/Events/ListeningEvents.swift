import Foundation
import LakeCore

/// Listening events for the tracks and markets of the Spotify simulator's catalogue, as
/// NDJSON lines of about 200 bytes:
///
/// ```json
/// {"event_id":"42-17","user_id":"u0193","track_id":"…","region":"SE","played_at":"2026-11-24T18:03:11.250Z",
///  "ms_played":183201,"device":"mobile","session_id":"s42-88"}
/// ```
/// Popular tracks and big markets are much likelier (skewed); `lateRate` of the events were
/// played days ago (they land in their own day's folder); `malformedRate` of the lines are
/// broken (not JSON, or not an object), for quarantine. Deterministic from the seed and `start`.
public struct ListeningEvents: Sendable {
    public static let markets = ["US", "BR", "GB", "DE", "MX", "SE", "JP", "IN", "FR", "ES", "NL", "PL", "AU", "CA", "IT"]
    static let devices = ["mobile", "desktop", "web", "speaker", "car"]

    public let catalogue: SpotifyCatalogue
    public let seed: UInt64
    public var lateRate = 0.01
    public var malformedRate = 0.001
    /// Events are played up to a minute before this time (ms since 1970).
    public var start: Int64
    public var users = 5000

    public init(seed: UInt64 = 42, scale: Double = 1, start: Date = Date()) {
        catalogue = SpotifyCatalogue(seed: seed, scale: scale)
        self.seed = seed
        self.start = Int64(start.timeIntervalSince1970 * 1000)
    }

    /// Writes events `first..<first+count` as lines into `sink` in chunks.
    public func generate(from first: Int = 0, count: Int, chunk: Int = 4096, _ sink: ([UInt8]) throws -> Void) rethrows {
        var rng = SeededRandom(seed: seed, "events-\(first)")
        // Per market the tracks of its new albums and featured playlists, so the curated join finds names.
        let pools = Self.markets.map { catalogue.market($0).listenedTrackIDs }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunk * 240)
        var inChunk = 0
        for n in first..<(first + count) {
            let roll = Double(rng.next() % 1_000_000) / 1_000_000
            if roll < malformedRate {
                buffer += (n % 2 == 0 ? "{\"event_id\":\"\(seed)-\(n)\",\"user_id\":\"u1\",\"track" : "[\"\(seed)-\(n)\",\"not an object\"]").utf8
            } else {
                let market = rng.skewed(Self.markets.count)
                let pool = pools[market]
                let track = pool.isEmpty ? catalogue.tracks[rng.skewed(catalogue.tracks.count)].id : pool[rng.skewed(pool.count)]
                let late = roll < malformedRate + lateRate
                let played = start - Int64(rng.next() % 60_000) - (late ? Int64(1 + rng.next() % 3) * 86_400_000 : 0)
                let user = Int(rng.next() % UInt64(users))
                let line = "{\"event_id\":\"\(seed)-\(n)\",\"user_id\":\"u\(user)\",\"track_id\":\"\(track)\","
                    + "\"region\":\"\(Self.markets[market])\",\"played_at\":\"\(Timestamps.iso(Date(timeIntervalSince1970: Double(played) / 1000)))\","
                    + "\"ms_played\":\(30_000 + Int(rng.next() % 240_000)),\"device\":\"\(Self.devices[Int(rng.next() % 5)])\","
                    + "\"session_id\":\"s\(seed)-\(user)-\(n / 50)\"}"
                buffer += line.utf8
            }
            buffer.append(0x0A)
            inChunk += 1
            if inChunk == chunk {
                try sink(buffer)
                buffer.removeAll(keepingCapacity: true)
                inChunk = 0
            }
        }
        if !buffer.isEmpty { try sink(buffer) }
    }
}

