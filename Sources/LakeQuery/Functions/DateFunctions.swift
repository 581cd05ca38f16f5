import Foundation
import LakeCore

/// Date and time functions, all in UTC. Days and microseconds are split with floor division
/// so that times before 1970 land on the right day.
enum DateFunctions {
    static let microsPerDay: Int64 = 86_400_000_000

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Microseconds of a DATE or TIMESTAMP value; nil for anything else.
    static func micros(_ v: Value) -> Int64? {
        switch v {
        case let .date(d): return d * microsPerDay
        case let .timestamp(t), let .timestamptz(t): return t
        case let .string(s): return Cast.parseTimestamp(s)
        default: return nil
        }
    }

    static func civil(_ micros: Int64) -> (year: Int, month: Int, day: Int, rest: Int64) {
        let days = floorDiv(micros, microsPerDay)
        let c = CivilTime.civil(days: Int(days))
        return (c.year, c.month, c.day, micros - days * microsPerDay)
    }

    static func part(_ part: String, _ micros: Int64) throws -> Int64 {
        let c = civil(micros)
        let days = floorDiv(micros, microsPerDay)
        switch part {
        case "year", "years", "y", "yr": return Int64(c.year)
        case "month", "months", "mon": return Int64(c.month)
        case "day", "days", "d", "dayofmonth": return Int64(c.day)
        case "hour", "hours", "h": return c.rest / 3_600_000_000
        case "minute", "minutes", "m", "min": return c.rest / 60_000_000 % 60
        case "second", "seconds", "s", "sec": return c.rest / 1_000_000 % 60
        case "millisecond", "milliseconds", "ms": return c.rest / 1000 % 60000
        case "microsecond", "microseconds", "us": return c.rest % 60_000_000
        case "quarter": return Int64((c.month - 1) / 3 + 1)
        case "dow", "dayofweek": return (floorDiv(days + 4, 1) % 7 + 7) % 7
        case "isodow": let d = ((days + 4) % 7 + 7) % 7; return d == 0 ? 7 : d
        case "doy", "dayofyear": return days - Int64(CivilTime.days(year: c.year, month: 1, day: 1)) + 1
        case "week", "weeks", "w", "weekofyear": return isoWeek(days)
        case "epoch": return floorDiv(micros, 1_000_000)
        case "decade": return Int64(c.year) / 10
        case "century": return (Int64(c.year) - 1) / 100 + 1
        default: throw QueryError.type("unknown date part '\(part)': use year, quarter, month, week, day, dayofweek, dayofyear, hour, minute, second or epoch")
        }
    }

    static func isoWeek(_ days: Int64) -> Int64 {
        let isoDow = ((days + 3) % 7 + 7) % 7 // Monday = 0
        let thursday = days - isoDow + 3
        let year = CivilTime.civil(days: Int(thursday)).year
        let jan1 = Int64(CivilTime.days(year: year, month: 1, day: 1))
        return (thursday - jan1) / 7 + 1
    }

    static func trunc(_ part: String, _ micros: Int64) throws -> Int64 {
        let c = civil(micros)
        let day = floorDiv(micros, microsPerDay) * microsPerDay
        switch part {
        case "year", "years", "yr", "y": return Int64(CivilTime.days(year: c.year, month: 1, day: 1)) * microsPerDay
        case "quarter": return Int64(CivilTime.days(year: c.year, month: (c.month - 1) / 3 * 3 + 1, day: 1)) * microsPerDay
        case "month", "months", "mon": return Int64(CivilTime.days(year: c.year, month: c.month, day: 1)) * microsPerDay
        case "week", "weeks", "w":
            let days = floorDiv(micros, microsPerDay)
            let isoDow = ((days + 3) % 7 + 7) % 7
            return (days - isoDow) * microsPerDay
        case "day", "days", "d": return day
        case "hour", "hours", "h": return floorDiv(micros, 3_600_000_000) * 3_600_000_000
        case "minute", "minutes", "m", "min": return floorDiv(micros, 60_000_000) * 60_000_000
        case "second", "seconds", "s", "sec": return floorDiv(micros, 1_000_000) * 1_000_000
        default: throw QueryError.type("unknown date part '\(part)' in date_trunc: use year, quarter, month, week, day, hour, minute or second")
        }
    }

    /// Adds an interval: months first (clamping the day to the month's end), then days, then time.
    static func add(_ micros: Int64, _ i: Interval, sign: Int64 = 1) throws -> Int64 {
        guard abs(i.months) < 120_000, abs(i.days) < 40_000_000, abs(micros) < 200_000 * 365 * microsPerDay else {
            throw QueryError.runtime("date arithmetic out of range")
        }
        var t = micros
        if i.months != 0 {
            let c = civil(t)
            let total = Int64(c.year) * 12 + Int64(c.month - 1) + sign * i.months
            let y = Int(floorDiv(total, 12)), m = Int(total - Int64(y) * 12) + 1
            let lastDay = CivilTime.civil(days: CivilTime.days(year: m == 12 ? y + 1 : y, month: m == 12 ? 1 : m + 1, day: 1) - 1).day
            t = Int64(CivilTime.days(year: y, month: m, day: min(c.day, lastDay))) * microsPerDay + c.rest
        }
        return t + sign * (i.days * microsPerDay + i.micros)
    }

