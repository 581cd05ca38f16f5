import Crypto

/// SHA-256 checksums as the catalog records them: 64 lower-case hex digits.
public enum Checksum {
    public static func sha256(_ bytes: [UInt8]) -> String { hex(Crypto.SHA256.hash(data: bytes)) }

    public static func sha256(file path: String) throws -> String { sha256(try FileSystem.readFile(path)) }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
