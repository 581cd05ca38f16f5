import Foundation
import LakeCatalog
import LakeCore
import Logging
import NIOCore
import PostgresNIO

public struct CDCOptions: Sendable {
    public var tables: [String] = []
    public var slot = "lake"
    public var publication = "lake"
    /// raw/<source>/<table>/ (default: the database name).
    public var source: String?
    public var regionColumn: String?
    /// Put before every dataset name (`pg_` makes `orders` land as `pg_orders`).
    public var datasetPrefix = ""
    public var untilIdle = false
    /// Changes asked for per peek (whole transactions always).
    public var batch = 200_000
    public var pollSeconds = 1.0
    public var limits = RawLimits()
    public var progress = true
    public var command = "lake ingest cdc"

    public init() {}
}

/// What a CDC run did.
public struct CDCReport: Sendable {
    public var notes: [String] = []
    public var snapshotRows: [String: Int] = [:]
    public var changes: [String: Int] = [:]
    public var transactions = 0
    public var skipped = 0
    public var confirmedLSN: String?
    public var seconds = 0.0

    public var json: JSONValue {
        .object([
            ("notes", .array(notes.map { .string($0) })),
            ("snapshot_rows", .object(snapshotRows.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("changes", .object(changes.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("transactions", .int(transactions)), ("skipped_transactions", .int(skipped)),
            ("confirmed_lsn", confirmedLSN.map(JSONValue.string) ?? .null),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
        ])
    }
}

/// PostgreSQL's changes into raw, exactly once, by SQL peek-and-advance on a pgoutput slot.
///
/// - Setup: the publication and the slot are created when missing (publication first, so the
///   slot decodes with it), and used when they exist; the report says which.
/// - Initial snapshot: the slot is created first; then one REPEATABLE READ transaction reads
///   every table and records `pg_current_snapshot()`. A streamed transaction that snapshot
///   already holds (committed before it, in flight while the slot was made) is skipped by its
///   xid, so none is lost and none is doubled, with no replication connection needed.
///   Snapshot rows are op `r` and commit with the snapshot record, in one catalog transaction.
/// - Streaming: `pg_logical_slot_peek_binary_changes` returns whole committed transactions;
///   they land, the raw files and the end LSN of the last one commit together, and only then
///   `pg_replication_slot_advance` moves the slot. After a crash between the two, the
///   transactions at or below the recorded LSN come again and are skipped.
/// Peek-and-advance needs no replication protocol (postgres-nio speaks the extended query
/// protocol only); it reads WAL that is flushed, so `synchronous_commit` must stay on.
public final class CDCIngestion {
    let settings: PostgresSettings
    let catalog: Catalog
    var options: CDCOptions
    let logger: Logger
    let progress = Progress.shared

    public init(settings: PostgresSettings, catalog: Catalog, options: CDCOptions) {
        self.settings = settings
        self.catalog = catalog
        self.options = options
        var logger = Logger(label: "lake.cdc")
        logger.logLevel = .critical
        self.logger = logger
    }

    var server: String { settings.sourceID }
    var sourceFolder: String { options.source ?? Names.folderName(for: settings.database) }
    var snapshotStream: String { options.slot + "#snapshot" }
    /// The `_tmp/` folder of this capture's uncommitted files.
    var scope: String { "cdc-\(sourceFolder)-\(options.slot)" }

    func connect() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try settings.configuration(), id: 1, logger: logger)
        } catch {
            throw CDCError.database(server: server, action: "connecting as \(settings.user)",
                                    detail: PostgresMessage.of(error) + " — check the host, port, user, the password "
                                        + "(PGPASSWORD, ~/.pgpass or --password-env) and sslmode")
        }
    }

    @discardableResult
    func sql(_ connection: PostgresConnection, _ action: String, _ query: PostgresQuery) async throws -> PostgresRowSequence {
        do { return try await connection.query(query, logger: logger) } catch {
            throw CDCError.database(server: server, action: action, detail: PostgresMessage.of(error))
        }
    }

    public func run(stop: StopFlag = StopFlag()) async throws -> CDCReport {
        try Names.validate(sourceFolder, kind: "source")
        let started = Date()
        var report = CDCReport()
        let connection = try await connect()
        defer { Task { [connection] in try? await connection.close() } }

        var level = ""
        for try await (value) in try await sql(connection, "reading wal_level", "SHOW wal_level").decode(String.self) { level = value }
        guard level == "logical" else { throw CDCError.walLevel(server: server, level: level) }

        let tables = try await CapturedTable.lookup(options.tables, prefix: options.datasetPrefix, on: connection, logger: logger)
        for table in tables {
            try Names.validate(table.dataset, kind: "dataset")
            try catalog.ensureDataset(table.dataset, source: sourceFolder)
            if table.dataset != Names.folderName(for: options.datasetPrefix + table.name) {
                report.notes.append("\(table.qualified) lands as dataset \(table.dataset): another captured schema has a table \(table.name)")
            }
            if !table.columns.contains(where: \.key), table.replicaIdentity != "f" {
                throw CDCError.noKey(table: table.qualified)
            }
            // Later versions follow the Relation messages, in the order of the changes they describe.
            let columns = table.columns.map { CDCContract.Column(name: $0.name, typeOID: $0.typeOID, notNull: $0.notNull, key: $0.key) }
            if let existing = try? catalog.contract(of: table.dataset) {
                guard existing.rawFormat != "debezium" else { continue }
                let holdsData = try !catalog.files(of: table.dataset, zone: .raw).isEmpty || !catalog.files(of: table.dataset, zone: .staged).isEmpty
                guard !holdsData else {
                    throw CDCError.datasetTaken(table: table.qualified, dataset: table.dataset, contract: existing.file)
                }
                _ = try contract(table, columns: columns).register(in: catalog, replacing: true)
                report.notes.append("dataset \(table.dataset) had a contract for other records (\(existing.file)) and no data: "
                                    + "it now holds \(table.qualified)'s changes, with a contract generated from its columns")
            } else if let note = try contract(table, columns: columns).register(in: catalog) {
                report.notes.append(note)
            }
        }
        report.notes += try await ensurePublication(connection, tables)
        let (slotNote, slotCreated) = try await ensureSlot(connection)
        report.notes.append(slotNote)
        try catalog.recordCDCSource(CDCSourceRecord(
            source: server, slot: options.slot, publication: options.publication, connection: settings.connectionURL,
            tables: tables.map(\.qualified).joined(separator: ","), updatedAt: Timestamps.iso()))

        // Files a killed run left uncommitted: removed once, before the snapshot and the stream.
        _ = try catalog.reconcile(scope: scope)
        let run = try catalog.startRun(command: options.command)
        do {
            // A new slot knows nothing of earlier changes: what happened before it is read afresh.
            let snapshots = try await snapshotIfNeeded(tables, fresh: slotCreated, report: &report, run: run)
            try await stream(connection, tables, snapshots: snapshots, report: &report, run: run, stop: stop)
            report.seconds = Date().timeIntervalSince(started)
            try catalog.finishRun(run, outcome: "succeeded", counts: report.json, error: nil)
        } catch {
            try? catalog.finishRun(run, outcome: "failed", counts: nil, error: "\(error)")
            throw error
        }
        progress.done()
        return report
    }

    private func ensurePublication(_ connection: PostgresConnection, _ tables: [CapturedTable]) async throws -> [String] {
        var exists = false
        for try await _ in try await sql(connection, "reading publications",
                                         "SELECT 1 FROM pg_publication WHERE pubname = \(options.publication)").decode(Int.self) { exists = true }
        let list = tables.map(\.quotedName).joined(separator: ", ")
        if !exists {
            try await sql(connection, "creating publication \(options.publication)",
                          PostgresQuery(unsafeSQL: "CREATE PUBLICATION \(CDCSQL.ident(options.publication)) FOR TABLE \(list)"))
            return ["created publication \(options.publication) for \(tables.map(\.qualified).joined(separator: ", "))"]
        }
        var published = Set<String>()
        for try await (schema, name) in try await sql(connection, "reading publication tables",
            "SELECT schemaname::text, tablename::text FROM pg_publication_tables WHERE pubname = \(options.publication)")
            .decode((String, String).self) { published.insert("\(schema).\(name)") }
        let missing = tables.filter { !published.contains($0.qualified) }
        guard !missing.isEmpty else { return ["using publication \(options.publication)"] }
        try await sql(connection, "adding tables to publication \(options.publication)",
                      PostgresQuery(unsafeSQL: "ALTER PUBLICATION \(CDCSQL.ident(options.publication)) ADD TABLE "
                                    + missing.map(\.quotedName).joined(separator: ", ")))
        return ["added \(missing.map(\.qualified).joined(separator: ", ")) to publication \(options.publication)"]
    }

    private func ensureSlot(_ connection: PostgresConnection) async throws -> (String, created: Bool) {
        var plugin: String?
        for try await value in try await sql(connection, "reading replication slots",
            "SELECT plugin::text FROM pg_replication_slots WHERE slot_name = \(options.slot)").decode(String?.self) {
            plugin = value ?? "physical"
        }
        if let plugin {
            guard plugin == "pgoutput" else {
                throw CDCError.configuration("slot \(options.slot) on \(server) uses \(plugin), not pgoutput: give another --slot")
            }
            return ("using slot \(options.slot)", false)
        }
        try await sql(connection, "creating slot \(options.slot)",
                      "SELECT 1 FROM pg_create_logical_replication_slot(\(options.slot)::name, 'pgoutput'::name)")
        return ("created slot \(options.slot) (pgoutput)", true)
    }

    /// Tables without a committed snapshot are read in one REPEATABLE READ transaction.
    private func snapshotIfNeeded(_ tables: [CapturedTable], fresh: Bool, report: inout CDCReport, run: Int64) async throws
        -> [UInt32: XidSnapshot] {
        var snapshots: [UInt32: XidSnapshot] = [:]
        let recorded = try catalog.streamOffsets(source: server, stream: snapshotStream, group: "cdc")
        if fresh, !recorded.isEmpty {
            report.notes.append("slot \(options.slot) was missing: its changes since the last run are gone, so the tables are read again")
        }
        for record in recorded where !fresh {
            if let snapshot = XidSnapshot(record.nextOffset) { snapshots[UInt32(record.partition)] = snapshot }
        }
        let needed = tables.filter { snapshots[$0.oid] == nil }
        guard !needed.isEmpty else { return snapshots }
        let connection = try await connect()
        defer { Task { [connection] in try? await connection.close() } }
        try await sql(connection, "starting the snapshot", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        var text = "", lsnText = "0/0"
        for try await (snapshot, lsn) in try await sql(connection, "reading the snapshot",
            "SELECT pg_current_snapshot()::text, pg_current_wal_lsn()::text").decode((String, String).self) { (text, lsnText) = (snapshot, lsn) }
        guard let snapshot = XidSnapshot(text) else { throw CDCError.database(server: server, action: "reading the snapshot", detail: text) }
        let lsn = LSN.parse(lsnText) ?? 0
        let line = DebeziumLine(source: server, database: settings.database, tables: tables)
        var limits = options.limits
        // One commit per snapshot: it and its record land together or not at all.
        limits.maxRecords = .max
        limits.maxBytes = .max
        limits.maxOpenBytes = .max
        limits.maxAge = .infinity
        let batcher = RawBatcher(catalog: catalog, source: sourceFolder, scope: scope, limits: limits, run: run)
        let now = Date()
        let micros = Int64(now.timeIntervalSince1970 * 1_000_000)
        let day = String(Timestamps.iso(now).prefix(10))
        let stamp = DebeziumLine.Stamp(commitTime: Timestamps.iso(now), ingestedAt: Timestamps.iso(now))
        for table in needed {
            let select = table.columns.map { "\(CDCSQL.ident($0.name))::text" }.joined(separator: ", ")
            let rows = try await sql(connection, "reading \(table.qualified)",
                                     PostgresQuery(unsafeSQL: "SELECT \(select) FROM \(table.quotedName)"))
            let columns = table.columns.map { PgOutput.Column(name: $0.name, typeOID: $0.typeOID, typmod: -1, isKey: $0.key) }
            var lines: [RawBatcher.Line] = []
            var count = 0
            for try await row in rows {
                var values: [PgOutput.Value] = []
                for cell in row {
                    let text = try cell.decode(String?.self)
                    values.append(text.map { .text(ArraySlice($0.utf8)) } ?? .null)
                }
                let after = DebeziumLine.Row(values: values, columns: columns)
                let change = DebeziumLine.Change(table: table, op: "r", before: nil, after: after, lsn: lsn, commitLSN: lsn,
                                                 xid: 0, commitMicros: micros, snapshot: true)
                lines.append(RawBatcher.Line(dataset: table.dataset, partitions: .dtRegion(dt: day, region: region(after)),
                                             bytes: line.bytes(change, stamp: stamp), records: 1,
                                             fileName: "\(table.dataset)+snapshot+\(LSN.fileFormat(lsn))+\(count)"))
                count += 1
                if lines.count >= 10_000 { try await batcher.append(lines); lines.removeAll(keepingCapacity: true) }
                if options.progress, count % 50_000 == 0 { progress.status("snapshot \(table.qualified): \(count) rows") }
            }
            try await batcher.append(lines, offsets: [StreamOffsetRecord(
                source: server, stream: snapshotStream, consumerGroup: "cdc", partition: Int(table.oid), nextOffset: snapshot.text,
                dataset: table.dataset, updatedAt: Timestamps.iso())])
            report.snapshotRows[table.dataset] = count
            snapshots[table.oid] = snapshot
        }
        try await sql(connection, "ending the snapshot", "COMMIT")
        try await batcher.flush()
        report.notes.append("snapshot of \(needed.map(\.qualified).joined(separator: ", ")) at \(lsnText) (transactions it holds are not streamed again)")
        return snapshots
    }

    func region(_ row: DebeziumLine.Row?) -> String? { TransactionLines.region(row, column: options.regionColumn) }

    /// Peek, land, commit, advance; until idle, or until stopped.
    private func stream(_ connection: PostgresConnection, _ tables: [CapturedTable], snapshots: [UInt32: XidSnapshot],
                        report: inout CDCReport, run: Int64, stop: StopFlag) async throws {
        let byOID = Dictionary(uniqueKeysWithValues: tables.map { ($0.oid, $0) })
        let recorded = try catalog.streamOffsets(source: server, stream: options.slot, group: "cdc").first { $0.partition == 0 }
        var landedLSN = recorded.flatMap { LSN.parse($0.nextOffset) } ?? 0
        let line = DebeziumLine(source: server, database: settings.database, tables: tables)
        let datasets = tables.map(\.dataset).joined(separator: ",")
        var relations: [UInt32: PgOutput.Relation] = [:]
        var columns: [UInt32: [CDCContract.Column]] = [:]
        while !stop.isStopped {
            let batcher = RawBatcher(catalog: catalog, source: sourceFolder, scope: scope, limits: options.limits, run: run)
            let rows = try await sql(connection, "peeking at slot \(options.slot)", """
                SELECT (lsn - '0/0'::pg_lsn)::int8, data FROM pg_logical_slot_peek_binary_changes(\(options.slot)::name, NULL::pg_lsn,
                    \(Int32(clamping: options.batch))::int4, 'proto_version'::text, '1'::text, 'publication_names'::text,
                    \(options.publication)::text)
                """)
            var lastEnd: UInt64?
            var tx: (xid: UInt32, commitMicros: Int64, changes: [(UInt64, [UInt8])])?
            for try await (lsnValue, data) in rows.decode((Int64, ByteBuffer).self) {
                let lsn = UInt64(bitPattern: lsnValue)
                // Row changes are decoded with their transaction, on every core (TransactionLines).
                if let kind = data.getInteger(at: data.readerIndex, as: UInt8.self), [0x49, 0x55, 0x44, 0x54].contains(kind) {
                    tx?.changes.append((lsn, Array(buffer: data)))
                    continue
                }
                let message = try PgOutput.decode(Array(buffer: data))
                switch message {
                case let .begin(_, commitTime, xid):
                    tx = (xid, commitTime + PgOutput.epochOffsetMicros, [])
                case let .relation(relation):
                    relations[relation.id] = relation
                    if let table = byOID[relation.id], let note = try evolve(table, relation, &columns) { report.notes.append(note) }
                case let .commit(_, endLSN, _):
                    defer { tx = nil; lastEnd = endLSN }
                    guard let open = tx else { continue }
                    if endLSN <= landedLSN { report.skipped += 1; continue }
                    var lines: [RawBatcher.Line] = []
                    let ingestedAt = Timestamps.iso()
                    let commitTime = Timestamps.iso(Date(timeIntervalSince1970: Double(open.commitMicros) / 1_000_000))
                    let stamp = DebeziumLine.Stamp(commitTime: commitTime, ingestedAt: ingestedAt)
                    let day = String(commitTime.prefix(10))
                    let converter = TransactionLines(line: line, tables: byOID, relations: relations, snapshots: snapshots,
                                                     regionColumn: options.regionColumn)
                    // A file is named after its first change; each partition of a table has its own.
                    struct Partition: Hashable { var oid: UInt32; var region: String? }
                    var names: [Partition: String] = [:]
                    var counts: [UInt32: (String, Int)] = [:]
                    for c in try converter.convert(open.changes, xid: open.xid, commitLSN: endLSN, commitMicros: open.commitMicros, stamp: stamp) {
                        let partition = Partition(oid: c.table.oid, region: c.region)
                        let name = names[partition] ?? "\(c.table.dataset)+0+\(LSN.fileFormat(c.lsn))"
                        names[partition] = name
                        lines.append(RawBatcher.Line(dataset: c.table.dataset, partitions: .dtRegion(dt: day, region: c.region),
                                                     bytes: c.bytes, records: 1, fileName: name))
                        counts[c.table.oid, default: (c.table.dataset, 0)].1 += 1
                    }
                    for (dataset, n) in counts.values { report.changes[dataset, default: 0] += n }
                    report.transactions += 1
                    try await batcher.append(lines, offsets: [StreamOffsetRecord(
                        source: server, stream: options.slot, consumerGroup: "cdc", partition: 0, nextOffset: LSN.format(endLSN),
                        dataset: datasets, updatedAt: ingestedAt)])
                default:
                    break
                }
            }
            guard let end = lastEnd else {
                if options.untilIdle { break }
                try await Task.sleep(nanoseconds: UInt64(options.pollSeconds * 1e9))
                continue
            }
            // The files and the LSN are committed: only now may the slot forget these changes.
            try await batcher.flush()
            CrashPoint.hit("cdc:committed")
            landedLSN = max(landedLSN, end)
            try await sql(connection, "advancing slot \(options.slot)",
                          "SELECT 1 FROM pg_replication_slot_advance(\(options.slot)::name, \(LSN.format(end))::pg_lsn)")
            report.confirmedLSN = LSN.format(end)
            if options.progress {
                progress.status("ingest cdc \(options.slot): \(report.transactions) transactions, "
                                + "\(report.changes.values.reduce(0, +)) changes, at \(LSN.format(end))")
            }
        }
    }

    func contract(_ table: CapturedTable, columns: [CDCContract.Column]) -> CDCContract {
        CDCContract(source: sourceFolder, dataset: table.dataset, table: table.qualified, columns: columns)
    }

    /// A Relation message whose columns differ from the last ones seen: the contract as of the
    /// changes that follow it (registering an unchanged contract does nothing). pgoutput does
    /// not say NOT NULL, and under REPLICA IDENTITY FULL it flags every column as key, so both
    /// come from the table's catalog entry, by column name.
    private func evolve(_ table: CapturedTable, _ relation: PgOutput.Relation, _ seen: inout [UInt32: [CDCContract.Column]]) throws -> String? {
        let columns = relation.columns.map { column in
            let known = table.columns.first { $0.name == column.name && $0.typeOID == column.typeOID }
            return CDCContract.Column(name: column.name, typeOID: column.typeOID, notNull: known?.notNull ?? false, key: known?.key ?? false)
        }
        guard seen[table.oid] != columns else { return nil }
        seen[table.oid] = columns
        return try contract(table, columns: columns).register(in: catalog)
    }
}
