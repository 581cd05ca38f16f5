import Foundation
import LakeCore

/// The embedded event log: topics of partitions of append-only segment files, under
/// `<lake root>/_streams/`:
///
/// ```
/// _streams/<topic>/topic.json
/// _streams/<topic>/<partition>/<base offset, 20 digits>.log
/// _streams/<topic>/<partition>/append.lock
/// ```
/// Offsets count from 0 in each partition; a record keeps its offset for ever, also after
/// retention removes the segments before it.
public struct EventLog: Sendable {
    public let folder: String

    public init(root: LakeRoot) { folder = root.path + "/_streams" }

    public func topicFolder(_ topic: String) -> String { folder + "/" + topic }

    public func create(_ topic: String, config: TopicConfig) throws {
        try Names.validate(topic, kind: "topic")
        guard config.partitions >= 1 else {
            throw LogError.invalidTopicConfig(path: topic, detail: "a topic needs at least one partition")
        }
        guard !FileSystem.exists(topicFolder(topic) + "/topic.json") else { throw LogError.topicExists(topic) }
        for p in 0..<config.partitions { try FileSystem.makeDirectories(topicFolder(topic) + "/\(p)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileSystem.writeAtomically(Array(try encoder.encode(config)), to: topicFolder(topic) + "/topic.json")
    }

    public func topics() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { FileSystem.exists(topicFolder($0) + "/topic.json") }.sorted()
    }

    public func config(_ topic: String) throws -> TopicConfig {
        let path = topicFolder(topic) + "/topic.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LogError.unknownTopic(topic, known: topics())
        }
        do { return try JSONDecoder().decode(TopicConfig.self, from: data) } catch {
            throw LogError.invalidTopicConfig(path: path, detail: "\(error)")
        }
    }

    public func partition(_ topic: String, _ number: Int) throws -> Partition {
        let config = try config(topic)
        return Partition(folder: topicFolder(topic) + "/\(number)", topic: topic, number: number, config: config)
    }

    public func partitions(_ topic: String) throws -> [Partition] {
        let config = try config(topic)
        return (0..<config.partitions).map {
            Partition(folder: topicFolder(topic) + "/\($0)", topic: topic, number: $0, config: config)
        }
    }
}
