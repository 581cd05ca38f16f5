/// `read_committed` for one partition, from the control markers alone: a transactional
/// producer's records wait until the marker that ends its transaction, then are kept
/// (COMMIT) or dropped (ABORT). Records leave in offset order, so every record before the
/// first undecided one has left, and a resume offset never skips a transaction still open.
///
/// Brokers list aborted transactions in Fetch answers, but librdkafka's mock cluster does
/// not, and the markers say the same thing on every broker.
struct TransactionFilter {
    private enum State { case undecided, kept, dropped }
    private var queue: [(record: KafkaRecord, state: State)] = []
    private var head = 0
    /// Producers with records still waiting for their marker.
    private var open: [Int64: Int] = [:]

    var isEmpty: Bool { head == queue.count }

    /// Takes a fetched entry; returns the records now ready, in offset order.
    mutating func add(_ entry: RecordSetEntry, ready: inout [KafkaRecord]) {
        switch entry {
        case let .record(record):
            if let producer = record.producerId {
                queue.append((record, .undecided))
                open[producer, default: 0] += 1
            } else if head == queue.count {
                ready.append(record)
            } else {
                queue.append((record, .kept))
            }
        case let .marker(producer, committed, _):
            guard open.removeValue(forKey: producer) != nil else { return }
            for i in head..<queue.count where queue[i].state == .undecided && queue[i].record.producerId == producer {
                queue[i].state = committed ? .kept : .dropped
            }
            release(into: &ready)
        case .skipped:
            break
        }
    }

    private mutating func release(into ready: inout [KafkaRecord]) {
        while head < queue.count, queue[head].state != .undecided {
            if queue[head].state == .kept { ready.append(queue[head].record) }
            head += 1
        }
        if head == queue.count || head > 4096 {
            queue.removeFirst(head)
            head = 0
        }
    }
}
