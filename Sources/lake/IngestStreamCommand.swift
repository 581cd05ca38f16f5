import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore
import LakeEventLog
import LakeIngest

struct IngestStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "An event stream → raw/<source>/<dataset>/, in micro-batches, exactly once.",
        discussion: """
            Reads the embedded log (default), a Redis stream or a Kafka topic with a consumer group, and
            commits each raw file with the offsets it covers. Without --max-records or --until-idle it
            follows the stream until SIGINT or SIGTERM, then commits what it holds and exits.

            Kafka: several lake processes with one --group split the topic's partitions (Kafka's group
            protocol); lake's catalog holds the offsets and Kafka gets a copy after each commit. Security
            settings come from --kafka-config FILE in librdkafka's names, e.g.
              security.protocol=SASL_SSL
              sasl.mechanism=SCRAM-SHA-512
              sasl.username=lake
              sasl.password=${KAFKA_PASSWORD}      (an environment variable; never the secret itself)
              ssl.ca.location=/etc/kafka/ca.pem
            """)

    @OptionGroup var lake: LakeOptions
    @Argument(help: "Topic (embedded log) or stream key (Redis; or give it in --from).") var topic: String
    @Option(help: "Dataset to land into.") var dataset: String
    @Option(help: "embedded, redis://HOST:PORT/STREAM, kafka://HOST:PORT[,HOST:PORT…], kinesis://STREAM or sqs://QUEUE-NAME-OR-URL.")
    var from = "embedded"
    @Option(help: "Consumer group.") var group = "lake"
    @Option(help: "raw/<source>/… (default: the topic, lower-cased, other characters as _).") var source: String?
    @Option(help: "Event field holding the region (ISO 3166-1 alpha-2).") var regionField: String?
    @Option(help: "Event field holding the event time (ISO 8601, or Unix seconds or ms): the dt partition.") var timeField: String?
    @Option(help: "Stop after this many events.") var maxRecords: Int?
    @Flag(help: "Stop once caught up.") var untilIdle = false
    @Option(help: "Start from earliest or latest instead of the group's committed offsets.") var reset: ResetPoint?
    @Option(help: "Start every partition at this offset (embedded log, Kafka).") var fromOffset: Int64?
    @Option(help: "Start at the first event appended at or after this ISO 8601 time (embedded log, Kafka).") var fromTime: String?
    @Option(help: "Read only these partitions, comma-separated (embedded log; Kafka: without joining the group).") var partitions: String?
    @Option(help: "Kafka client settings in librdkafka's property names (security, SASL, TLS, timeouts).") var kafkaConfig: String?
    @Option(help: "AWS profile in ~/.aws/credentials and ~/.aws/config (Kinesis, SQS).") var profile: String?
    @Option(help: "AWS region (default: AWS_REGION, or the profile's).") var region: String?
    @Option(help: "AWS endpoint, for LocalStack, moto or a VPC endpoint (default: AWS_ENDPOINT_URL).") var endpointUrl: String?
    @Option(help: "SQS long-poll wait in seconds (0–20); --until-idle stops after one empty poll.") var pollSeconds = 20
    @Option(help: "Kafka tombstones (null values): quarantine (reason tombstone) or keep (\"value\": null).") var tombstones: TombstonePolicy = .quarantine
    @Option(help: "Redis entry field holding the event JSON.") var field = "value"
    @Option(help: "Events read from a partition at a time (Kinesis: GetRecords' Limit).") var batch = 8192
    @Option(help: "Events per raw file before it is committed.") var maxFileRecords = 200_000
    @Option(help: "Uncompressed bytes per raw file before it is committed.") var maxFileBytes = 64 << 20
    @Option(help: "Uncompressed bytes in all open raw files before they are committed: the memory bound.") var maxOpenBytes = 256 << 20
    @Option(help: "Seconds before buffered events are committed anyway.") var maxFileAge = 10.0
    @Option(help: "Larger events go to quarantine.") var maxEventBytes = 1 << 20
    @Option(help: "gzip level of raw files.") var gzipLevel: Int32 = 1
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    enum ResetPoint: String, ExpressibleByArgument { case earliest, latest }
    enum TombstonePolicy: String, ExpressibleByArgument { case quarantine, keep }

    func validate() throws {
        if fromTime != nil, Timestamps.parse(fromTime!) == nil {
            throw ValidationError("--from-time takes an ISO 8601 time like 2026-11-24T10:00:00Z")
        }
        if [reset != nil, fromOffset != nil, fromTime != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give only one of --reset, --from-offset and --from-time")
        }
        if !(from == "embedded" || ["redis://", "kafka://", "kinesis://", "sqs://"].contains(where: from.hasPrefix)) {
            throw ValidationError("--from takes embedded, redis://HOST:PORT/STREAM, kafka://HOST:PORT[,HOST:PORT…], kinesis://STREAM or sqs://QUEUE")
        }
        if from.hasPrefix("sqs://"), reset != nil || fromOffset != nil || fromTime != nil || partitions != nil {
            throw ValidationError("an SQS queue has no offsets: --reset, --from-offset, --from-time and --partitions do not apply")
        }
        if from.hasPrefix("kinesis://"), fromOffset != nil || partitions != nil {
            throw ValidationError("Kinesis resumes by sequence number: use --reset earliest|latest or --from-time")
        }
        if kafkaConfig != nil, !from.hasPrefix("kafka://") {
            throw ValidationError("--kafka-config goes with --from kafka://…")
        }
    }

    func run() async throws {
        let catalog = try lake.openCatalog()
        var options = StreamOptions(dataset: dataset, source: source ?? Names.folderName(for: topic))
        options.group = group
        options.timeField = timeField
        options.regionField = regionField
        options.maxRecords = maxRecords
        options.untilIdle = untilIdle
        options.maxEventBytes = maxEventBytes
        options.batch = max(1, batch)
        options.keepTombstones = tombstones == .keep
        options.limits.maxRecords = maxFileRecords
        options.limits.maxBytes = maxFileBytes
        options.limits.maxAge = maxFileAge
        options.limits.maxOpenBytes = maxOpenBytes
        options.limits.gzipLevel = gzipLevel
        options.command = commandLine()
        options.progress = !quiet

        let start: StreamStart
        switch (reset, fromOffset, fromTime) {
        case (.earliest?, _, _): start = .earliest
        case (.latest?, _, _): start = .latest
        case let (_, offset?, _): start = .offset(offset)
        case let (_, _, time?): start = .time(Int64(Timestamps.parse(time)!.timeIntervalSince1970 * 1000))
        default: start = .committed
        }
        let stream: StreamSource
        if from == "embedded" {
            let log = EventLog(root: lake.root)
            let committed = try catalog.streamOffsets(source: "embedded", stream: topic, group: group)
            let embedded = try EmbeddedLogSource(
                log: log, topic: topic, group: group,
                committed: Dictionary(uniqueKeysWithValues: committed.compactMap { r in Int64(r.nextOffset).map { (r.partition, $0) } }),
                start: start, only: partitions.map { $0.split(separator: ",").compactMap { Int($0) } },
                lockFolder: lake.root.tmpPath + "/consumers")
            guard !embedded.partitions.isEmpty else {
                throw IngestError.invalidDeclaration(file: topic, problem: "every partition is being read by another consumer of group '\(group)'")
            }
            stream = embedded
        } else if from.hasPrefix("kafka://") {
            stream = try await KafkaSource.connect(
                url: from, topic: topic, group: group, configFile: kafkaConfig, catalog: catalog, dataset: dataset, start: start,
                only: try partitions.map { list in
                    try list.split(separator: ",").map {
                        guard let n = Int($0.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--partitions takes numbers like 0,2,5") }
                        return n
                    }
                })
        } else if from.hasPrefix("kinesis://") {
            stream = try await KinesisSource.connect(url: from, group: group, catalog: catalog, start: start, profile: profile,
                                                     region: region, endpoint: endpointUrl)
        } else if from.hasPrefix("sqs://") {
            stream = try await SQSSource.connect(url: from, catalog: catalog, profile: profile, region: region, endpoint: endpointUrl,
                                                 waitSeconds: pollSeconds)
        } else {
            stream = try await RedisStreamSource.connect(url: from, group: group, field: field, catalog: catalog,
                                                         reset: reset == .latest ? .latest : reset == .earliest ? .earliest : nil)
            if source == nil { options.source = Names.folderName(for: stream.stream) }
        }

        let stop = StopFlag()
        let signals = StopOnSignals(stop, note: "stopping: committing what is buffered…")
        defer { signals.cancel() }
        let report = try await StreamIngestion(source: stream, catalog: catalog, options: options).run(stop: stop)
        if format == .json { return Output.json(report.json) }
        var table = Table(["region", "files", "events", "bytes", "folder"])
        for row in report.rows {
            table.add([row.region, "\(row.counts.files)", "\(row.counts.records)", row.counts.bytes.byteSize, row.folder])
        }
        if !report.rows.isEmpty { print(table.render()) }
        print("Landed \(report.events - report.quarantined) events of \(report.stream) (partitions "
              + report.partitions.map(String.init).joined(separator: ",") + ") into \(dataset) in "
              + String(format: "%.1f s", report.seconds) + "; \(report.quarantined) quarantined.")
        if let reconciled = report.reconciled { print("Reconciled: \(reconciled).") }
    }
}
