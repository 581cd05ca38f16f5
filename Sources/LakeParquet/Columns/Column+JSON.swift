import LakeCore

extension Column {
    /// The value at `row` as JSON with its type kept: numbers as numbers, dates as
    /// `YYYY-MM-DD`, timestamps as RFC 3339 UTC with microseconds, null as null.
    public func json(_ row: Int) -> JSONValue {
        if isNull(row) { return .null }
        switch data {
        case let .boolean(v): return .bool(v[row])
        case let .int32(v):
            return schema.type == .date ? .string(CivilTime.dateString(days: Int(v[row]))) : .int(Int(v[row]))
        case let .int64(v):
            return schema.type == .timestamp ? .string(CivilTime.timestampString(micros: v[row])) : .int(Int(v[row]))
        case let .double(v): return v[row].isFinite ? .double(v[row]) : .string("\(v[row])")
        case let .string(v): return .string(v[row])
        }
    }
}
