import LakeCore

/// One raw line per API page: `{"_meta": {...}, "body": <the page as received>}`.
///
/// The body's bytes are copied as they came, except that line breaks (which valid JSON can
/// only hold as white space) become spaces, a UTF-8 byte-order mark is dropped, and any
/// credential is masked.
public enum PageLine {
    public static func make(meta: JSONValue, body: [UInt8], redactor: Redactor) -> [UInt8] {
        var line: [UInt8] = Array("{\"_meta\":".utf8)
        line += Array(meta.serialized().utf8)
        line += Array(",\"body\":".utf8)
        var bodyBytes = redactor.bytes(body)
        if bodyBytes.starts(with: [0xEF, 0xBB, 0xBF]) { bodyBytes.removeFirst(3) }
        for i in bodyBytes.indices where bodyBytes[i] == 0x0A || bodyBytes[i] == 0x0D {
            bodyBytes[i] = 0x20
        }
        line += bodyBytes
        line += Array("}\n".utf8)
        return line
    }
}
