import LakeCore

extension RecordReader {
    enum ScanResult {
        /// Not the common shape: read the line with the general (tape) path.
        case fallback
        /// The row was appended; `record` is the event's byte range, should the row be rejected later.
        case appended(record: Range<Int>)
        /// The row failed its contract; `record` is the event's byte range for quarantine.
        case rejected(reason: String, record: Range<Int>)
    }

    /// The fast path for a stream line whose `_meta` and `value` are flat objects: values go
    /// from the line's bytes straight into the column builders. Same rules as `append`.
    mutating func appendStreamLine(_ b: UnsafeBufferPointer<UInt8>, context: Context, into buffer: inout RowBuffer,
                                   members: inout [(Range<Int>, LineScanner.Token)], meta found: inout [LineScanner.Token?]) -> ScanResult {
        var s = LineScanner(b)
        members.removeAll(keepingCapacity: true)
        var valueRange: Range<Int>?
        var sawMeta = false
        guard s.expect(0x7B) else { return .fallback }
        while true {
            s.skipSpace()
            guard let key = s.string(), !key.escaped, s.expect(0x3A) else { return .fallback }
            let keyRange = key.start..<key.end
            if s.keyEquals(keyRange, metaKey) {
                sawMeta = true
                let names = tables.metaNames, ranges = tables.metaRanges
                let matcher = LineScanner(b)
                // One borrow of `found` per line: each write through the array checked its uniqueness.
                let parsed = found.withUnsafeMutableBufferPointer { found -> Bool in
                    for k in found.indices { found[k] = nil }
                    return s.flatObject({ k, v in
                        for i in 0..<6 where found[i] == nil && matcher.keyEquals(k, names, ranges[i]) { found[i] = v; return }
                    }) != nil
                }
                guard parsed else { return .fallback }
            } else if s.keyEquals(keyRange, valueKey) {
                valueRange = s.flatObject { k, v in members.append((k, v)) }
                guard valueRange != nil else { return .fallback }
            } else {
                return .fallback
            }
            s.skipSpace()
            guard s.p < b.count else { return .fallback }
            if b[s.p] == 0x2C { s.p += 1; continue }
            if b[s.p] == 0x7D { s.p += 1; break }
            return .fallback
        }
        s.skipSpace()
        // Without _meta the line is not lake's envelope but a record that has a "value" field.
        guard s.p == b.count, sawMeta, let valueRange else { return .fallback }
        if s.sawHighByte, UTF8Check.firstInvalid(UnsafeRawBufferPointer(b)) != nil { return .fallback }

        let start = buffer.count
        // One borrow of the builders per row: indexing the array itself checked its uniqueness
        // at every value.
        let reason = buffer.builders.withUnsafeMutableBufferPointer { builders in
            fill(builders, b, s, context: context, members: members, meta: found)
        }
        if let reason {
            buffer.truncate(to: start)
            return .rejected(reason: reason, record: valueRange)
        }
        return .appended(record: valueRange)
    }

    /// The row's values into `builders`; a reason when the row must go to quarantine (the
    /// caller then takes back what was appended).
    private mutating func fill(_ builders: UnsafeMutableBufferPointer<ColumnBuilder>, _ b: UnsafeBufferPointer<UInt8>,
                               _ s: LineScanner, context: Context, members: [(Range<Int>, LineScanner.Token)],
                               meta found: [LineScanner.Token?]) -> String? {
        // `seen` is moved out and borrowed once per row (a write through the array checked its
        // uniqueness, twice per field), and `extra` is cleared only when a row used it.
        var seenStore: [Bool] = []
        swap(&seenStore, &seen)
        defer { swap(&seenStore, &seen) }
        if !extra.isEmpty { extra.removeAll(keepingCapacity: true) }
        return seenStore.withUnsafeMutableBufferPointer { seen in
            fill(builders, b, s, context: context, members: members, meta: found, seen: seen)
        }
    }

