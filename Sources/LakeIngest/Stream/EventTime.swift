/// The UTC day (`YYYY-MM-DD`) of an event's time field: an ISO 8601 date-time with `Z` or an
/// offset, a date, or a Unix time in seconds or milliseconds. Nil for anything else, so the
/// event lands in the default partition rather than a wrong one.
public enum EventTime {
    public static func utcDay(iso text: UnsafeRawBufferPointer) -> String? {
        let b = text
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var v = 0
            for i in at..<(at + count) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var minutes = 0
        if b.count > 10 {
            guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == 0x20,
                  let hour = digits(11, 2), b.count > 13, b[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
                  hour < 24, minute < 60 else { return nil }
            minutes = hour * 60 + minute
            // Seconds and fractions, then the zone.
            var i = 16
            while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == UInt8(ascii: ":") || b[i] == UInt8(ascii: ".") { i += 1 }
            if i < b.count {
                switch b[i] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"): break
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    guard let oh = digits(i + 1, 2) else { return nil }
                    let om = digits(i + 3, 2) ?? digits(i + 4, 2) ?? 0
                    let offset = oh * 60 + om
                    minutes += b[i] == UInt8(ascii: "+") ? -offset : offset
                default: return nil
                }
            }
        }
        var days = daysFromCivil(year, month, day)
        if minutes < 0 { days -= 1 } else if minutes >= 24 * 60 { days += 1 }
        return format(days)
    }

    /// Seconds or milliseconds since 1970 (values past year 5138 in seconds are read as ms).
    public static func utcDay(epoch value: Double) -> String? {
        guard value.isFinite, value >= 0 else { return nil }
        let seconds = value > 1e11 ? value / 1000 : value
        return format(Int((seconds / 86400).rounded(.down)))
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func format(_ days: Int) -> String {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}
