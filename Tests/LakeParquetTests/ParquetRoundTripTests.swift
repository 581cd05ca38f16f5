import Foundation
import LakeCore
@testable import LakeParquet
import LakeTestSupport
import XCTest

final class ParquetRoundTripTests: XCTestCase {
    private func sampleColumns(rows: Int) -> [Column] {
        var ids = Column(ColumnSchema("id", .int64, nullable: false))
        var names = Column(ColumnSchema("name", .string))
        var scores = Column(ColumnSchema("score", .double))
        var flags = Column(ColumnSchema("flag", .boolean))
        var days = Column(ColumnSchema("day", .date))
        var times = Column(ColumnSchema("at", .timestamp))
        var small = Column(ColumnSchema("small", .int32, nullable: false))
        var idValues: [Int64] = [], nameValues = StringArray(), scoreValues: [Double] = [], flagValues: [Bool] = []
        var dayValues: [Int32] = [], timeValues: [Int64] = [], smallValues: [Int32] = []
        var nameValid: [Bool] = [], scoreValid: [Bool] = []
        for i in 0..<rows {
            idValues.append(Int64(i) * 1_000_003 - 500)
            nameValid.append(i % 7 != 3)
            if i % 7 == 3 { nameValues.appendEmpty() } else { nameValues.append("track-\(i % 50)") }
            scoreValid.append(i % 5 != 0)
            scoreValues.append(i % 5 == 0 ? 0 : Double(i) / 3)
            flagValues.append(i % 3 == 0)
            dayValues.append(Int32(19_000 + i % 30))
            timeValues.append(1_700_000_000_000_000 + Int64(i) * 1_000_001)
            smallValues.append(Int32(i % 100) - 50)
        }
        ids.data = .int64(idValues)
        names.data = .string(nameValues); names.validity = nameValid
        scores.data = .double(scoreValues); scores.validity = scoreValid
        flags.data = .boolean(flagValues)
        days.data = .int32(dayValues)
        times.data = .int64(timeValues)
        small.data = .int32(smallValues)
        return [ids, names, scores, flags, days, times, small]
    }

