import Foundation
import LakeCatalog
import LakeGovernance
import LakeIngest

/// Asks each database lake captures how much WAL its slot holds, for `cdc-slot-lag`.
enum CDCSlotReadings {
    static func read(_ catalog: Catalog) async -> [CDCSlotReading] {
        guard let sources = try? catalog.cdcSources() else { return [] }
        var readings: [CDCSlotReading] = []
        for source in sources {
            do {
                var options = CDCOptions()
                options.slot = source.slot
                options.publication = source.publication
                let settings = try PostgresSettings.parse(source.connection, passwordEnv: nil)
                let fixed = options
                let status = try await withTimeout(seconds: 15) {
                    try await CDCIngestion(settings: settings, catalog: catalog, options: fixed).status()
                }
                readings.append(CDCSlotReading(source: source.source, slot: source.slot, tables: source.tables,
                                               exists: status.exists, retainedBytes: status.retainedBytes, error: nil))
            } catch {
                readings.append(CDCSlotReading(source: source.source, slot: source.slot, tables: source.tables,
                                               exists: true, retainedBytes: 0, error: "\(error)"))
            }
        }
        return readings
    }

    struct TimedOut: Error, CustomStringConvertible { var description: String { "no answer within 15 s" } }

    static func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                throw TimedOut()
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }
}
