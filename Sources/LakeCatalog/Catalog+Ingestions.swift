import LakeCore

extension Catalog {
    /// The unfinished ingestion of `source` to resume, or a new one.
    /// Resumes the source's unfinished ingestion when it ran with the same `params` (API,
    /// regions, datasets), or starts a new one; an unfinished one with other params (or any,
    /// with `fresh`) is abandoned and returned, its committed pages kept.
    public func openIngestion(source: String, params: String, fresh: Bool = false) throws
        -> (ingestion: IngestionRecord, resumed: Bool, abandoned: IngestionRecord?)
    {
        try write { db in
            let open = try IngestionRecord.fetchOne(db, "WHERE source = ? AND status = 'running' ORDER BY id DESC", [source])
            var abandoned: IngestionRecord?
            if var open {
                if !fresh, open.params == params { return (open, true, nil) }
                open.status = "abandoned"
                open.finishedAt = Timestamps.iso()
                try open.update(db)
                abandoned = open
            }
            var record = IngestionRecord(
                id: nil, source: source, status: "running", params: params,
                startedAt: Timestamps.iso(), finishedAt: nil)
            try record.insert(db)
            return (record, false, abandoned)
        }
    }

    public func completeIngestion(_ id: Int64) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE lake_ingestions SET status = 'complete', finished_at = ? WHERE id = ?",
                arguments: [Timestamps.iso(), id])
        }
    }

    public func ingestions(source: String? = nil) throws -> [IngestionRecord] {
        try read { db in
            try IngestionRecord.fetchAll(db, matching: ["source": source], orderBy: "id")
        }
    }

    public func checkpoints(ingestion: Int64) throws -> [CheckpointRecord] {
        try read { try CheckpointRecord.fetchAll($0, "WHERE ingestion_id = ?", [ingestion]) }
    }

    /// Saves a checkpoint that no file goes with (a unit that found nothing to land).
    public func saveCheckpoint(_ checkpoint: CheckpointRecord) throws {
        try write { try checkpoint.save($0) }
    }

    public func cursor(source: String, dataset: String, scope: String) throws -> String? {
        try read { db in
            try CursorRecord.fetchOne(db, key: ["source": source, "dataset": dataset, "scope": scope])?.value
        }
    }
}

extension Catalog {
    /// A consumer group's committed positions in a stream, by partition.
    public func streamOffsets(source: String, stream: String, group: String? = nil) throws -> [StreamOffsetRecord] {
        try read { db in
            try StreamOffsetRecord.fetchAll(db, matching: ["source": source, "stream": stream, "consumer_group": group],
                                            orderBy: "consumer_group, partition")
        }
    }

    /// Records a gap; found again by a restarted run (same start), it keeps the widest end.
    public func recordStreamGap(_ gap: StreamGapRecord) throws {
        try write { db in
            if var known = try StreamGapRecord.fetchOne(db, key: [
                "source": gap.source, "stream": gap.stream, "consumer_group": gap.consumerGroup,
                "partition": gap.partition, "from_offset": gap.fromOffset,
            ]) {
                known.toOffset = max(known.toOffset, gap.toOffset)
                try known.update(db)
            } else {
                try gap.insert(db)
            }
        }
    }

    /// Which of `ids` already landed from `queue`.
    public func landedMessages(queue: String, ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try read { db in
            Set(try String.fetchAll(db, sql: "SELECT message_id FROM lake_landed_messages WHERE queue = ? AND message_id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))",
                                    arguments: [queue] + ids))
        }
    }

    /// Forgets landed messages the queue itself no longer keeps.
    public func expireLandedMessages(before time: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM lake_landed_messages WHERE expires_at < ?", arguments: [time]) }
    }

    public func streamGaps() throws -> [StreamGapRecord] {
        try read { try StreamGapRecord.fetchAll($0, "ORDER BY stream, partition, from_offset") }
    }

    /// Whether a file is already recorded at `path`.
    public func hasFile(path: String) throws -> Bool {
        try read { try Int.fetchOne($0, sql: "SELECT count(*) FROM lake_files WHERE path = ?", arguments: [path]) ?? 0 > 0 }
    }
}

extension Catalog {
    public func startRun(command: String, ingestion: Int64? = nil) throws -> Int64 {
        try write { db in
            var run = RunRecord(
                id: nil, command: command, pid: Int(getpid()), ingestionId: ingestion,
                startedAt: Timestamps.iso(), endedAt: nil, outcome: "running", counts: nil, error: nil)
            try run.insert(db)
            return run.id!
        }
    }

    public func setRunIngestion(_ run: Int64, ingestion: Int64) throws {
        try write { try $0.execute(sql: "UPDATE lake_runs SET ingestion_id = ? WHERE id = ?", arguments: [ingestion, run]) }
    }

    public func finishRun(_ id: Int64, outcome: String, counts: JSONValue?, error: String?) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE lake_runs SET ended_at = ?, outcome = ?, counts = ?, error = ? WHERE id = ?",
                arguments: [Timestamps.iso(), outcome, counts?.serialized(), error, id])
        }
    }

    public func runs(limit: Int = 50) throws -> [RunRecord] {
        try read { try RunRecord.fetchAll($0, "ORDER BY id DESC LIMIT ?", [limit]) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
