/// Hive-style partition folders (`key=value`), escaped as Hive escapes them so that no value
/// from the data can make a path leave its folder.
public enum Hive {
    /// The folder value Hive, Spark and DuckDB read as NULL.
    public static let defaultPartition = "__HIVE_DEFAULT_PARTITION__"

    /// Hive's `FileUtils.escapePathName`: control characters and `"#%'*/:=?\{[]^` and DEL
    /// become `%XX`. A nil or empty value becomes the default partition.
    public static func escape(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return defaultPartition }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            if needsEscape(scalar) {
                out += "%" + hex2(UInt8(scalar.value))
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The inverse of `escape`; the default partition reads back as nil.
    public static func unescape(_ folderValue: String) -> String? {
        if folderValue == defaultPartition { return nil }
        var bytes: [UInt8] = []
        let utf8 = Array(folderValue.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One folder name, `key=escaped-value`.
    public static func segment(_ key: String, _ value: String?) -> String {
        escape(key) + "=" + escape(value)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F: return true
        default: return "\"#%'*/:=?\\{[]^".unicodeScalars.contains(scalar)
        }
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

/// The ordered partition values of one file, e.g. `dt=2026-11-24/region=SE`.
public struct PartitionValues: Hashable, Sendable, Codable {
    public var pairs: [Pair]

    public struct Pair: Hashable, Sendable, Codable {
        public var key: String
        public var value: String?
        public init(_ key: String, _ value: String?) { self.key = key; self.value = value }
    }

    public init(_ pairs: [Pair]) { self.pairs = pairs }

    /// The raw zone's partitioning: the record's UTC date and its region.
    public static func dtRegion(dt: String?, region: String?) -> PartitionValues {
        PartitionValues([Pair("dt", dt), Pair("region", region)])
    }

    public subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value ?? nil
    }

    /// `dt=2026-11-24/region=SE`
    public var path: String { pairs.map { Hive.segment($0.key, $0.value) }.joined(separator: "/") }
}
