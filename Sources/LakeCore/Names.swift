/// Source, dataset and topic names become folder names, so they are kept to a safe alphabet.
public enum Names {
    /// `[a-z][a-z0-9_]*`, at most 64 characters.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, (97...122).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    public static func validate(_ name: String, kind: String) throws {
        guard isValid(name) else { throw StorageError.invalidName(kind: kind, value: name) }
    }
}

extension Names {
    /// A default folder name made from an outside name (a Kafka topic `page-views`, an SQS
    /// queue `orders.fifo`): lower-cased, other characters as '_', a FIFO queue's `.fifo` dropped.
    public static func folderName(for outside: String) -> String {
        var base = outside.lowercased()
        if base.hasSuffix(".fifo") { base.removeLast(5) }
        var name = String(base.unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            return (97...122).contains(v) || (48...57).contains(v) ? Character(scalar) : "_"
        })
        if name.isEmpty || !(name.first!.isLetter) { name = "s_" + name }
        return String(name.prefix(64))
    }
}
