import Foundation
import LakeCore
import LakeEventLog
import LakeTestSupport
import Testing

@Suite struct EventLogTests {
    let lake: TempLake

    init() throws { lake = try TempLake() }

    func makeLog(_ partitions: Int = 4, segmentBytes: Int = 64 << 20, retentionBytes: Int? = nil,
                 retentionHours: Double? = nil) throws -> EventLog {
        let log = EventLog(root: lake.root)
        try log.create("plays", config: TopicConfig(partitions: partitions, retentionHours: retentionHours,
                                                     retentionBytes: retentionBytes, segmentBytes: segmentBytes))
        return log
    }

    func produce(_ log: EventLog, _ lines: [String], key: String? = nil, timestamp: Int64 = 1000) throws -> [(Int, Int64)] {
        let producer = try Producer(log: log, topic: "plays", keyField: key)
        let result = try lines.map { line in
            try Array(line.utf8).withUnsafeBytes { try producer.send($0, timestamp: timestamp) }
        }
        _ = try producer.close()
        return result.map { ($0.partition, $0.offset) }
    }

    func readAll(_ log: EventLog, partition: Int, from offset: Int64 = 0) throws -> [(Int64, String, String)] {
        let reader = try PartitionReader(try log.partition("plays", partition), from: offset)
        var out: [(Int64, String, String)] = []
        try reader.read(maxRecords: .max) { r in
            out.append((r.offset, String(decoding: r.key, as: UTF8.self), String(decoding: r.value, as: UTF8.self)))
        }
        return out
    }

