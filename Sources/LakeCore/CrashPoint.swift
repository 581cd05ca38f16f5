import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named points where a test can make lake die as SIGKILL would (`LAKE_CRASH_AT=<name>`),
/// to prove that every step of a commit protocol survives a crash right there.
public enum CrashPoint {
    private static let armed = ProcessInfo.processInfo.environment["LAKE_CRASH_AT"]

    public static func hit(_ name: String) {
        guard let armed, armed == name else { return }
        fflush(stdout)
        kill(getpid(), SIGKILL)
    }
}
