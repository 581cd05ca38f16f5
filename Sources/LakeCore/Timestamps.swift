import Foundation

/// UTC timestamps as lake writes them: ISO 8601 with milliseconds and `Z`.
public enum Timestamps {
    public static func iso(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(t)) * 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900,
                      Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                      Int(parts.tm_sec), min(millis, 999))
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
