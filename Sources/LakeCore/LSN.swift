/// Log sequence numbers as PostgreSQL writes them: `16/B374D848`.
public enum LSN {
    public static func format(_ lsn: UInt64) -> String { String(lsn >> 32, radix: 16, uppercase: true) + "/" + String(lsn & 0xFFFF_FFFF, radix: 16, uppercase: true) }

    /// For file names: `0-16B3748` (no '/').
    public static func fileFormat(_ lsn: UInt64) -> String {
        String(lsn >> 32, radix: 16, uppercase: true) + "-" + String(lsn & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    /// `format`, written as bytes.
    public static func write(_ lsn: UInt64, to out: inout [UInt8]) {
        hex(lsn >> 32, to: &out)
        out.append(0x2F)
        hex(lsn & 0xFFFF_FFFF, to: &out)
    }

    private static func hex(_ value: UInt64, to out: inout [UInt8]) {
        var started = false
        for shift in stride(from: 28, through: 0, by: -4) {
            let d = UInt8((value >> UInt64(shift)) & 0xF)
            if d == 0 && !started && shift > 0 { continue }
            started = true
            out.append(d < 10 ? 0x30 + d : 0x37 + d)
        }
    }

    /// `16/B374D848` → its 64-bit value; nil for anything else.
    public static func parse(_ text: String) -> UInt64? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...8).contains(parts[0].count), (1...8).contains(parts[1].count),
              let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else { return nil }
        return high << 32 | low
    }
}
