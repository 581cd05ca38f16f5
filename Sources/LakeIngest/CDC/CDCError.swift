import Foundation
import LakeCore

/// What went wrong capturing changes, naming the database, slot or table and what to do.
public enum CDCError: LakeError {
    case configuration(String)
    case database(server: String, action: String, detail: String)
    case walLevel(server: String, level: String)
    case noKey(table: String)
    case missingTable(String)
    case datasetTaken(table: String, dataset: String, contract: String)

    public var stage: String { "CDC" }

    public var message: String {
        switch self {
        case let .configuration(detail): return detail
        case let .database(server, action, detail): return "\(server): \(action) failed: \(detail)"
        case let .walLevel(server, level):
            return "\(server) has wal_level=\(level): logical decoding needs wal_level=logical (postgresql.conf, then a restart)"
        case let .noKey(table):
            return "\(table) has no primary key: run ALTER TABLE \(table) REPLICA IDENTITY FULL, or give the key in its contract"
        case let .missingTable(table): return "\(table) is not a table of the database: check --tables (schema.table)"
        case let .datasetTaken(table, dataset, contract):
            return "\(table) would land as dataset \(dataset), which already has a contract for other records (\(contract)); "
                + "capture it under another name (`--dataset-prefix pg_`), or register a contract with x-lake.raw_format \"debezium\" for it"
        }
    }
}