    static func strftime(_ micros: Int64, _ format: String) -> String {
        let c = civil(micros)
        let days = floorDiv(micros, microsPerDay)
        var out = ""
        var chars = format.makeIterator()
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let dow = Int(((days + 4) % 7 + 7) % 7)
        while let ch = chars.next() {
            guard ch == "%", let f = chars.next() else { out.append(ch); continue }
            switch f {
            case "Y": out += String(format: "%04d", c.year)
            case "y": out += String(format: "%02d", c.year % 100)
            case "m": out += String(format: "%02d", c.month)
            case "d": out += String(format: "%02d", c.day)
            case "H": out += String(format: "%02lld", c.rest / 3_600_000_000)
            case "M": out += String(format: "%02lld", c.rest / 60_000_000 % 60)
            case "S": out += String(format: "%02lld", c.rest / 1_000_000 % 60)
            case "f": out += String(format: "%06lld", c.rest % 1_000_000)
            case "j": out += String(format: "%03lld", days - Int64(CivilTime.days(year: c.year, month: 1, day: 1)) + 1)
            case "B": out += months[c.month - 1]
            case "b": out += String(months[c.month - 1].prefix(3))
            case "A": out += weekdays[dow]
            case "a": out += String(weekdays[dow].prefix(3))
            case "w": out += String(dow)
            case "u": out += String(dow == 0 ? 7 : dow)
            case "V": out += String(format: "%02lld", isoWeek(days))
            case "F": out += String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
            case "T": out += String(format: "%02lld:%02lld:%02lld", c.rest / 3_600_000_000, c.rest / 60_000_000 % 60, c.rest / 1_000_000 % 60)
            case "%": out += "%"
            default: out += "%" + String(f)
            }
        }
        return out
    }

