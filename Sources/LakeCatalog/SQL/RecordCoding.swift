// Codable for catalog records: a record's stored properties become (column, value) pairs, and a
// row becomes a record, by snake_case column name. Records are flat: no nested values.

/// `partitionValues` → `partition_values`, `sha256` → `sha256`.
func snakeCase(_ name: String) -> String {
    var out = ""
    for c in name {
        if c.isUppercase {
            if !out.isEmpty { out.append("_") }
            out += c.lowercased()
        } else {
            out.append(c)
        }
    }
    return out
}

final class ColumnEncoder: Encoder {
    var columns: [(name: String, value: SQLValue)] = []
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Container<Key>(encoder: self))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { fatalError("catalog records are flat") }
    func singleValueContainer() -> SingleValueEncodingContainer { fatalError("catalog records are flat") }

    struct Container<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: ColumnEncoder
        var codingPath: [CodingKey] { [] }

        func encodeNil(forKey key: Key) { encoder.columns.append((snakeCase(key.stringValue), .null)) }
        func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            guard let value = value as? any SQLColumnValue else {
                throw EncodingError.invalidValue(value, .init(codingPath: [key], debugDescription: "not a catalog column type"))
            }
            encoder.columns.append((snakeCase(key.stringValue), value.sqlValue))
        }
        // A nil optional is a NULL column, as GRDB wrote it: the standard library's own
        // encodeIfPresent for these types would leave the column out, so an update or upsert
        // would keep the old value and rows of one type would not share their columns.
        func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try column(value, key) }
        func encodeIfPresent(_ value: String?, forKey key: Key) throws { try column(value, key) }
        func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try column(value, key) }
        func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try column(value, key) }
        func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try column(value, key) }
        func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try column(value, key) }
        func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try column(value, key) }

        private func column<T: Encodable>(_ value: T?, _ key: Key) throws {
            if let value { try encode(value, forKey: key) } else { encodeNil(forKey: key) }
        }
        func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey: Key) -> KeyedEncodingContainer<N> { fatalError("catalog records are flat") }
        func nestedUnkeyedContainer(forKey: Key) -> UnkeyedEncodingContainer { fatalError("catalog records are flat") }
        func superEncoder() -> Encoder { encoder }
        func superEncoder(forKey: Key) -> Encoder { encoder }
    }
}

struct RowDecoder: Decoder {
    let row: SQLRow
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Container<Key>(row: row))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "catalog records are flat"))
    }
    func singleValueContainer() throws -> SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "catalog records are flat"))
    }

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: SQLRow
        var codingPath: [CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { row.value(snakeCase(key.stringValue)) != nil }
        func decodeNil(forKey key: Key) -> Bool { (row.value(snakeCase(key.stringValue)) ?? .null) == .null }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let value = row.value(snakeCase(key.stringValue)) ?? .null
            guard let column = T.self as? any SQLColumnValue.Type, let decoded = column.init(sqlValue: value) as? T else {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: [key], debugDescription: "catalog column holds \(value)"))
            }
            return decoded
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            decodeNil(forKey: key) ? nil : try decode(type, forKey: key)
        }
        func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            throw DecodingError.typeMismatch(N.self, .init(codingPath: [key], debugDescription: "catalog records are flat"))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "catalog records are flat"))
        }
        func superDecoder() throws -> Decoder { RowDecoder(row: row) }
        func superDecoder(forKey: Key) throws -> Decoder { RowDecoder(row: row) }
    }
}
