import Dispatch
import Foundation
import LakeCore
import LakeIngest

/// SIGINT and SIGTERM stop a following ingestion instead of killing it: it commits what it
/// holds and exits 0. Cancel when the ingestion is over.
struct StopOnSignals {
    private let sources: [DispatchSourceSignal]

    init(_ stop: StopFlag, note: String? = nil) {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { sig in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if let note { Progress.shared.note(note) }
                stop.stop()
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
