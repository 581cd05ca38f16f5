import ArgumentParser
import Foundation
import LakeCore

/// The one boundary where errors become a line on stderr and an exit status:
/// 0 success, 1 failure (one-line reason), 2 bad usage.
@main
enum Main {
    static func main() async {
        setvbuf(stdout, nil, _IOFBF, 1 << 16)
        let code: Int32
        do {
            var command = try Lake.parseAsRoot(Self.liftLakeRoot(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let error as LakeError {
            fail("\(error)")
            code = 1
        } catch let error as ExitCode {
            code = error.rawValue
        } catch {
            let exit = Lake.exitCode(for: error)
            let message = Lake.fullMessage(for: error)
            if exit == .success {
                print(message)
                code = 0
            } else if exit == .validationFailure {
                fail(message)
                code = 2
            } else {
                fail("lake: \(message.isEmpty ? "\(error)" : message)")
                code = 1
            }
        }
        fflush(stdout)
        exit(code)
    }

    /// `lake --lake DIR <command> …` as `git -C` and `docker --host` take it: a lake root given
    /// before the command is the root for that command (as `$LAKE_HOME` would be; a `--lake`
    /// after the command still wins).
    static func liftLakeRoot(_ arguments: [String]) -> [String] {
        var rest = arguments
        while let first = rest.first, first.hasPrefix("--lake") {
            if first == "--lake", rest.count >= 2 {
                setenv("LAKE_HOME", rest[1], 1)
                rest.removeFirst(2)
            } else if first.hasPrefix("--lake=") {
                setenv("LAKE_HOME", String(first.dropFirst("--lake=".count)), 1)
                rest.removeFirst()
            } else {
                break
            }
        }
        return rest
    }

    static func fail(_ message: String) {
        Progress.shared.done()
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