    static func resolve(_ n: String, _ args: [DataType], expr: String, needTemporal: (Int) throws -> Void) throws -> ResolvedFunction? {
        func sig(_ t: DataType, _ a: [DataType?], _ f: ScalarFunction) -> ResolvedFunction { ResolvedFunction(function: f, type: t, argTypes: a) }
        func arity(_ k: Int) throws {
            guard args.count == k else { throw QueryError.type("\(n)() takes \(k) argument\(k == 1 ? "" : "s"), not \(args.count), in \(expr)") }
        }
        switch n {
        case "year", "month", "day", "hour", "minute", "second", "dayofweek", "dayofyear", "quarter", "week", "epoch_ms", "epoch":
            try arity(1); try needTemporal(0)
            return sig(n == "epoch" ? .double : .bigint, [nil], ScalarFunction(n) { v in
                guard let t = micros(v[0]) else { return .null }
                if n == "epoch_ms" { return .int(floorDiv(t, 1000)) }
                if n == "epoch" { return .double(Double(t) / 1e6) }
                return .int(try part(n, t))
            })
        case "date_part", "datepart":
            try arity(2); try needTemporal(1)
            return sig(.bigint, [.varchar, nil], ScalarFunction(n) { v in
                guard let t = micros(v[1]) else { return .null }
                return .int(try part(v[0].text!.lowercased(), t))
            })
        case "date_trunc":
            try arity(2); try needTemporal(1)
            let t: DataType = args[1] == .timestamptz ? .timestamptz : .timestamp
            return sig(t, [.varchar, nil], ScalarFunction(n) { v in
                guard let x = micros(v[1]) else { return .null }
                let r = try trunc(v[0].text!.lowercased(), x)
                return t == .timestamptz ? .timestamptz(r) : .timestamp(r)
            })
        case "strftime":
            try arity(2)
            let (dateArg, formatArg) = args[0] == .varchar ? (1, 0) : (0, 1)
            try needTemporal(dateArg)
            return sig(.varchar, [nil, nil], ScalarFunction(n) { v in
                guard let t = micros(v[dateArg]), let f = v[formatArg].text else { return .null }
                return .string(strftime(t, f))
            })
        case "current_date", "today":
            try arity(0)
            let today = Int64(floorDiv(Int64(Date().timeIntervalSince1970 * 1e6), microsPerDay))
            return sig(.date, [], ScalarFunction(n) { _ in .date(today) })
        case "now", "current_timestamp":
            try arity(0)
            let now = Int64(Date().timeIntervalSince1970 * 1e6)
            return sig(.timestamptz, [], ScalarFunction(n) { _ in .timestamptz(now) })
        case "date_diff", "datediff":
            try arity(3); try needTemporal(1); try needTemporal(2)
            return sig(.bigint, [.varchar, nil, nil], ScalarFunction(n) { v in
                guard let a = micros(v[1]), let b = micros(v[2]) else { return .null }
                let p = v[0].text!.lowercased()
                switch p {
                case "year", "years": return .int(try part("year", b) - part("year", a))
                case "month", "months":
                    return .int((try part("year", b) - part("year", a)) * 12 + (try part("month", b) - part("month", a)))
                case "day", "days": return .int(floorDiv(b, microsPerDay) - floorDiv(a, microsPerDay))
                case "week", "weeks": return .int((floorDiv(b, microsPerDay) - floorDiv(a, microsPerDay)) / 7)
                case "hour", "hours": return .int(floorDiv(b, 3_600_000_000) - floorDiv(a, 3_600_000_000))
                case "minute", "minutes": return .int(floorDiv(b, 60_000_000) - floorDiv(a, 60_000_000))
                case "second", "seconds": return .int(floorDiv(b, 1_000_000) - floorDiv(a, 1_000_000))
                default: throw QueryError.type("unknown date part '\(p)' in date_diff")
                }
            })
        case "make_date":
            try arity(3)
            return sig(.date, [.bigint, .bigint, .bigint], ScalarFunction(n) { v in
                guard case let .int(y) = v[0], case let .int(m) = v[1], case let .int(d) = v[2],
                      let days = CivilTime.parseDate(Array(String(format: "%04lld-%02lld-%02lld", y, m, d).utf8)[...]) else {
                    throw QueryError.runtime("make_date(\(v.map { $0.text ?? "NULL" }.joined(separator: ", "))) is not a date")
                }
                return .date(Int64(days))
            })
        case "last_day":
            try arity(1); try needTemporal(0)
            return sig(.date, [nil], ScalarFunction(n) { v in
                guard let t = micros(v[0]) else { return .null }
                let first = try trunc("month", t)
                return .date(floorDiv(try add(first, Interval(months: 1, days: 0, micros: 0)), microsPerDay) - 1)
            })
        case "monthname", "dayname":
            try arity(1); try needTemporal(0)
            return sig(.varchar, [nil], ScalarFunction(n) { v in
                guard let t = micros(v[0]) else { return .null }
                return .string(strftime(t, n == "monthname" ? "%B" : "%A"))
            })
        case "to_timestamp":
            try arity(1)
            return sig(.timestamptz, [.double], ScalarFunction(n) { v in
                guard case let .double(s) = v[0] else { return .null }
                return .timestamptz(Int64((s * 1e6).rounded()))
            })
        // Produced by the binder for date and interval arithmetic.
        case "+date_days", "-date_days":
            return sig(.date, [.date, .bigint], ScalarFunction(n) { v in
                guard case let .date(d) = v[0], case let .int(k) = v[1] else { return .null }
                let (r, overflow) = n.hasPrefix("+") ? d.addingReportingOverflow(k) : d.subtractingReportingOverflow(k)
                guard !overflow, abs(r) < 100_000_000 else { throw QueryError.runtime("date out of range: \(k) days from \(Value.date(d).text!)") }
                return .date(r)
            })
        case "+interval", "-interval":
            let t: DataType = args[0] == .timestamptz ? .timestamptz : .timestamp
            return sig(t, [nil, .interval], ScalarFunction(n) { v in
                guard let x = micros(v[0]), case let .interval(i) = v[1] else { return .null }
                let r = try add(x, i, sign: n.hasPrefix("+") ? 1 : -1)
                return t == .timestamptz ? .timestamptz(r) : .timestamp(r)
            })
        case "date_subtract":
            return sig(.bigint, [.date, .date], ScalarFunction(n) { v in
                guard case let .date(a) = v[0], case let .date(b) = v[1] else { return .null }
                return .int(a - b)
            })
        case "timestamp_subtract":
            return sig(.interval, [nil, nil], ScalarFunction(n) { v in
                guard let a = micros(v[0]), let b = micros(v[1]) else { return .null }
                let d = a - b
                return .interval(Interval(months: 0, days: d / microsPerDay, micros: d % microsPerDay))
            })
        case "make_interval":
            return sig(.interval, [.bigint, .varchar], ScalarFunction(n) { v in
                guard case let .int(k) = v[0], let unit = v[1].text else { return .null }
                guard abs(k) < 1_000_000_000 else { throw QueryError.runtime("INTERVAL \(k) \(unit) is out of range") }
                switch unit {
                case "YEAR": return .interval(Interval(months: 12 * k, days: 0, micros: 0))
                case "MONTH": return .interval(Interval(months: k, days: 0, micros: 0))
                case "WEEK": return .interval(Interval(months: 0, days: 7 * k, micros: 0))
                case "DAY": return .interval(Interval(months: 0, days: k, micros: 0))
                case "HOUR": return .interval(Interval(months: 0, days: 0, micros: k * 3_600_000_000))
                case "MINUTE": return .interval(Interval(months: 0, days: 0, micros: k * 60_000_000))
                case "SECOND": return .interval(Interval(months: 0, days: 0, micros: k * 1_000_000))
                case "MILLISECOND": return .interval(Interval(months: 0, days: 0, micros: k * 1000))
                default: return .interval(Interval(months: 0, days: 0, micros: k))
                }
            })
        default:
            return nil
        }
    }
}
