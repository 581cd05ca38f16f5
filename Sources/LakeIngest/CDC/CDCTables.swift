import Foundation
import LakeCore
import Logging
import PostgresNIO

/// A captured table as PostgreSQL's catalog describes it, and the dataset it lands in.
public struct CapturedTable: Sendable {
    public var oid: UInt32
    public var schema: String
    public var name: String
    public var dataset: String
    public var replicaIdentity: String
    public var columns: [(name: String, typeOID: UInt32, notNull: Bool, key: Bool)]
    public var qualified: String { "\(schema).\(name)" }
    var quotedName: String { "\(CDCSQL.ident(schema)).\(CDCSQL.ident(name))" }

    /// Datasets are named after the table alone; `<schema>_<table>` only where two captured
    /// schemas share a table name.
    static func datasets(for names: [(schema: String, name: String)], prefix: String = "") -> [String] {
        names.map { table in
            let clash = names.filter { $0.name == table.name }.count > 1
            return Names.folderName(for: prefix + (clash ? "\(table.schema)_\(table.name)" : table.name))
        }
    }

    /// Looks the tables up (`public` when no schema is given); a missing one is an error.
    static func lookup(_ requested: [String], prefix: String, on connection: PostgresConnection, logger: Logger) async throws -> [CapturedTable] {
        var found: [(oid: UInt32, schema: String, name: String, identity: String)] = []
        for entry in requested {
            let parts = entry.split(separator: ".", maxSplits: 1).map(String.init)
            let (schema, name) = parts.count == 2 ? (parts[0], parts[1]) : ("public", parts[0])
            let rows = try await connection.query("""
                SELECT c.oid::int8, c.relreplident::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(schema) AND c.relname = \(name) AND c.relkind IN ('r', 'p')
                """, logger: logger)
            var hit: (Int64, String)?
            for try await row in rows.decode((Int64, String).self) { hit = row }
            guard let hit else { throw CDCError.missingTable(entry) }
            found.append((UInt32(hit.0), schema, name, hit.1))
        }
        let datasets = datasets(for: found.map { ($0.schema, $0.name) }, prefix: prefix)
        var tables: [CapturedTable] = []
        for (i, table) in found.enumerated() {
            let rows = try await connection.query("""
                SELECT a.attname::text, a.atttypid::int8, a.attnotnull,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey))
                FROM pg_attribute a WHERE a.attrelid = \(Int64(table.oid)) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
                """, logger: logger)
            var columns: [(name: String, typeOID: UInt32, notNull: Bool, key: Bool)] = []
            for try await (name, type, notNull, key) in rows.decode((String, Int64, Bool, Bool).self) {
                columns.append((name, UInt32(type), notNull, key))
            }
            tables.append(CapturedTable(oid: table.oid, schema: table.schema, name: table.name, dataset: datasets[i],
                                        replicaIdentity: table.identity, columns: columns))
        }
        return tables
    }
}

/// SQL text helpers for identifiers lake cannot bind as parameters.
enum CDCSQL {
    static func ident(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

}
