import ArgumentParser
import Foundation
import LakeCore
import LakeEventLog

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Append NDJSON from stdin to a topic of the embedded event log, one event per line.",
        discussion: "A missing topic is created with --partitions partitions.")
    @OptionGroup var lake: LakeOptions
    @Argument(help: "Topic name.") var topic: String
    @Option(help: "Field whose value keys each event: same key, same partition, order kept.") var key: String?
    @Option(help: "Partitions of a topic created here.") var partitions = 4
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let log = EventLog(root: lake.root)
        if (try? log.config(topic)) == nil {
            try log.create(topic, config: TopicConfig(partitions: partitions))
            Progress.shared.note("created topic \(topic) with \(partitions) partitions")
        }
        let producer = try Producer(log: log, topic: topic, keyField: key)
        let started = Date()
        try producer.sendAll(from: 0) { count in
            Progress.shared.status("produce \(topic): \(count) events")
        }
        let ends = try producer.close()
        Progress.shared.done()
        if producer.unkeyed > 0, let key {
            Progress.shared.note("\(producer.unkeyed) events had no \"\(key)\" field: kept without a key, in sticky partitions")
        }
        let seconds = Date().timeIntervalSince(started)
        if format == .json {
            return Output.json(.object([
                ("topic", .string(topic)), ("events", .int(producer.produced)),
                ("seconds", .double((seconds * 1000).rounded() / 1000)),
                ("end_offsets", .array(ends.map { .int(Int($0)) })),
            ]))
        }
        print("Produced \(producer.produced) events to \(topic) in " + String(format: "%.2f s", seconds)
              + "; end offsets: " + ends.map(String.init).joined(separator: ", "))
    }
}