    private mutating func fill(_ builders: UnsafeMutableBufferPointer<ColumnBuilder>, _ b: UnsafeBufferPointer<UInt8>,
                               _ s: LineScanner, context: Context, members: [(Range<Int>, LineScanner.Token)],
                               meta found: [LineScanner.Token?], seen: UnsafeMutableBufferPointer<Bool>) -> String? {
        for i in seen.indices { seen[i] = false }
        let plans = tables.plans, names = tables.planNames
        for (position, (key, token)) in members.enumerated() {
            var match = -1
            if position < guess.count {
                let g = guess[position]
                if g >= 0, s.keyEquals(key, names, plans[g].name) { match = g }
            }
            if match < 0 {
                for i in plans.indices where s.keyEquals(key, names, plans[i].name) { match = i; break }
                if position < guess.count { guess[position] = match } else { guess.append(match) }
            }
            if match >= 0 {
                if seen[match] { continue }
                seen[match] = true
                let reason = context.partitionPresent[match] ? putPartitionValue(match, plans[match], context: context, into: builders)
                    : put(token, b, field: match, plans[match], into: builders)
                if let reason { return reason }
            } else if schema.unknown != .ignore {
                let name = String(decoding: UnsafeBufferPointer(rebasing: b[key]), as: UTF8.self)
                if schema.claimedKeys.isEmpty || !schema.claimedKeys.contains(Array(name.utf8)) {
                    noteDrift(field: name, token, b, reported: schema.unknown == .drift)
                }
            }
        }
        for i in plans.indices where !seen[i] {
            let f = plans[i]
            if context.appendPartitionValue(i, to: &builders[f.column]) {
                continue
            } else if f.allowsNull {
                builders[f.column].appendNull()
            } else {
                return "required field \"\(schema.fields[i].spec.name)\" is missing"
            }
        }
        let c = schema.rawFileColumn
        context.rawFile.withUnsafeBufferPointer { builders[c].append(bytes: $0) }
        builders[c + 1].append(int64: Int64(context.line))
        appendInt(found[2], b, into: &builders[c + 2])
        appendInt(found[3], b, into: &builders[c + 3])
        if let t = found[4], t.kind == .string { appendString(t, b, into: &builders[c + 4]) } else { builders[c + 4].appendNull() }
        if let t = found[5], t.kind == .string, let v = CivilTime.parseTimestamp(UnsafeBufferPointer(rebasing: b[t.start..<t.end])), !t.escaped {
            builders[c + 5].append(int64: v)
        } else {
            builders[c + 5].appendNull()
        }
        if extra.isEmpty {
            builders[schema.extraColumn].appendNull()
        } else {
            extra.append(0x7D)
            extra.withUnsafeBufferPointer { builders[schema.extraColumn].append(bytes: $0) }
        }
        return nil
    }

