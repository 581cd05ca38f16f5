import LakeCore

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
        var days = CivilTime.days(year: year, month: month, day: day)
        if minutes < 0 { days -= 1 } else if minutes >= 24 * 60 { days += 1 }
        return CivilTime.dateString(days: days)
    }

    /// Seconds or milliseconds since 1970 (values past year 5138 in seconds are read as ms).
    public static func utcDay(epoch value: Double) -> String? {
        guard value.isFinite, value >= 0 else { return nil }
        let seconds = value > 1e11 ? value / 1000 : value
        return CivilTime.dateString(days: Int((seconds / 86400).rounded(.down)))
    }
}
