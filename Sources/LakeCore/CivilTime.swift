/// Calendar arithmetic on days and microseconds since 1970 (UTC, proleptic Gregorian),
/// without Foundation: parsing RFC 3339 date-times and dates is hot in promotion.
public enum CivilTime {
    /// Days since 1970-01-01 for a civil date (Howard Hinnant's `days_from_civil`).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD` → days since 1970, or nil if it is not a valid date.
    public static func parseDate(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { parseDate($0) }
    }

    public static func parseDate(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        guard s.count == 10 else { return nil }
        let b = 0
        guard s[b + 4] == 45, s[b + 7] == 45,
              let y = digits(s, b, 4), let m = digits(s, b + 5, 2), let d = digits(s, b + 8, 2),
              (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        return days(year: y, month: m, day: d)
    }

    /// An RFC 3339 date-time (`2024-05-01T12:30:00Z`, `…T12:30:00.123456+02:00`; a space for
    /// `T` and lower-case `t`/`z` too) → microseconds since 1970 UTC. The offset is required,
    /// as JSON Schema's `date-time` format requires it; digits past microseconds are truncated.
    public static func parseTimestamp(_ bytes: ArraySlice<UInt8>) -> Int64? {
        bytes.withUnsafeBufferPointer { parseTimestamp($0) }
    }

    public static func parseTimestamp(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = s.count
        guard n >= 20 else { return nil }
        let b = 0
        guard let day = parseDate(UnsafeBufferPointer(rebasing: s[0..<10])) else { return nil }
        let t = s[b + 10]
        guard t == 84 || t == 116 || t == 32, s[b + 13] == 58, s[b + 16] == 58,
              let hh = digits(s, b + 11, 2), let mm = digits(s, b + 14, 2), let ss = digits(s, b + 17, 2),
              hh < 24, mm < 60, ss < 61 else { return nil }
        var i = b + 19
        let end = b + n
        var micros: Int64 = 0
        if i < end && s[i] == 46 {
            i += 1
            var places = 0
            while i < end, s[i] >= 48, s[i] <= 57 {
                if places < 6 { micros = micros * 10 + Int64(s[i] - 48) }
                places += 1
                i += 1
            }
            guard places > 0 else { return nil }
            if places < 6 { for _ in places..<6 { micros *= 10 } }
        }
        guard i < end else { return nil }
        var offset = 0
        if s[i] == 90 || s[i] == 122 {
            i += 1
        } else if s[i] == 43 || s[i] == 45 {
            // RFC 3339's +HH:MM, and the +HH and +HHMM that DuckDB and PostgreSQL print.
            guard let oh = i + 3 <= end ? digits(s, i + 1, 2) : nil, oh < 24 else { return nil }
            var om = 0
            switch end - i {
            case 3: break
            case 5: guard let m = digits(s, i + 3, 2) else { return nil }; om = m
            case 6: guard s[i + 3] == 58, let m = digits(s, i + 4, 2) else { return nil }; om = m
            default: return nil
            }
            guard om < 60 else { return nil }
            offset = (oh * 60 + om) * 60 * (s[i] == 45 ? -1 : 1)
            i = end
        } else {
            return nil
        }
        guard i == end else { return nil }
        let seconds = Int64(day) * 86_400 + Int64(hh * 3600 + mm * 60 + min(ss, 59)) - Int64(offset)
        return seconds * 1_000_000 + micros
    }

    @inline(__always)
    private static func digits(_ s: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        var v = 0
        for i in at..<(at + count) {
            let c = s[i]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// `YYYY-MM-DD`.
    public static func dateString(days: Int) -> String {
        let (y, m, d) = civil(days: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the fraction only when not zero.
    public static func timestampString(micros: Int64) -> String {
        let (secondsFloor, fraction) = micros >= 0 ? (micros / 1_000_000, micros % 1_000_000)
            : ((micros - 999_999) / 1_000_000, micros - ((micros - 999_999) / 1_000_000) * 1_000_000)
        let days = Int(secondsFloor >= 0 ? secondsFloor / 86_400 : (secondsFloor - 86_399) / 86_400)
        let secondOfDay = Int(secondsFloor - Int64(days) * 86_400)
        var s = dateString(days: days) + "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 { s += "." + pad(Int(fraction), 6) }
        return s + "Z"
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let text = String(v)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
