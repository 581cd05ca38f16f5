import Foundation
import LakeCatalog
import LakeCore

/// A lake in a fresh temporary folder, removed when the value goes away.
public final class TempLake {
    public let root: LakeRoot
    public let catalog: Catalog

    public init() throws {
        let folder = NSTemporaryDirectory() + "lake-test-" + UUID().uuidString
        root = LakeRoot(path: folder)
        catalog = try Catalog.create(root)
    }

    deinit { try? FileManager.default.removeItem(atPath: root.path) }

    /// Every file below the root, relative to it.
    public func files(under zone: String = "") -> [String] {
        FileSystem.files(under: root.path + (zone.isEmpty ? "" : "/" + zone)).compactMap(root.relative)
    }

    /// Every line of every raw file, decompressed, as text.
    public func rawLines() throws -> [String] {
        try files(under: "raw").flatMap { try GzipReader.lines(path: root.absolute($0)) }
    }
}

/// A scratch folder for files a test writes.
public func temporaryFolder() -> String {
    let folder = NSTemporaryDirectory() + "lake-scratch-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

/// Runs a system command; returns its exit status and standard output.
@discardableResult
public func shell(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
