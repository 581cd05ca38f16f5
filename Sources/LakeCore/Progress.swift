import Foundation

/// Progress and notes on stderr, so stdout stays clean for results and `--format json`.
///
/// On a terminal a status line is redrawn in place; elsewhere it is printed at most every
/// few seconds.
public final class Progress: @unchecked Sendable {
    public static let shared = Progress()

    private let lock = NSLock()
    private let isTTY = isatty(2) == 1
    private var lastPrint = Date.distantPast
    private var statusShown = false
    public var quiet = false

    /// A line that stays: a note, a warning.
    public func note(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        clearStatus()
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// A status line that the next one replaces.
    public func status(_ message: String, force: Bool = false) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let interval = isTTY ? 0.2 : 5
        guard force || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        if isTTY {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + message).utf8))
            statusShown = true
        } else {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
    }

    /// Ends the status line.
    public func done() {
        lock.lock(); defer { lock.unlock() }
        clearStatus()
    }

    private func clearStatus() {
        if statusShown {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            statusShown = false
        }
    }
}
