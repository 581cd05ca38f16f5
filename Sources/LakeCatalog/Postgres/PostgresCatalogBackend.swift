import Foundation
import LakeCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A team lake's catalog in PostgreSQL: one connection per process, one short transaction per
/// `read` or `write` (SERIALIZABLE for writes, so lake processes on several machines commit as
/// if one after another). A serialization failure, or a connection lost before the commit
/// (a restart, `pg_terminate_backend`), runs the transaction again on a new connection.
final class PostgresCatalogBackend: CatalogBackend, @unchecked Sendable {
    let settings: PostgresSettings
    let logger = Logger(label: "lake.catalog")
    private let lock = NSLock()
    private var connection: PostgresConnection?
    static let attempts = 5
    /// The advisory locks this process holds: each write checks, in its transaction, that their
    /// connections still hold them, so a holder whose lock the server dropped commits nothing.
    private let held = NSLock()
    private var locks: [ObjectIdentifier: PostgresAdvisoryLock.Fence] = [:]

    var location: String { settings.connectionURL }

    init(url: String, dataPath: String) throws {
        settings = try PostgresSettings.parse(url, passwordEnv: nil, stage: "Catalog")
        // A read says whether anything is missing: most commands open a migrated catalog, and
        // need not take the schema's lock in a write transaction to learn so.
        if try read({ db in try PostgresMigrations.pending(db) }) {
            try write { db in try PostgresMigrations.migrate(db, dataPath: dataPath) }
        }
    }

    deinit {
        try? connection?.close().wait()
    }

    func read<T>(_ body: (CatalogDatabase) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    func write<T>(_ body: (CatalogDatabase) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL SERIALIZABLE") { db in
            let result = try body(db)
            held.lock()
            let fences = Array(locks.values)
            held.unlock()
            for fence in fences where try !fence.holds(db) {
                throw CatalogError.lockLost(scope: fence.scope, server: settings.sourceID)
            }
            return result
        }
    }

    func appliedMigrations() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM lake_migrations ORDER BY applied_order") }
    }

    func engine() throws -> String {
        try read { db in "PostgreSQL " + (try String.fetchOne(db, sql: "SHOW server_version") ?? "") }
    }

    private func transaction<T>(begin: String, _ body: (CatalogDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        var attempt = 0
        while true {
            attempt += 1
            let db = PostgresCatalogDatabase(try connect(), logger: logger)
            var committing = false
            do {
                _ = try db.run(begin, [])
                let result = try body(db)
                committing = true
                _ = try db.run("COMMIT", [])
                return result
            } catch {
                let failure = Failure(error)
                if failure == .lostConnection {
                    connection.map(Self.discard)
                    connection = nil
                } else {
                    _ = try? db.run("ROLLBACK", [])
                }
                let again = failure == .serialization || (failure == .lostConnection && !committing)
                if again, attempt < Self.attempts {
                    logger.debug("catalog transaction retried", metadata: ["attempt": "\(attempt)", "error": "\(PostgresMessage.of(error))"])
                    usleep(UInt32(20_000 << min(attempt, 5)) + UInt32.random(in: 0..<20_000))
                    continue
                }
                guard error is PSQLError || error is ConnectionLost else { throw error }
                if failure == .lostConnection, committing {
                    throw CatalogError.database("\(settings.sourceID): the connection was lost while committing (\(PostgresMessage.of(error))); "
                                                + "the commit may or may not have happened — run the command again, it carries on from what the catalog holds")
                }
                throw CatalogError.database("\(settings.sourceID): \(PostgresMessage.of(error))")
            }
        }
    }

    private func connect() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection.map(Self.discard)
        connection = nil
        let opened = try Self.open(settings, id: 1, logger: logger)
        connection = opened
        return opened
    }

    /// A new connection to the catalog, or an error that says what to check.
    static func open(_ settings: PostgresSettings, id: Int, logger: Logger) throws -> PostgresConnection {
        do {
            return try connecting(PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(),
                                                             configuration: try settings.configuration(), id: id, logger: logger))
        } catch let error as PostgresURLError {
            throw error
        } catch {
            throw CatalogError.database("cannot reach the catalog at \(settings.sourceID) as \(settings.user) (\(PostgresMessage.of(error))) — "
                                        + "check that PostgreSQL runs there, and the password in PGPASSWORD or ~/.pgpass")
        }
    }

    /// The new connection, or an error after 30 s: a server that accepts the socket but never
    /// finishes the handshake must not hold lake for ever.
    static func connecting(_ future: EventLoopFuture<PostgresConnection>) throws -> PostgresConnection {
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { _ in done.signal() }
        guard done.wait(timeout: .now() + 30) == .success else {
            future.whenSuccess(discard)
            throw ConnectionLost()
        }
        return try future.wait()
    }

    /// Closes a connection given up on, keeping it alive until it is closed (postgres-nio
    /// requires a connection to be closed before it goes).
    static func discard(_ connection: PostgresConnection) {
        let _: EventLoopFuture<Void> = connection.close()
        connection.closeFuture.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// What a failed statement means for its transaction.
    enum Failure {
        case serialization, lostConnection, other

        init(_ error: Error) {
            if error is ConnectionLost { self = .lostConnection; return }
            guard let error = error as? PSQLError else { self = .other; return }
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "40001" || state == "40P01" { self = .serialization; return }
            // admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now, connection_exception.
            if ["57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("08") { self = .lostConnection; return }
            switch error.code {
            case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection: self = .lostConnection
            default: self = .other
            }
        }
    }
}

extension PostgresCatalogBackend {
    func advisoryLock(_ scope: String, holder: String, waiting: (String) -> Void) throws -> HeldLock {
        let lock = try PostgresAdvisoryLock.acquire(scope, holder: holder, settings: settings, logger: logger, waiting: waiting)
        let id = ObjectIdentifier(lock)
        held.lock()
        locks[id] = lock.fence
        held.unlock()
        lock.onRelease = { [weak self] in
            guard let self else { return }
            self.held.lock()
            self.locks[id] = nil
            self.held.unlock()
        }
        return lock
    }
}
