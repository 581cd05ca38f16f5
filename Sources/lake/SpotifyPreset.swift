import ArgumentParser
import Foundation
import LakeCore
import LakeIngest

/// Spotify's two kinds of app.
enum SpotifyAppModeOption: String, ExpressibleByArgument, CaseIterable {
    case development, extended
}

/// The declared source `lake ingest spotify` runs: `schemas/sources/spotify-<mode>.json` in the
/// working folder when there is one (so an API change is an edit to that file), else the copy
/// lake carries.
enum SpotifyPreset {
    static func load(mode: SpotifyAppModeOption, file: String? = nil) throws -> SourceDeclaration {
        if let file { return try SourceDeclaration.load(path: file) }
        let name = "sources/spotify-\(mode.rawValue).json"
        let local = FileManager.default.currentDirectoryPath + "/schemas/" + name
        if FileManager.default.fileExists(atPath: local) { return try SourceDeclaration.load(path: local) }
        guard let builtin = BuiltinSchemas.files.first(where: { $0.path == name }) else {
            throw ValidationError("lake carries no \(name); pass --declaration FILE")
        }
        return try SourceDeclaration.parse(data: Data(builtin.text.utf8), file: "(built-in) schemas/" + name)
    }
}
