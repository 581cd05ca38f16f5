import Foundation
import LakeParquet
import Testing
@testable import LakeQuery

@Suite struct StringNumbersTests {
    func strings(_ values: [String]) -> StringArray {
        var out = StringArray()
        for v in values { out.append(v) }
        return out
    }

    /// Numbers are given in first-seen order and kept while the table grows and its stores move.
    @Test func numbersStayWhileTheTableGrows() {
        var numbers = StringNumbers()
        let first = strings((0..<100).map { "listener-\($0)" })
        #expect(numbers.numbers(of: first) == (0..<100).map(UInt32.init))
        let more = strings((100..<50_000).map { "listener-\($0)-with-a-longer-name" })
        #expect(numbers.numbers(of: more) == (100..<50_000).map(UInt32.init))
        let both = strings(["listener-7", "listener-100-with-a-longer-name", "listener-99"])
        #expect(numbers.numbers(of: both) == [7, 100, 99])
        #expect(numbers.values.count == 50_000 && numbers.values[49_999] == "listener-49999-with-a-longer-name")
    }

    /// Copies that both number new strings do not write over each other's entries.
    @Test func copiesThatBothAppendStayApart() {
        var a = StringNumbers()
        _ = a.numbers(of: strings(["x", "y"]))
        var b = a
        #expect(a.numbers(of: strings(["from-a"])) == [2])
        #expect(b.numbers(of: strings(["from-b", "x"])) == [2, 0])
        #expect(a.values[2] == "from-a" && b.values[2] == "from-b")
        #expect(a.numbers(of: strings(["from-b"])) == [3])
    }

    /// Workers numbering dictionaries at once give each string one number, the same from
    /// every worker; the numbers are dense and read back as their strings.
    @Test func workersNumberingAtOnceGiveOneNumberPerString() {
        numberAtOnce(dictionaries: 8, entries: 5_000, distinct: 12_000)
    }

    /// The same while the table grows under the workers (150,000 strings pass its first size
    /// several times over), with empty strings among them.
    @Test func workersNumberingAtOnceWhileTheTableGrows() {
        numberAtOnce(dictionaries: 12, entries: 40_000, distinct: 150_000)
    }

    private func numberAtOnce(dictionaries n: Int, entries: Int, distinct: Int) {
        let shared = SharedStringNumbers()
        #expect(shared.claim())
        let name = { (v: Int) in v == 0 ? "" : "user-\(v)-\(String(repeating: "x", count: v % 40))" }
        let dictionaries = (0..<n).map { k in strings((0..<entries).map { name(($0 * 7 + k * 1_000) % distinct) }) }
        let results = UnsafeMutableBufferPointer<[UInt32]>.allocate(capacity: dictionaries.count)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: dictionaries.count) { k in
            results.initializeElement(at: k, to: shared.prenumber(dictionaries[k]).numbers!)
        }
        var byString: [String: UInt32] = [:]
        for (k, d) in dictionaries.enumerated() {
            for e in 0..<d.count {
                let number = results[k][e]
                #expect(byString[d[e], default: number] == number)
                byString[d[e]] = number
            }
        }
        let expected = Set(dictionaries.flatMap { d in (0..<d.count).map { d[$0] } }).count
        #expect(byString.count == expected && Set(byString.values).count == expected)
        let values = shared.values
        #expect(shared.count == expected && values.count == expected)
        for (string, number) in byString { #expect(values[Int(number)] == string) }
    }
}
