import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// ZSTD through the system's libzstd, loaded at run time with dlopen.
///
/// libzstd1 is on every Debian system (apt itself links it), so lake builds and runs without
/// the -dev package; only a machine without the library loses the ZSTD codec, and the error
/// says what to install.
public final class Zstd: @unchecked Sendable {
    private typealias CreateContext = @convention(c) () -> OpaquePointer?
    private typealias FreeContext = @convention(c) (OpaquePointer?) -> Int
    private typealias CompressContext = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, Int32) -> Int
    private typealias DecompressContext = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int) -> Int
    private typealias Bound = @convention(c) (Int) -> Int
    private typealias IsError = @convention(c) (Int) -> UInt32
    private typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

    private let createC: CreateContext
    private let freeC: FreeContext
    private let createD: CreateContext
    private let freeD: FreeContext
    private let compressC: CompressContext
    private let decompressD: DecompressContext
    private let bound: Bound
    private let isError: IsError
    private let errorName: ErrorName
    /// Decompression contexts to reuse: creating one per page is measurable on a query.
    private var idle: [OpaquePointer] = []
    private let idleLock = NSLock()

    public static let shared: Result<Zstd, CodecError> = {
        let loaded = SystemLibrary.first(of: ["libzstd.so.1", "libzstd.so", "libzstd.dylib"]) { lib -> Zstd? in
            guard let createC = lib.symbol("ZSTD_createCCtx", CreateContext.self),
                  let freeC = lib.symbol("ZSTD_freeCCtx", FreeContext.self),
                  let createD = lib.symbol("ZSTD_createDCtx", CreateContext.self),
                  let freeD = lib.symbol("ZSTD_freeDCtx", FreeContext.self),
                  let compressC = lib.symbol("ZSTD_compressCCtx", CompressContext.self),
                  let decompressD = lib.symbol("ZSTD_decompressDCtx", DecompressContext.self),
                  let bound = lib.symbol("ZSTD_compressBound", Bound.self),
                  let isError = lib.symbol("ZSTD_isError", IsError.self),
                  let errorName = lib.symbol("ZSTD_getErrorName", ErrorName.self) else { return nil }
            return Zstd(createC: createC, freeC: freeC, createD: createD, freeD: freeD, compressC: compressC,
                        decompressD: decompressD, bound: bound, isError: isError, errorName: errorName)
        }
        if let loaded { return .success(loaded) }
        return .failure(.unavailable("ZSTD needs the system library libzstd.so.1 — install it with `apt-get install libzstd1`"))
    }()

    private init(createC: @escaping CreateContext, freeC: @escaping FreeContext, createD: @escaping CreateContext,
                 freeD: @escaping FreeContext, compressC: @escaping CompressContext,
                 decompressD: @escaping DecompressContext, bound: @escaping Bound, isError: @escaping IsError,
                 errorName: @escaping ErrorName) {
        self.createC = createC
        self.freeC = freeC
        self.createD = createD
        self.freeD = freeD
        self.compressC = compressC
        self.decompressD = decompressD
        self.bound = bound
        self.isError = isError
        self.errorName = errorName
    }

    private func check(_ code: Int) throws -> Int {
        if isError(code) != 0 {
            let name = errorName(code).map { String(cString: $0) } ?? "error \(code)"
            throw CodecError.corrupt(codec: "zstd", name)
        }
        return code
    }

    /// A compression context; one per writer, since contexts are not thread-safe.
    public final class Compressor {
        let zstd: Zstd
        let context: OpaquePointer?
        let level: Int32

        public init(_ zstd: Zstd, level: Int32) {
            self.zstd = zstd
            context = zstd.createC()
            self.level = level
        }

        deinit { _ = zstd.freeC(context) }

        /// Reused between pages, so each page does not zero a fresh output buffer.
        private var scratch: [UInt8] = []

        public func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
            let capacity = zstd.bound(input.count)
            if scratch.count < capacity { scratch = [UInt8](repeating: 0, count: capacity) }
            let written = try scratch.withUnsafeMutableBytes { dst in
                try zstd.check(zstd.compressC(context, dst.baseAddress, capacity, input.baseAddress, input.count, level))
            }
            out.append(contentsOf: scratch[0..<written])
        }
    }

    public func decompress(_ input: UnsafeRawBufferPointer, size: Int, exact: Bool = true) throws -> [UInt8] {
        idleLock.lock()
        let reused = idle.popLast()
        idleLock.unlock()
        guard let context = reused ?? createD() else { throw CodecError.corrupt(codec: "zstd", "ZSTD could not create a decompression context") }
        defer {
            idleLock.lock()
            if idle.count < 8 { idle.append(context) } else { _ = freeD(context) }
            idleLock.unlock()
        }
        // Not zero-filled first: ZSTD writes every byte it reports, and only those are kept.
        let out = try [UInt8](unsafeUninitializedCapacity: size) { dst, initialized in
            initialized = try check(decompressD(context, dst.baseAddress, size, input.baseAddress, input.count))
        }
        guard exact else { return out }
        guard out.count == size else {
            throw CodecError.corrupt(codec: "zstd", "ZSTD page decompressed to \(out.count) bytes, the header says \(size)")
        }
        return out
    }

    /// A whole frame (or several) whose decompressed size need not be in the header, as
    /// Kafka's Java producer writes them: the output doubles until it fits.
    public func decompress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        var size = max(1 << 16, input.count * 4)
        while true {
            do { return try decompress(input, size: size, exact: false) } catch let CodecError.corrupt(_, detail) where detail.contains("Destination buffer is too small") && size < 1 << 30 {
                size *= 2
            }
        }
    }
}
