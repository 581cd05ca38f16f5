import GRDB
import LakeCore

/// The catalog's schema, as named migrations that GRDB applies once each, in order.
///
/// Tables carry the `lake_` prefix: `ducklake_` is kept for the DuckLake tables that
/// staged and curated data will be registered in.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-datasets-files-checkpoints-runs") { db in
            try db.create(table: "lake_datasets") { t in
                t.primaryKey("name", .text)
                t.column("source", .text)
                t.column("zone", .text).notNull()
                t.column("owner", .text)
                t.column("description", .text)
                t.column("retention_days", .integer)
                t.column("freshness_hours", .double)
                t.column("pii", .text).notNull().defaults(to: "[]")
                t.column("partition_by", .text).notNull().defaults(to: "[]")
                t.column("primary_key", .text).notNull().defaults(to: "[]")
                t.column("records_path", .text)
                t.column("current_schema_version", .integer)
                t.column("contract_file", .text)
                t.column("created_at", .text).notNull()
                t.column("updated_at", .text).notNull()
            }
            try db.create(table: "lake_schema_versions") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("dataset", .text).notNull().references("lake_datasets", onDelete: .cascade)
                t.column("version", .integer).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("schema_json", .text).notNull()
                t.column("source_file", .text)
                t.column("registered_at", .text).notNull()
                t.uniqueKey(["dataset", "version"])
            }
            try db.create(table: "lake_files") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull().unique()
                t.column("dataset", .text).notNull().indexed()
                t.column("source", .text)
                t.column("zone", .text).notNull()
                t.column("partition_values", .text).notNull()
                t.column("dt", .text)
                t.column("region", .text)
                t.column("rows", .integer).notNull()
                // Records inside the rows: items of API pages; equal to rows for events.
                t.column("records", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("batch_id", .text).notNull()
                t.column("tmp_path", .text).indexed()
                t.column("run_id", .integer)
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "lake_ingestions") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("status", .text).notNull()
                t.column("params", .text).notNull()
                t.column("started_at", .text).notNull()
                t.column("finished_at", .text)
            }
            try db.create(table: "lake_checkpoints") { t in
                t.column("ingestion_id", .integer).notNull().references("lake_ingestions", onDelete: .cascade)
                t.column("dataset", .text).notNull()
                t.column("scope", .text).notNull()
                t.column("state", .text).notNull()
                t.column("done", .boolean).notNull()
                t.column("updated_at", .text).notNull()
                t.primaryKey(["ingestion_id", "dataset", "scope"])
            }
            try db.create(table: "lake_cursors") { t in
                t.column("source", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("scope", .text).notNull()
                t.column("value", .text).notNull()
                t.column("updated_at", .text).notNull()
                t.primaryKey(["source", "dataset", "scope"])
            }
            try db.create(table: "lake_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("command", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("ingestion_id", .integer)
                t.column("started_at", .text).notNull()
                t.column("ended_at", .text)
                t.column("outcome", .text).notNull()
                t.column("counts", .text)
                t.column("error", .text)
            }
        }
        migrator.registerMigration("v2-stream-offsets") { db in
            try db.create(table: "lake_stream_offsets") { t in
                t.column("source", .text).notNull()
                t.column("stream", .text).notNull()
                t.column("consumer_group", .text).notNull()
                t.column("partition", .integer).notNull()
                t.column("next_offset", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("updated_at", .text).notNull()
                t.primaryKey(["source", "stream", "consumer_group", "partition"])
            }
        }
        migrator.registerMigration("v3-versions-lineage-drift") { db in
            // One row per published version of a staged or curated dataset; `current` is the one
            // its folder link points at, `retired` ones wait for `lake vacuum`.
            try db.create(table: "lake_versions") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("dataset", .text).notNull()
                t.column("zone", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("folder", .text).notNull()
                t.column("state", .text).notNull()
                t.column("files", .integer).notNull()
                t.column("rows", .integer).notNull()
                t.column("run_id", .integer)
                t.column("created_at", .text).notNull()
                t.column("retired_at", .text)
                t.uniqueKey(["dataset", "zone", "version"])
            }
            // Which raw files became which staged files.
            try db.create(table: "lake_lineage") { t in
                t.column("dataset", .text).notNull()
                t.column("input_path", .text).notNull()
                t.column("output_path", .text).notNull().indexed()
                t.column("version", .integer).notNull()
                t.column("rows", .integer).notNull()
                t.primaryKey(["dataset", "input_path", "output_path"])
            }
            // Raw files a promotion has read, so the next one reads only new ones.
            try db.create(table: "lake_promoted") { t in
                t.column("dataset", .text).notNull()
                t.column("raw_path", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("records", .integer).notNull()
                t.column("staged", .integer).notNull()
                t.column("quarantined", .integer).notNull()
                t.column("duplicates", .integer).notNull()
                t.column("promoted_at", .text).notNull()
                t.primaryKey(["dataset", "raw_path"])
            }
            try db.create(table: "lake_schema_drift") { t in
                t.column("dataset", .text).notNull()
                t.column("field", .text).notNull()
                t.column("seen_type", .text).notNull()
                t.column("first_raw_file", .text).notNull()
                t.column("count", .integer).notNull()
                t.column("first_seen_at", .text).notNull()
                t.column("last_seen_at", .text).notNull()
                t.primaryKey(["dataset", "field", "seen_type"])
            }
        }
        migrator.registerMigration("v4-audit") { db in
            // Every operation that deletes or adopts data: when, what, why, by which command.
            // `state` is `applying` until the files are gone from disk, then `done`; a run that
            // finds one `applying` finishes it.
            try db.create(table: "lake_audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("action", .text).notNull()
                t.column("command", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("datasets", .text).notNull()
                t.column("files", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("started_at", .text).notNull()
                t.column("finished_at", .text)
            }
            // The files an audited operation touched, each with its dataset and partition.
            try db.create(table: "lake_audit_files") { t in
                t.column("audit_id", .integer).notNull().references("lake_audit", onDelete: .cascade)
                t.column("path", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("zone", .text).notNull()
                t.column("dt", .text)
                t.column("bytes", .integer).notNull()
                t.primaryKey(["audit_id", "path"])
            }
        }
        migrator.registerMigration("v5-ducklake") { db in
            // DuckLake's own tables, so DuckDB can attach the catalog (see DuckLakeSchema).
            let root = (db.configuration.label ?? "")
            _ = root
            try DuckLakeSchema.create(db, dataPath: "./", now: Timestamps.iso())
        }
        migrator.registerMigration("v6-stream-gaps-landed-messages") { db in
            // Offsets a stream deleted (retention) before lake read them: data lost upstream.
            try db.create(table: "lake_stream_gaps") { t in
                t.column("source", .text).notNull()
                t.column("stream", .text).notNull()
                t.column("consumer_group", .text).notNull()
                t.column("partition", .integer).notNull()
                t.column("from_offset", .integer).notNull()
                t.column("to_offset", .integer).notNull()
                t.column("dataset", .text).notNull()
                t.column("detected_at", .text).notNull()
                t.primaryKey(["source", "stream", "consumer_group", "partition", "from_offset"])
            }
            // Queue messages already landed, until the queue itself would have dropped them.
            try db.create(table: "lake_landed_messages") { t in
                t.column("queue", .text).notNull()
                t.column("message_id", .text).notNull()
                t.column("landed_at", .text).notNull()
                t.column("expires_at", .text).notNull().indexed()
                t.primaryKey(["queue", "message_id"])
            }
            // Databases captured by CDC, so governance can ask their slots how much WAL they hold.
            try db.create(table: "lake_cdc_sources") { t in
                t.column("source", .text).notNull()
                t.column("slot", .text).notNull()
                t.column("publication", .text).notNull()
                t.column("connection", .text).notNull()
                t.column("tables", .text).notNull()
                t.column("updated_at", .text).notNull()
                t.primaryKey(["source", "slot"])
            }
        }
        migrator.registerMigration("v7-pending-uploads") { db in
            // Objects being put into a team lake's S3 storage, until their commit (see PendingUploadRecord).
            try db.create(table: "lake_pending_uploads") { t in
                t.column("path", .text).notNull().primaryKey()
                t.column("tmp_path", .text).notNull()
                t.column("created_at", .text).notNull()
            }
        }
        return migrator
    }
}
