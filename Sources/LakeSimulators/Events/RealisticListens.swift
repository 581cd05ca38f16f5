import Foundation
import LakeCore

/// Listening events with the shape of a real listening log, for benchmarks: small, regular
/// data hides the costs that matter (a 3.6× gap once).
///
/// - 50,000 tracks (at `scale` 1) with Zipf-like popularity, and per market a share of local
///   hits drawn from the market's own ranking;
/// - 60 markets of skewed size; about a million users, each at home in one market;
/// - UUID event ids, 22-character base-62 ids for users, tracks, artists and albums;
/// - 11 fields and about 300 bytes an event, played over `days` days, in arrival order.
///
/// ```json
/// {"event_id":"6f1c…-…","user_id":"0Qx…","track_id":"7GhI…","artist_id":"…","album_id":"…","region":"SE",
///  "played_at":"2026-11-24T18:03:11.250Z","ms_played":183201,"device":"mobile","session_id":"…",
///  "context_uri":"spotify:playlist:…"}
/// ```
public struct RealisticListens: Sendable {
    public static let markets = [
        "US", "BR", "MX", "GB", "DE", "FR", "ES", "IT", "JP", "IN", "ID", "PH", "CA", "AU", "NL", "SE", "PL", "TR",
        "AR", "CL", "CO", "PE", "KR", "TW", "TH", "VN", "MY", "SG", "NZ", "ZA", "NG", "EG", "SA", "AE", "IL", "NO",
        "DK", "FI", "IE", "BE", "AT", "CH", "PT", "CZ", "RO", "HU", "GR", "UA", "KZ", "EC", "GT", "CR", "DO", "UY",
        "PY", "BO", "HN", "SV", "PA", "MA",
    ]
    static let devices = ["mobile", "mobile", "mobile", "desktop", "web", "speaker", "car", "mobile"]

    public let seed: UInt64
    public let tracks: Int
    public let users: Int
    public let days: Int
    /// The last day played (events run up to its end), as a UTC day number.
    public let lastDay: Int
    private let trackIDs: [String]
    private let artistOf: [Int32]
    private let albumOf: [Int32]
    private let artistIDs: [String]
    private let albumIDs: [String]
    /// Per market: its own ranking of tracks, for the local hits.
    private let localRankings: [[Int32]]
    /// Cumulative market weights (Zipf over the 60 markets).
    private let marketWeights: [Double]

    public init(seed: UInt64 = 7, scale: Double = 1, days: Int = 7, lastDay: Date = Date()) {
        self.seed = seed
        tracks = max(1000, Int(50_000 * scale))
        users = max(10_000, Int(1_000_000 * scale))
        self.days = days
        self.lastDay = Int(lastDay.timeIntervalSince1970 / 86_400)
        var rng = SeededRandom(seed: seed, "realistic-catalogue")
        let artists = max(200, tracks / 8)
        let albums = max(400, tracks / 4)
        artistIDs = (0..<artists).map { _ in rng.spotifyID() }
        albumIDs = (0..<albums).map { _ in rng.spotifyID() }
        trackIDs = (0..<tracks).map { _ in rng.spotifyID() }
        artistOf = (0..<tracks).map { _ in Int32(rng.next() % UInt64(artists)) }
        albumOf = (0..<tracks).map { _ in Int32(rng.next() % UInt64(albums)) }
        var rankings: [[Int32]] = []
        for m in Self.markets.indices {
            var local = SeededRandom(seed: seed, "market-\(m)")
            var order = (0..<Int32(tracks)).map { $0 }
            // Local charts share the global head loosely: shuffle within growing windows.
            var start = 0
            var width = 8
            while start < order.count {
                let end = min(order.count, start + width)
                for i in stride(from: end - 1, to: start, by: -1) {
                    order.swapAt(i, start + Int(local.next() % UInt64(i - start + 1)))
                }
                start = end
                width *= 2
            }
            rankings.append(order)
        }
        localRankings = rankings
        var cumulative: [Double] = []
        var sum = 0.0
        for rank in Self.markets.indices {
            sum += 1 / pow(Double(rank + 1), 1.1)
            cumulative.append(sum)
        }
        marketWeights = cumulative.map { $0 / sum }
    }