    func testWhatLakeWritesLakeReadsBackWithEveryCodec() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let columns = sampleColumns(rows: 25_000)
        for codec in [CompressionCodec.lz4Raw, .zstd, .snappy, .uncompressed] {
            for dictionary in [true, false] {
                var options = WriterOptions()
                options.codec = codec
                options.dictionary = dictionary
                options.rowGroupRows = 10_000
                options.pageBytes = 16 << 10
                let path = folder + "/t-\(codec)-\(dictionary).parquet"
                let writer = try ParquetWriter(path: path, schema: columns.map(\.schema), options: options)
                try writer.write(columns)
                let written = try writer.finish()
                XCTAssertEqual(written.rows, 25_000)
                XCTAssertEqual(written.rowGroups, 3)
                let file = try ParquetFile(path: path)
                XCTAssertEqual(file.rowCount, 25_000)
                XCTAssertEqual(file.schema, columns.map(\.schema))
                let back = try file.readAll()
                XCTAssertEqual(back, columns, "\(codec) dictionary=\(dictionary)")
            }
        }
    }

    /// Long strings are compared eight bytes at a time, then byte by byte: the bounds
    /// must be byte order's, whether the chunk is dictionary-encoded or PLAIN.
    func testStringBoundsFollowByteOrderPastTheFirstEightBytes() throws {
        let cases: [(values: [String], min: String, max: String)] = [
            (["zzzzzzzzA", "aaaaaaaaB", "aaaaaaaaA", "aaaaaaaa", "b", "é-long-string", "aaaaaaaaAB", ""], "", "é-long-string"),
            // A common prefix of two words and more: they differ in a later word or its tail.
            (["spotify:album:Zx", "spotify:album:é", "spotify:album:aa", "spotify:album:", "spotify:album:a", "spotify:album:abcdefgh0"],
             "spotify:album:", "spotify:album:é"),
            (["aaaaaaaaB", "aaaaaaaaA", "aaaaaaaaAB", "aaaaaaaa"], "aaaaaaaa", "aaaaaaaaB"),
        ]
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (k, c) in cases.enumerated() {
            var values = StringArray()
            for v in c.values { values.append(v) }
            var column = Column(ColumnSchema("id", .string))
            column.data = .string(values)
            for dictionary in [true, false] {
                var options = WriterOptions()
                options.dictionary = dictionary
                let writer = try ParquetWriter(path: folder + "/b\(k)-\(dictionary).parquet", schema: [column.schema], options: options)
                try writer.write([column])
                let written = try writer.finish()
                XCTAssertEqual(written.stats[0].min, .string(c.min), "case \(k), dictionary=\(dictionary)")
                XCTAssertEqual(written.stats[0].max, .string(c.max), "case \(k), dictionary=\(dictionary)")
            }
        }
    }

    func testStatisticsCoverEachRowGroup() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let columns = sampleColumns(rows: 100)
        let path = folder + "/s.parquet"
        let writer = try ParquetWriter(path: path, schema: columns.map(\.schema))
        try writer.write(columns)
        let written = try writer.finish()
        XCTAssertEqual(written.stats[0].min, .int(-500))
        XCTAssertEqual(written.stats[1].nullCount, 14)
        XCTAssertEqual(written.stats[1].min, .string("track-0"))
        XCTAssertEqual(written.stats[1].max, .string("track-9"))
        let file = try ParquetFile(path: path)
        XCTAssertEqual(file.statistics(rowGroup: 0, column: 0)?.max, .int(99 * 1_000_003 - 500))
        XCTAssertEqual(file.statistics(rowGroup: 0, column: 4)?.min, .date(19_000))
        XCTAssertEqual(file.statistics(rowGroup: 0, column: 1)?.nullCount, 14)
    }

    func testDistinctStringsArePlainUnlessTheWriterKeepsDictionaries() throws {
        // Event ids (every value distinct) are written PLAIN; a curated table's keys, distinct per
        // partition too, keep their dictionary so the query engine can group on codes.
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var ids = StringArray()
        for i in 0..<5_000 { ids.append("id-\(i)") }
        let column = Column(schema: ColumnSchema("id", .string, nullable: false), data: .string(ids))
        for keep in [false, true] {
            var options = WriterOptions()
            options.plainWhenUnique = !keep
            let path = folder + "/u-\(keep).parquet"
            let writer = try ParquetWriter(path: path, schema: [column.schema], options: options)
            try writer.write([column])
            _ = try writer.finish()
            let file = try ParquetFile(path: path)
            XCTAssertEqual(try file.readCodes(rowGroup: 0, column: 0) != nil, keep)
            XCTAssertEqual(try file.readAll()[0], column)
        }
    }

    func testRLEHybridRoundTripsRunsAndPackedGroups() throws {
        let values: [UInt32] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1]
        for width in [3, 4, 8] {
            var out: [UInt8] = []
            RLEHybrid.encode(values, bitWidth: width, into: &out)
            var back: [UInt32] = []
            try out.withUnsafeBytes { try RLEHybrid.decode($0, bitWidth: width, count: values.count, into: &back) }
            XCTAssertEqual(back, values)
        }
    }

    func testSnappyRoundTripsRepetitiveAndRandomBytes() throws {
        var random = SystemRandomNumberGenerator()
        let inputs: [[UInt8]] = [
            Array(String(repeating: "hello parquet ", count: 5000).utf8),
            (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &random) },
            [],
        ]
        for input in inputs {
            var compressed: [UInt8] = []
            input.withUnsafeBytes { Snappy.compress($0, into: &compressed) }
            let back = try compressed.withUnsafeBytes { try Snappy.decompress($0) }
            XCTAssertEqual(back, input)
        }
    }

    func testATruncatedFileIsNamedInTheError() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/broken.parquet"
        try Data("PAR1 not really".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ParquetFile(path: path)) { error in
            XCTAssertTrue("\(error)".contains("broken.parquet"), "\(error)")
        }
    }
}
