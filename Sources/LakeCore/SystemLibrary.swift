import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A C library of the system, loaded at run time with dlopen, so lake builds without its -dev
/// package and runs (without what it gives) on a machine that lacks it.
public struct SystemLibrary {
    private let handle: UnsafeMutableRawPointer

    /// The first of `names` that loads and has every symbol `bind` asks for; nil if none does.
    public static func first<T>(of names: [String], _ bind: (SystemLibrary) -> T?) -> T? {
        for name in names {
            if let handle = dlopen(name, RTLD_NOW), let bound = bind(SystemLibrary(handle: handle)) { return bound }
        }
        return nil
    }

    /// The C function `name`, as `type`.
    public func symbol<T>(_ name: String, _ type: T.Type) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: T.self) }
    }
}