    /// A Zipf-like rank in 0..<count (exponent about 1): the head is hot, the tail long.
    @inline(__always)
    private func zipf(_ count: Int, _ rng: inout SeededRandom) -> Int {
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        return min(count - 1, Int(exp(u * log(Double(count) + 1))) - 1)
    }

    /// Writes events `first..<first+count` as NDJSON lines into `sink`, in chunks.
    public func generate(from first: Int = 0, count: Int, chunk: Int = 4096, _ sink: ([UInt8]) throws -> Void) rethrows {
        var rng = SeededRandom(seed: seed, "realistic-events-\(first)")
        let window = Double(days) * 86_400_000
        let start = Double(lastDay + 1) * 86_400_000 - window
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        let hex = Array("0123456789abcdef".utf8)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunk * 340)
        var inChunk = 0
        func id(_ value: UInt64, into out: inout [UInt8]) {
            var v = value
            for _ in 0..<22 { out.append(alphabet[Int(v % 62)]); v = v / 62 &+ (v &* 0x9E3779B97F4A7C15 >> 40) }
        }
        func append(_ s: String) { buffer.append(contentsOf: s.utf8) }
        for n in first..<(first + count) {
            // Market, then a user at home there, then a track: mostly the global chart, a third local hits.
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            var market = 0
            while market < marketWeights.count - 1, marketWeights[market] < u { market += 1 }
            let perMarket = max(1, users / Self.markets.count)
            let user = UInt64(market) &+ UInt64(Self.markets.count) &* (rng.next() % UInt64(perMarket))
            let rank = zipf(tracks, &rng)
            let track = rng.next() % 3 == 0 ? Int(localRankings[market][rank]) : rank
            // Played in arrival order over the window, a few minutes of jitter, 0.5% days late.
            var played = start + window * (Double(n - first) + 0.5) / Double(max(count, 1)) - Double(rng.next() % 300_000)
            if rng.next() % 200 == 0 { played -= Double(1 + rng.next() % 3) * 86_400_000 }
            let full = 120_000 + Int(rng.next() % 200_000)
            let ms = rng.next() % 4 == 0 ? Int(rng.next() % 30_000) : full
            append("{\"event_id\":\"")
            for k in 0..<32 {
                if k == 8 || k == 12 || k == 16 || k == 20 { buffer.append(0x2D) }
                buffer.append(hex[Int(rng.next() & 15)])
            }
            append("\",\"user_id\":\"")
            id(user &* 0x2545F4914F6CDD1D &+ seed, into: &buffer)
            append("\",\"track_id\":\"\(trackIDs[track])\",\"artist_id\":\"\(artistIDs[Int(artistOf[track])])\",")
            append("\"album_id\":\"\(albumIDs[Int(albumOf[track])])\",\"region\":\"\(Self.markets[market])\",")
            append("\"played_at\":\"\(Timestamps.iso(milliseconds: Int64(played)))\",\"ms_played\":\(ms),")
            append("\"device\":\"\(Self.devices[Int(rng.next() % UInt64(Self.devices.count))])\",\"session_id\":\"")
            id(user &+ UInt64(played / 1_800_000) &* 0x9E3779B97F4A7C15, into: &buffer)
            switch rng.next() % 4 {
            case 0: append("\",\"context_uri\":null}")
            case 1: append("\",\"context_uri\":\"spotify:album:\(albumIDs[Int(albumOf[track])])\"}")
            default:
                append("\",\"context_uri\":\"spotify:playlist:")
                id(UInt64(market) &* 977 &+ rng.next() % 40, into: &buffer)
                append("\"}")
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