    private func stringBytes(_ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8> {
        let raw = ArraySlice(UnsafeBufferPointer(rebasing: b[t.start..<t.end]))
        return t.escaped ? ArraySlice(JSONNode.unescapedBytes(raw)) : raw
    }

    /// A string's value straight from the line's bytes (decoded only when it has escapes).
    @inline(__always)
    private func appendString(_ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>, into builder: inout ColumnBuilder) {
        if t.escaped { builder.append(bytes: stringBytes(t, b)) } else { builder.append(bytes: UnsafeBufferPointer(rebasing: b[t.start..<t.end])) }
    }

    private func appendInt(_ t: LineScanner.Token?, _ b: UnsafeBufferPointer<UInt8>, into builder: inout ColumnBuilder) {
        if let t, t.kind == .number, let v = Self.int64(t, b) { builder.append(int64: v) } else { builder.appendNull() }
    }

    static func int64(_ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        JSONNumber.int64(UnsafeBufferPointer(rebasing: b[t.start..<t.end]))
    }

    static func double(_ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(rebasing: b[t.start..<t.end]), as: UTF8.self))
    }

    static func typeName(_ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>) -> String {
        switch t.kind {
        case .string: return "string"
        case .yes, .no: return "boolean"
        case .null: return "null"
        case .number: return int64(t, b) != nil ? "integer" : "number"
        }
    }

    private mutating func noteDrift(field: String, _ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>, reported: Bool = true) {
        if reported {
            drift[DriftKey(field: field, type: Self.typeName(t, b)), default: DriftSeen(count: 0, firstRaw: currentRaw)].count += 1
        }
        extra.append(extra.isEmpty ? 0x7B : 0x2C)
        extra += JSONValue.quote(field).utf8
        extra.append(0x3A)
        let range = t.kind == .string ? (t.start - 1)..<(t.end + 1) : t.start..<t.end
        extra += UnsafeBufferPointer(rebasing: b[range])
    }

    private mutating func mismatch(_ f: StagedSchema.Field, _ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>,
                                   into builders: UnsafeMutableBufferPointer<ColumnBuilder>) -> String? {
        if !f.spec.allowsNull {
            return "required field \"\(f.spec.name)\" is a \(Self.typeName(t, b)), the contract says \(f.spec.valueTypes.joined(separator: " or "))"
        }
        noteDrift(field: f.spec.name, t, b)
        builders[f.column].appendNull()
        return nil
    }

    /// One field's value from the line's bytes; a reason when the row must go to quarantine.
    /// The field's class is read only for enums and failures (see `StagedSchema.Plan`).
    private mutating func put(_ t: LineScanner.Token, _ b: UnsafeBufferPointer<UInt8>, field i: Int, _ f: StagedSchema.Plan,
                              into builders: UnsafeMutableBufferPointer<ColumnBuilder>) -> String? {
        let column = f.column
        if t.kind == .null {
            if f.allowsNull { builders[column].appendNull(); return nil }
            return "required field \"\(schema.fields[i].spec.name)\" is null"
        }
        let raw = UnsafeBufferPointer(rebasing: b[t.start..<t.end])
        switch f.kind {
        case .string:
            guard t.kind == .string else { return mismatch(schema.fields[i], t, b, into: builders) }
            if f.checksEnum {
                let allowed = t.escaped ? stringBytes(t, b).withUnsafeBufferPointer { schema.allows(f, $0) } : schema.allows(f, raw)
                if !allowed {
                    let field = schema.fields[i]
                    return "field \"\(field.spec.name)\": \(JSONValue.quote(String(decoding: stringBytes(t, b), as: UTF8.self))) is not one of the contract's enum values"
                }
            }
            appendString(t, b, into: &builders[column])
        case .int64:
            guard t.kind == .number, let v = Self.int64(t, b) else { return mismatch(schema.fields[i], t, b, into: builders) }
            builders[column].append(int64: v)
        case .double:
            guard t.kind == .number, let v = Self.double(t, b) else { return mismatch(schema.fields[i], t, b, into: builders) }
            builders[column].append(double: v)
        case .boolean:
            guard t.kind == .yes || t.kind == .no else { return mismatch(schema.fields[i], t, b, into: builders) }
            builders[column].append(bool: t.kind == .yes)
        case .timestamp:
            guard t.kind == .string else { return mismatch(schema.fields[i], t, b, into: builders) }
            let micros = t.escaped ? CivilTime.parseTimestamp(stringBytes(t, b)) : CivilTime.parseTimestamp(raw)
            guard let micros else {
                return "field \"\(schema.fields[i].spec.name)\": \"\(String(decoding: raw, as: UTF8.self))\" is not an RFC 3339 date-time"
            }
            builders[column].append(int64: micros)
        case .date:
            guard t.kind == .string else { return mismatch(schema.fields[i], t, b, into: builders) }
            let days = t.escaped ? CivilTime.parseDate(stringBytes(t, b)) : CivilTime.parseDate(raw)
            guard let days else {
                return "field \"\(schema.fields[i].spec.name)\": \"\(String(decoding: raw, as: UTF8.self))\" is not a date (YYYY-MM-DD)"
            }
            builders[column].append(int32: Int32(days))
        case .json:
            let name = Self.typeName(t, b)
            let types = schema.fields[i].spec.valueTypes
            if !types.isEmpty && !types.contains(name) && !(name == "integer" && types.contains("number")) {
                return mismatch(schema.fields[i], t, b, into: builders)
            }
            if t.kind == .string { appendString(t, b, into: &builders[column]) } else { builders[column].append(bytes: raw) }
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#endif
