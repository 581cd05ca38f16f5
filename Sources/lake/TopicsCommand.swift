import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeEventLog

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "The embedded event log's topics: create, list, describe, and plan capacity.",
        subcommands: [TopicsCreate.self, TopicsList.self, TopicsDescribe.self, TopicsPlan.self])
}

struct TopicsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a topic.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "Topic name (lower-case letters, digits, '_').") var topic: String
    @Option(help: "Partitions.") var partitions = 4
    @Option(help: "Remove segments older than this many hours.") var retentionHours: Double?
    @Option(help: "Keep at most this many bytes per partition.") var retentionBytes: Int?
    @Option(help: "Segment file size.") var segmentBytes = 64 << 20

    func run() async throws {
        try EventLog(root: lake.root).create(topic, config: TopicConfig(
            partitions: partitions, retentionHours: retentionHours, retentionBytes: retentionBytes, segmentBytes: segmentBytes))
        print("Created topic \(topic) with \(partitions) partition\(partitions == 1 ? "" : "s").")
    }
}

struct TopicsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every topic with its size.")
    @OptionGroup var lake: LakeOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let log = EventLog(root: lake.root)
        var rows: [(String, Int, Int64, Int)] = []
        for topic in log.topics() {
            let parts = try log.partitions(topic)
            let events = try parts.reduce(Int64(0)) { $0 + (try $1.endOffset() - $1.earliestOffset) }
            let bytes = parts.flatMap { $0.segments() }.reduce(0) { $0 + (FileSystem.size($1.path) ?? 0) }
            rows.append((topic, parts.count, events, bytes))
        }
        if format == .json {
            return Output.json(.array(rows.map {
                .object([("topic", .string($0.0)), ("partitions", .int($0.1)), ("events", .int(Int($0.2))), ("bytes", .int($0.3))])
            }))
        }
        var table = Table(["topic", "partitions", "events", "bytes"])
        for row in rows { table.add([row.0, "\(row.1)", "\(row.2)", row.3.byteSize]) }
        print(rows.isEmpty ? "No topics: `lake topics create NAME` or `lake produce NAME`." : table.render())
    }
}

struct TopicsDescribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Per partition: offsets, size, and each consumer group's committed offset and lag.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "Topic name.") var topic: String
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let log = EventLog(root: lake.root)
        let config = try log.config(topic)
        let parts = try log.partitions(topic)
        let offsets = lake.root.exists ? try lake.openCatalog().streamOffsets(source: "embedded", stream: topic) : []
        struct Row { var partition: Int; var earliest: Int64; var end: Int64; var segments: Int; var bytes: Int }
        let rows = try parts.map { p in
            Row(partition: p.number, earliest: p.earliestOffset, end: try p.endOffset(), segments: p.segments().count,
                bytes: p.segments().reduce(0) { $0 + (FileSystem.size($1.path) ?? 0) })
        }
        let groups = Dictionary(grouping: offsets, by: \.consumerGroup)
        func lag(_ record: StreamOffsetRecord) -> Int64 {
            let end = rows.first { $0.partition == record.partition }?.end ?? 0
            return max(0, end - (Int64(record.nextOffset) ?? 0))
        }
        if format == .json {
            return Output.json(.object([
                ("topic", .string(topic)), ("partitions", .int(config.partitions)),
                ("retention_hours", config.retentionHours.map(JSONValue.double) ?? .null),
                ("retention_bytes", config.retentionBytes.map(JSONValue.int) ?? .null),
                ("partition_offsets", .array(rows.map {
                    .object([("partition", .int($0.partition)), ("earliest_offset", .int(Int($0.earliest))),
                             ("end_offset", .int(Int($0.end))), ("segments", .int($0.segments)), ("bytes", .int($0.bytes))])
                })),
                ("groups", .array(groups.keys.sorted().map { name in
                    .object([("group", .string(name)), ("partitions", .array(groups[name]!.map {
                        .object([("partition", .int($0.partition)), ("committed_offset", .int(Int($0.nextOffset) ?? 0)),
                                 ("lag", .int(Int(lag($0)))), ("dataset", .string($0.dataset))])
                    }))])
                })),
            ]))
        }
        print("topic \(topic): \(config.partitions) partitions, retention "
              + (config.retentionHours.map { "\($0) h" } ?? "none") + " / " + (config.retentionBytes.map { $0.byteSize } ?? "no size limit"))
        var table = Table(["partition", "earliest", "end", "segments", "bytes"] + groups.keys.sorted().flatMap { ["\($0) committed", "\($0) lag"] })
        for row in rows {
            var cells = ["\(row.partition)", "\(row.earliest)", "\(row.end)", "\(row.segments)", row.bytes.byteSize]
            for name in groups.keys.sorted() {
                if let record = groups[name]!.first(where: { $0.partition == row.partition }) {
                    cells += [record.nextOffset, "\(lag(record))"]
                } else {
                    cells += ["-", "\(row.end - row.earliest)"]
                }
            }
            table.add(cells)
        }
        print(table.render())
    }
}

struct TopicsPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Partitions (shards) needed for a load, by Kinesis's per-shard limits.",
        discussion: "A shard takes 1 MB/s or 1,000 records/s in, and serves 2 MB/s out shared by its consumers.")
    @Option(help: "Producers' write rate, MB/s.") var writeMbS: Double
    @Option(help: "Records per second written.") var recordsS: Double
    @Option(help: "Read rate of each consumer, MB/s.") var readMbS: Double
    @Option(help: "Consumers reading every record.") var consumers = 1
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let byWrite = Int((writeMbS / 1).rounded(.up))
        let byRecords = Int((recordsS / 1000).rounded(.up))
        let byRead = Int((readMbS * Double(consumers) / 2).rounded(.up))
        let shards = max(1, byWrite, byRecords, byRead)
        let fanOut = max(1, byWrite, byRecords, Int((readMbS / 2).rounded(.up)))
        if format == .json {
            return Output.json(.object([
                ("partitions", .int(shards)), ("by_write_mb", .int(byWrite)), ("by_records", .int(byRecords)),
                ("by_read_mb", .int(byRead)), ("with_enhanced_fan_out", .int(fanOut)),
            ]))
        }
        print("""
            writes:  \(fmt(writeMbS)) MB/s ÷ 1 MB/s per shard                        = \(byWrite)
            records: \(fmt(recordsS)) records/s ÷ 1,000 records/s per shard            = \(byRecords)
            reads:   \(fmt(readMbS)) MB/s × \(consumers) consumer\(consumers == 1 ? "" : "s") ÷ 2 MB/s per shard (shared) = \(byRead)
            partitions needed: max(\(byWrite), \(byRecords), \(byRead)) = \(shards)
            (with enhanced fan-out, 2 MB/s per consumer per shard: \(fanOut))
            """)
    }

    func fmt(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
