import Foundation
import LakeCore
import Logging
import PostgresNIO

/// A session advisory lock on a connection of its own, so lake processes on different
/// machines take turns. The server lets go of it when the holder's connection ends, even when
/// the holder was SIGKILLed; the connection's application_name says who holds it.
final class PostgresAdvisoryLock: HeldLock, @unchecked Sendable {
    private let connection: PostgresConnection
    private let logger: Logger
    private let state = NSLock()
    private var held = true
    let fence: Fence
    var onRelease: (() -> Void)?

    /// Which server session holds the lock: a commit checks that it still does.
    struct Fence: Sendable {
        var scope: String
        var key: String
        var pid: Int32

        func holds(_ db: CatalogDatabase) throws -> Bool {
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = ? AND \(PostgresAdvisoryLock.granted))",
                              arguments: [Int(pid), key]) ?? false
        }
    }

    /// Polls rather than blocking in `pg_advisory_lock`: a wait may be longer than any
    /// statement timeout, and each poll shows the current holder.
    static func acquire(_ scope: String, holder: String, settings: PostgresSettings, logger: Logger,
                        waiting: (String) -> Void) throws -> PostgresAdvisoryLock {
        let connection = try PostgresCatalogBackend.open(settings, id: 2, logger: logger)
        let db = PostgresCatalogDatabase(connection, logger: logger)
        let key = "lake:" + scope
        let pid: Int32
        do {
            _ = try db.run("SELECT set_config('application_name', ?, false)", [String(holder.utf8.prefix(63))!])
            pid = try db.run("SELECT pg_backend_pid()", []).first.map { $0[0] as Int32 } ?? 0
            var announced = false
            while try db.run("SELECT pg_try_advisory_lock(hashtextextended(?, 0))", [key]).first.map({ $0[0] as Bool }) != true {
                if !announced {
                    announced = true
                    waiting(try Self.holder(of: key, db) ?? "another lake process")
                }
                usleep(200_000)
            }
        } catch {
            PostgresCatalogBackend.discard(connection)
            throw CatalogError.database("\(settings.sourceID): taking the \(scope) lock: \(PostgresMessage.of(error))")
        }
        return PostgresAdvisoryLock(connection: connection, fence: Fence(scope: scope, key: key, pid: pid), logger: logger)
    }

    private init(connection: PostgresConnection, fence: Fence, logger: Logger) {
        self.connection = connection
        self.fence = fence
        self.logger = logger
    }

    /// The holder's application_name and address, from the server's own lock table.
    private static func holder(of key: String, _ db: PostgresCatalogDatabase) throws -> String? {
        let rows = try db.run("""
            SELECT a.application_name || coalesce(' from ' || host(a.client_addr), '')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE \(granted)
            """, [key])
        return rows.first.map { $0[0] as String }
    }

    /// A `pg_locks l` row of a granted lake lock whose key is the next parameter: how both the
    /// waiter (who holds it?) and the holder's commits (do I still?) find it.
    static let granted = "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        + "AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(?, 0)"

    func release() {
        state.lock()
        defer { state.unlock() }
        guard held else { return }
        held = false
        onRelease?()
        // Closing the session releases the lock; an explicit unlock first lets a waiter in at once.
        _ = try? PostgresCatalogDatabase(connection, logger: logger).run("SELECT pg_advisory_unlock(hashtextextended(?, 0))", [fence.key])
        PostgresCatalogBackend.discard(connection)
    }

    deinit { release() }
}
