import LakeCore
import Testing

@Suite struct CivilTimeTests {
    func micros(_ text: String) -> Int64? { CivilTime.parseTimestamp(ArraySlice(Array(text.utf8))) }

    @Test func rfc3339DateTimesBecomeMicrosecondsUTC() {
        #expect(micros("1970-01-01T00:00:00Z") == 0)
        #expect(micros("2024-03-01T10:05:05.123456Z") == 1_709_287_505_123_456)
        #expect(micros("2024-03-01T12:05:05.123+02:00") == 1_709_287_505_123_000)
        #expect(micros("1969-12-31T23:59:59.5Z") == -500_000)
        #expect(micros("2024-03-01 10:05:05z") == 1_709_287_505_000_000)
        // As DuckDB's and PostgreSQL's exports print a TIMESTAMPTZ.
        #expect(micros("2024-03-01 12:05:05+02") == 1_709_287_505_000_000)
        #expect(micros("2024-03-01 05:05:05.5-0500") == 1_709_287_505_500_000)
    }

    @Test func notQuiteDateTimesAreRejected() {
        for text in ["2024-03-01T10:05:05", "2024-02-30T00:00:00Z", "2024-03-01T24:00:00Z", "yesterday", "2024-03-01T10:05:05.Z", "2024-03-01T10:05:05+2", "2024-03-01T10:05:05+02:0"] {
            #expect(micros(text) == nil, "\(text)")
        }
    }

    @Test func datesRoundTripThroughDayNumbers() {
        for day in [-719_162, -1, 0, 59, 19_782, 2_932_896] {
            let text = CivilTime.dateString(days: day)
            #expect(CivilTime.parseDate(ArraySlice(Array(text.utf8))) == day, "\(text)")
        }
        #expect(CivilTime.timestampString(micros: -1) == "1969-12-31T23:59:59.999999Z")
    }
}
