/// SplitMix64: small, fast and the same on every machine, so a seed always yields the same
/// catalogue.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one named part of the world, independent of the others.
    public init(seed: UInt64, _ label: String) {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        state = seed ^ hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    /// A Spotify-style base-62 id of 22 characters.
    public mutating func spotifyID() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<22).map { _ in alphabet[Int(next() % 62)] })
    }

    /// An index in 0..<count where low indices are much likelier (a Zipf-like skew).
    public mutating func skewed(_ count: Int) -> Int {
        let u = Double(next() % 1_000_000) / 1_000_000
        return min(count - 1, Int(Double(count) * u * u * u))
    }
}
