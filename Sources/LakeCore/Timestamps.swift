import Foundation

/// UTC timestamps as lake writes them: ISO 8601 with milliseconds and `Z`.
public enum Timestamps {
    public static func iso(_ date: Date = Date()) -> String {
        iso(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// `iso` for milliseconds since 1970; hot in stream ingestion, so digits are written by
    /// hand rather than through String(format:).
    public static func iso(milliseconds: Int64) -> String {
        var t = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let millis = Int(milliseconds - Int64(t) * 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                out[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 0, 4); out[4] = 45
        put(Int(parts.tm_mon) + 1, 5, 2); out[7] = 45
        put(Int(parts.tm_mday), 8, 2); out[10] = 84
        put(Int(parts.tm_hour), 11, 2); out[13] = 58
        put(Int(parts.tm_min), 14, 2); out[16] = 58
        put(Int(parts.tm_sec), 17, 2); out[19] = 46
        put(millis, 20, 3); out[23] = 90
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DD` of the UTC day.
    public static func day(_ date: Date = Date()) -> String { String(iso(date).prefix(10)) }

    /// `20261124T183000Z`, for sortable file names.
    public static func compact(_ date: Date = Date()) -> String {
        let s = iso(date)
        return String(s.prefix(19)).replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: ":", with: "") + "Z"
    }

    /// Parses what `iso` writes (and ISO 8601 without fractions).
    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

/// A batch id: sortable by time, unique across processes.
public enum BatchID {
    public static func make(_ date: Date = Date()) -> String {
        let random = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "\(Timestamps.compact(date))-\(random)"
    }
}
