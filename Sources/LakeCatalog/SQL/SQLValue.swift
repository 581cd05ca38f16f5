/// A value bound to, or read from, a catalog statement: the types both catalog backends
/// (SQLite and PostgreSQL) store.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    /// PostgreSQL's `boolean`; SQLite stores it as 0 or 1.
    case bool(Bool)

    public var isNull: Bool { self == .null }
}

/// A Swift type the catalog keeps in one column.
public protocol SQLColumnValue: Sendable {
    var sqlValue: SQLValue { get }
    /// nil when the stored value is of another type.
    init?(sqlValue: SQLValue)
}

extension String: SQLColumnValue {
    public var sqlValue: SQLValue { .text(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case let .text(t): self = t
        case let .blob(b): self = String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }
}

extension Int64: SQLColumnValue {
    public var sqlValue: SQLValue { .integer(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case let .integer(i): self = i
        case let .bool(b): self = b ? 1 : 0
        case let .real(d) where d == d.rounded() && abs(d) < 9.2e18: self = Int64(d)
        default: return nil
        }
    }
}

extension Int: SQLColumnValue {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue: SQLValue) {
        guard let i = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(i)
    }
}

extension Int32: SQLColumnValue {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue: SQLValue) {
        guard let i = Int64(sqlValue: sqlValue), let narrow = Int32(exactly: i) else { return nil }
        self = narrow
    }
}

extension Double: SQLColumnValue {
    public var sqlValue: SQLValue { .real(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case let .real(d): self = d
        case let .integer(i): self = Double(i)
        default: return nil
        }
    }
}

extension Bool: SQLColumnValue {
    public var sqlValue: SQLValue { .bool(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case let .bool(b): self = b
        case let .integer(i): self = i != 0
        default: return nil
        }
    }
}

extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    public init?(sqlValue: SQLValue) {
        if sqlValue == .null { self = .none; return }
        guard let value = Wrapped(sqlValue: sqlValue) else { return nil }
        self = .some(value)
    }
}

extension SQLValue: SQLColumnValue {
    public var sqlValue: SQLValue { self }
    public init?(sqlValue: SQLValue) { self = sqlValue }
}
