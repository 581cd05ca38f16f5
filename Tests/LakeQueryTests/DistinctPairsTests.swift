import LakeParquet
import Testing
@testable import LakeQuery

@Suite struct DistinctPairsTests {
    /// Listeners per market over three batches with repeats; `budget` small enough moves the
    /// pairs from bitmaps to the hash set midway.
    func newRowsPerBatch(budget: Int) -> [[Int]] {
        var pairs = DistinctPairs(bitmapBits: budget)
        let batches: [(groups: [Int], users: [String])] = [
            ([0, 0, 1, 1], ["u1", "u2", "u1", "u1"]),
            ([1, 2, 0, 2], ["u3", "u2", "u2", "u2"]),
            ([3, 3, 0, 1], (0..<4).map { "u\($0 + 100)" }),
        ]
        return batches.map { batch in
            var strings = StringArray()
            for u in batch.users { strings.append(u) }
            return pairs.newRows(groups: batch.groups, input: Vector(type: .varchar, storage: .strings(strings)), skip: nil)
        }
    }

    @Test func aPairIsNewOnceInBitmapsAndAfterMovingToTheHashSet() {
        let expected = [[0, 1, 2], [0, 1], [0, 1, 2, 3]]
        #expect(newRowsPerBatch(budget: 1 << 30) == expected)
        #expect(newRowsPerBatch(budget: 128) == expected)
    }
}
