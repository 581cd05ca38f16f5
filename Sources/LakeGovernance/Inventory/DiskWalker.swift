import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One file found on disk, relative to the lake root.
public struct DiskFile: Sendable {
    public var path: String
    public var bytes: Int
    /// Modification time, seconds since 1970.
    public var modified: Double
}

/// Lists every file below a folder with its size and modification time, straight from
/// `readdir` and `fstatat` (FileManager's enumerator is several times slower on 100k files).
///
/// Symbolic links to folders are followed, because `staged/<dataset>` is lake's link to its
/// current version; hidden entries (lake's own in-progress links) are skipped.
enum DiskWalker {
    static func walk(root: String, under relative: String) -> [DiskFile] {
        var found: [DiskFile] = []
        walk(absolute: root + "/" + relative, relative: relative, into: &found, depth: 0)
        return found
    }

    /// The folders directly inside `relative` (following links), sorted.
    static func folders(root: String, under relative: String) -> [String] {
        guard let dir = opendir(root + "/" + relative) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        let fd = dirfd(dir)
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name.hasPrefix(".") { continue }
            var st = stat()
            guard fstatat(fd, name, &st, 0) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            names.append(name)
        }
        return names.sorted()
    }

    private static func walk(absolute: String, relative: String, into found: inout [DiskFile], depth: Int) {
        guard depth < 32, let dir = opendir(absolute) else { return }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        var subfolders: [String] = []
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name.hasPrefix(".") { continue }
            var st = stat()
            guard fstatat(fd, name, &st, 0) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: subfolders.append(name)
            case S_IFREG:
                found.append(DiskFile(
                    path: relative + "/" + name, bytes: Int(st.st_size),
                    modified: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9))
            default: break
            }
        }
        for name in subfolders {
            walk(absolute: absolute + "/" + name, relative: relative + "/" + name, into: &found, depth: depth + 1)
        }
    }

    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
    }
}
