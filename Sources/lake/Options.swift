import ArgumentParser
import Foundation
import LakeCatalog
import LakeCore

/// `--lake DIR`, shared by every command that works on a lake.
struct LakeOptions: ParsableArguments {
    @Option(name: .customLong("lake"), help: ArgumentHelp("The lake root (default: $LAKE_HOME, else ./lake).", valueName: "dir"))
    var path: String?

    var root: LakeRoot { LakeRoot.resolve(explicit: path) }

    /// The lake's catalog, wherever its files are (this folder or a team lake's S3 storage).
    func openCatalog() throws -> Catalog { try Catalog.open(root) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Where dataset contracts are read from: --schemas DIR, else ./schemas.
enum SchemasFolder {
    static func resolve(_ explicit: String?) -> String? {
        if let explicit { return explicit }
        let local = FileManager.default.currentDirectoryPath + "/schemas"
        return FileSystem.isDirectory(local) ? local : nil
    }
}

/// Prints JSON on stdout (scripts) or a table (people).
enum Output {
    static func json(_ value: JSONValue) { print(value.pretty()) }
}

extension Int {
    /// 1.2 MB, 340 KB, 12 B.
    var byteSize: String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(self)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(self) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }
}
