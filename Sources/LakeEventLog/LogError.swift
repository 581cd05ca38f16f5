import LakeCore

/// Failures of the embedded event log.
public enum LogError: LakeError {
    case unknownTopic(String, known: [String])
    case topicExists(String)
    case invalidTopicConfig(path: String, detail: String)
    case offsetOutOfRange(topic: String, partition: Int, offset: Int64, earliest: Int64, end: Int64)
    case recordTooLarge(bytes: Int, limit: Int)
    case corruptSegment(path: String, offset: Int64)

    public var stage: String { "Log" }

    public var message: String {
        switch self {
        case let .unknownTopic(name, known):
            return "no topic '\(name)'" + (known.isEmpty ? "; create it with `lake topics create \(name) --partitions N`"
                : "; topics: \(known.joined(separator: ", ")) (or `lake topics create \(name)`)")
        case let .topicExists(name):
            return "topic '\(name)' exists already; `lake topics describe \(name)` shows it"
        case let .invalidTopicConfig(path, detail):
            return "\(path): \(detail)"
        case let .offsetOutOfRange(topic, partition, offset, earliest, end):
            return "offset \(offset) is outside \(topic)/\(partition) (earliest \(earliest), end \(end)): retention may have removed it"
        case let .recordTooLarge(bytes, limit):
            return "a record of \(bytes) bytes is over the log's limit of \(limit) bytes"
        case let .corruptSegment(path, offset):
            return "\(path) is corrupt after offset \(offset) (a record's checksum or size is wrong); the records after it cannot be read"
        }
    }
}
