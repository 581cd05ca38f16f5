import ArgumentParser
import Foundation
import LakeCore
import LakeEventLog
import LakeIngest
import LakeSimulators

struct EventsSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Listening events for the Spotify simulator's tracks and markets: to stdout, a topic, or Redis.",
        discussion: """
            lake simulator events --count 200000 | lake produce listens --key user_id
            lake simulator events --count 200000 --to redis://127.0.0.1:6379/listens
            lake simulator events --shape realistic --count 10000000 | lake produce plays --key user_id --partitions 8

            --shape realistic: the shape of a real listening log (50,000 tracks with Zipf popularity
            and local hits, 60 skewed markets, a million users, UUID event ids, 22-character ids,
            11 fields, ~300 bytes, 7 days), for benchmarks.
            """)
    enum Shape: String, ExpressibleByArgument { case demo, realistic }
    @OptionGroup var lake: LakeOptions
    @Option(help: "How many events.") var count = 10_000
    @Option(help: "Events per second (0: as fast as possible).") var rate = 0.0
    @Option(help: "Seed (the same seed and catalogue as `lake simulator spotify`).") var seed: UInt64 = 42
    @Option(help: "Catalogue size.") var scale = 1.0
    @Option(help: "Share of events played 1–3 days ago.") var lateRate = 0.01
    @Option(help: "Share of broken lines.") var malformedRate = 0.001
    @Option(help: "Number the first event so (for appending more later).") var first = 0
    @Option(help: "stdout, embedded:TOPIC, or redis://HOST:PORT/STREAM.") var to = "stdout"
    @Option(help: "demo (the simulator's catalogue, ~200 bytes) or realistic (a real log's shape, ~300 bytes).")
    var shape: Shape = .demo
    @Option(help: "Days the realistic events span, ending today.") var days = 7

    func run() async throws {
        var events = ListeningEvents(seed: seed, scale: scale)
        events.lateRate = lateRate
        events.malformedRate = malformedRate
        let realistic = RealisticListens(seed: seed, scale: scale, days: days)
        let generate: (Int, Int, Int, ([UInt8]) throws -> Void) throws -> Void = { [shape] first, count, chunk, sink in
            switch shape {
            case .demo: try events.generate(from: first, count: count, chunk: chunk, sink)
            case .realistic: try realistic.generate(from: first, count: count, chunk: chunk, sink)
            }
        }
        let started = Date()
        var sent = 0
        let pace: ([UInt8]) throws -> Void = { chunk in
            sent += chunk.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            if rate > 0 {
                let due = started.addingTimeInterval(Double(sent) / rate)
                let wait = due.timeIntervalSinceNow
                if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            }
        }
        if to == "stdout" {
            try generate(first, count, 4096) { chunk in
                _ = chunk.withUnsafeBytes { FileSystem.writeAll(1, $0) }
                try pace(chunk)
            }
        } else if to.hasPrefix("embedded:") {
            let topic = String(to.dropFirst("embedded:".count))
            let log = EventLog(root: lake.root)
            if (try? log.config(topic)) == nil { try log.create(topic, config: TopicConfig(partitions: 4)) }
            let producer = try Producer(log: log, topic: topic, keyField: "user_id")
            try generate(first, count, 4096) { chunk in
                _ = try chunk.withUnsafeBytes { try producer.sendLines($0, timestamp: Int64(Date().timeIntervalSince1970 * 1000)) }
                try pace(chunk)
            }
            _ = try producer.close()
        } else if to.hasPrefix("redis://"), let url = URLComponents(string: to), let host = url.host, url.path.count > 1 {
            let client = try RESPClient(host: host, port: url.port ?? 6379)
            let stream = String(url.path.dropFirst())
            try generate(first, count, 2000) { chunk in
                let lines = chunk.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
                _ = try client.pipeline(lines.map { ["XADD", stream, "*", "value", $0] })
                try pace(chunk)
            }
        } else {
            throw ValidationError("--to takes stdout, embedded:TOPIC or redis://HOST:PORT/STREAM")
        }
        Progress.shared.note("simulator: \(count) listening events to \(to) in " + String(format: "%.2f s", Date().timeIntervalSince(started)))
    }
}
