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

    /// A published copy shares the master's stores: it keeps answering for the strings it held
    /// while the master numbers many more (and moves its stores to larger buffers).
    @Test func aCopyKeepsItsNumbersWhileTheMasterGrows() {
        var master = StringNumbers()
        let first = strings((0..<100).map { "listener-\($0)" })
        #expect(master.numbers(of: first) == (0..<100).map(UInt32.init))
        let copy = master.lookupCopy
        let more = strings((100..<50_000).map { "listener-\($0)-with-a-longer-name" })
        #expect(master.numbers(of: more) == (100..<50_000).map(UInt32.init))
        let both = strings(["listener-7", "listener-100-with-a-longer-name", "listener-99"])
        var looked = [UInt32](repeating: Prenumbered.unknown, count: 3)
        copy.lookup(both, entries: [0, 1, 2], hashes: StringNumbers.hashes(both), into: &looked)
        #expect(looked == [7, Prenumbered.unknown, 99])
        #expect(master.numbers(of: both) == [7, 100, 99])
        #expect(master.values.count == 50_000 && master.values[49_999] == "listener-49999-with-a-longer-name")
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

    /// Workers numbering dictionaries at once through the shards give each string one number,
    /// the same from every worker, and the numbers read back as their strings.
    @Test func shardedNumbersAreOnePerStringFromEveryWorker() {
        let shared = SharedStringNumbers()
        #expect(shared.claim())
        let dictionaries = (0..<8).map { k in strings((0..<5_000).map { "user-\(($0 * 7 + k * 1_000) % 12_000)" }) }
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
        #expect(byString.count == 12_000 && Set(byString.values).count == 12_000)
        let values = shared.values
        #expect(shared.count == values.count && shared.count >= 12_000 && shared.count < 12_600)
        for (string, number) in byString { #expect(values[Int(number)] == string) }
    }
}
