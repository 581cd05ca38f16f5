import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named points where a test can make lake die as SIGKILL would (`LAKE_CRASH_AT=<name>`),
/// to prove that every step of a commit protocol survives a crash right there; or wait there
/// (`LAKE_PAUSE_AT=<name>`, `LAKE_PAUSE_SECONDS`, 5 by default) while the test breaks something.
public enum CrashPoint {
    private static let armed = ProcessInfo.processInfo.environment["LAKE_CRASH_AT"]
    private static let pause = ProcessInfo.processInfo.environment["LAKE_PAUSE_AT"]

    public static func hit(_ name: String) {
        if let pause, pause == name {
            FileHandle.standardError.write(Data("lake: paused at \(name) (LAKE_PAUSE_AT)\n".utf8))
            Thread.sleep(forTimeInterval: Double(ProcessInfo.processInfo.environment["LAKE_PAUSE_SECONDS"] ?? "") ?? 5)
        }
        guard let armed, armed == name else { return }
        fflush(stdout)
        kill(getpid(), SIGKILL)
    }
}