    @Test func aKeyKeepsItsPartitionAndItsOrder() throws {
        let log = try makeLog()
        let lines = (0..<400).map { #"{"user":"u\#($0 % 7)","n":\#($0)}"# }
        let placed = try produce(log, lines, key: "user")
        var partitionOf: [String: Int] = [:]
        for (i, (partition, _)) in placed.enumerated() {
            let user = "u\(i % 7)"
            #expect(partitionOf[user, default: partition] == partition)
            partitionOf[user] = partition
        }
        for p in 0..<4 {
            let records = try readAll(log, partition: p)
            #expect(records.map(\.0) == Array(0..<Int64(records.count)))
            for user in Set(records.map(\.1)) {
                let ns = records.filter { $0.1 == user }.map { try! JSONValue.parse($0.2)["n"]!.intValue! }
                #expect(ns == ns.sorted())
            }
        }
        #expect((0..<4).map { try! readAll(log, partition: $0).count }.reduce(0, +) == 400)
    }

    @Test func withoutAKeyRecordsGoInStickyBatchesAcrossPartitions() throws {
        let log = try makeLog(3)
        let placed = try produce(log, (0..<(Producer.stickyBatch * 3)).map { #"{"n":\#($0)}"# })
        #expect(Set(placed.map(\.0)).count == 3)
        let switches = zip(placed, placed.dropFirst()).filter { $0.0.0 != $0.1.0 }.count
        #expect(switches == 2)
    }

    @Test func aTornLastRecordIsCutOffNeverRead() throws {
        let log = try makeLog(1)
        _ = try produce(log, (0..<100).map { #"{"n":\#($0)}"# })
        let segment = try log.partition("plays", 0).segments().last!.path
        // A writer died half-way through a record.
        var torn: [UInt8] = []
        Array(#"{"n":100}"#.utf8).withUnsafeBytes { RecordFormat.encode(offset: 100, timestamp: 1, key: nil, value: $0, into: &torn) }
        let handle = FileHandle(forWritingAtPath: segment)!
        handle.seekToEndOfFile()
        handle.write(Data(torn.prefix(torn.count - 3)))
        handle.closeFile()

        #expect(try readAll(log, partition: 0).count == 100)
        let writer = try PartitionWriter(try log.partition("plays", 0))
        #expect(writer.repairedBytes == torn.count - 3 && writer.nextOffset == 100)
        try Array(#"{"n":"after"}"#.utf8).withUnsafeBytes { _ = try writer.append(key: nil, value: $0, timestamp: 2) }
        try writer.sync()
        let records = try readAll(log, partition: 0)
        #expect(records.count == 101 && records.last!.0 == 100 && records.last!.2 == #"{"n":"after"}"#)
    }

    @Test func aCorruptRecordInsideTheLogIsAnErrorNotData() throws {
        let log = try makeLog(1, segmentBytes: 2000)
        _ = try produce(log, (0..<300).map { #"{"n":\#($0)}"# })
        let first = try log.partition("plays", 0).segments().first!.path
        var bytes = try FileSystem.readFile(first)
        bytes[40] ^= 0xFF
        try FileSystem.writeAtomically(bytes, to: first)
        #expect(throws: LogError.self) { try readAll(log, partition: 0) }
    }

    @Test func aReaderOpenedOnAnEmptyPartitionSeesWhatIsAppendedLater() throws {
        let log = try makeLog(1)
        let reader = try PartitionReader(try log.partition("plays", 0), from: 0)
        #expect(try reader.read(maxRecords: 10) { _ in } == 0)
        _ = try produce(log, (0..<5).map { #"{"n":\#($0)}"# })
        var offsets: [Int64] = []
        try reader.read(maxRecords: 10) { offsets.append($0.offset) }
        #expect(offsets == [0, 1, 2, 3, 4])
    }

    @Test func theEndTrackerFollowsAppendsAcrossSegmentRolls() throws {
        let log = try makeLog(1, segmentBytes: 4096)
        let tracker = EndTracker(try log.partition("plays", 0))
        #expect(tracker.end() == 0)
        _ = try produce(log, (0..<70).map { #"{"n":\#($0),"pad":"xxxxxxxxxxxxxxxxxxxxxxxx"}"# })
        #expect(tracker.end() == 70)
        _ = try produce(log, (70..<300).map { #"{"n":\#($0),"pad":"xxxxxxxxxxxxxxxxxxxxxxxx"}"# })
        #expect(tracker.end() == 300)
        #expect(try log.partition("plays", 0).endOffset() == 300)
    }

    @Test func segmentsRollAndReadingCrossesThemFromAnyOffset() throws {
        let log = try makeLog(1, segmentBytes: 4096)
        _ = try produce(log, (0..<1000).map { #"{"n":\#($0),"pad":"xxxxxxxxxxxxxxxxxxxxxxxx"}"# })
        let partition = try log.partition("plays", 0)
        #expect(partition.segments().count > 5)
        #expect(try partition.endOffset() == 1000)
        #expect(try readAll(log, partition: 0, from: 537).map(\.0) == Array(537..<1000))
    }

    @Test func retentionByBytesRemovesTheOldestSegments() throws {
        let log = try makeLog(1, segmentBytes: 4096, retentionBytes: 10_000)
        _ = try produce(log, (0..<1000).map { #"{"n":\#($0),"pad":"xxxxxxxxxxxxxxxxxxxxxxxx"}"# })
        let partition = try log.partition("plays", 0)
        let kept = partition.segments().reduce(0) { $0 + (FileSystem.size($1.path) ?? 0) }
        #expect(kept <= 10_000 + 4096 + 100)
        #expect(partition.earliestOffset > 0)
        let records = try readAll(log, partition: 0)
        #expect(records.first?.0 == partition.earliestOffset && records.last?.0 == 999)
    }

    @Test func retentionByAgeRemovesOldSegments() throws {
        let log = try makeLog(1, segmentBytes: 4096, retentionHours: 1)
        _ = try produce(log, (0..<500).map { #"{"n":\#($0),"pad":"xxxxxxxxxxxxxxxxxxxxxxxx"}"# })
        let partition = try log.partition("plays", 0)
        let segments = partition.segments()
        let old = Date().addingTimeInterval(-7200)
        for segment in segments.prefix(2) {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: segment.path)
        }
        let writer = try PartitionWriter(partition)
        #expect(try writer.applyRetention().segments == 2)
        #expect(partition.earliestOffset == segments[2].base)
    }

    @Test func replayFromATimeFindsTheFirstRecordAtOrAfterIt() throws {
        let log = try makeLog(1)
        _ = try produce(log, (0..<10).map { #"{"n":\#($0)}"# }, timestamp: 1000)
        _ = try produce(log, (10..<20).map { #"{"n":\#($0)}"# }, timestamp: 5000)
        let partition = try log.partition("plays", 0)
        #expect(try PartitionReader.offset(in: partition, atOrAfter: 3000) == 10)
        #expect(try PartitionReader.offset(in: partition, atOrAfter: 0) == 0)
        #expect(try PartitionReader.offset(in: partition, atOrAfter: 9000) == 20)
    }

    @Test func topicsAreListedAndNamesChecked() throws {
        let log = try makeLog()
        #expect(log.topics() == ["plays"])
        #expect(throws: LogError.self) { try log.create("plays", config: TopicConfig(partitions: 1)) }
        #expect(throws: StorageError.self) { try log.create("../x", config: TopicConfig(partitions: 1)) }
        let error = #expect(throws: LogError.self) { try log.config("play") }
        #expect(error?.message.contains("plays") == true)
    }
}
