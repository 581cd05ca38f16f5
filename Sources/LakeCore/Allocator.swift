import CMalloc
#if canImport(Glibc)
import Glibc
#endif

/// How the C allocator hands memory back to the kernel.
public enum Allocator {
    /// Keeps freed blocks (up to 32 MiB each, and 1 GiB at the heap's top) for the next
    /// allocation instead of unmapping them. A query frees and allocates the same few buffers
    /// per row group (pages, codes, dictionaries); glibc returned each to the kernel, and
    /// faulting in and zeroing fresh pages was a fifth of `count(DISTINCT user_id)` over 10M
    /// rows. 8 interleaved runs each: distinct 1.02 -> 0.95 s, join 1.02 -> 0.94 s, GROUP BY
    /// track_id 0.75 -> 0.71 s. Promotion is left as it is: at 10M events it gained nothing
    /// and held 40 MiB more.
    public static func keepFreedMemoryForReuse() {
        lake_keep_freed_memory(32 << 20, 1 << 30, 256 << 20)
    }
}

/// Zeroed memory for a large table probed at random (the dedupe key index: hundreds of
/// megabytes), backed by 2 MiB pages where the kernel allows it (transparent huge pages in
/// `madvise` mode).
///
/// With 4 KiB pages each page of such a table faulted twice: a probe's read mapped the shared
/// zero page, the insert's write then copied it and flushed the other core's TLB — 3% of a
/// 10M-event promotion's CPU in the kernel, besides the TLB misses of random probes.
public struct HugeZeroedMemory: @unchecked Sendable {
    private static let hugePage = 2 << 20
    public let base: UnsafeMutableRawPointer
    private let mappedBytes: Int

    public init(bytes: Int) {
        let size = (max(bytes, 1) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        // Over-map by one huge page so the table can start on a huge page boundary.
        guard let raw = mmap(nil, size + Self.hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            fatalError("out of memory for a table of \(bytes) bytes")
        }
        let address = Int(bitPattern: raw)
        let aligned = (address + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        if aligned > address { munmap(raw, aligned - address) }
        let tail = address + Self.hugePage - aligned
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + size), tail) }
        base = UnsafeMutableRawPointer(bitPattern: aligned)!
        mappedBytes = size
        // MADV_HUGEPAGE, only a hint (its failure changes nothing), and only for a table of many
        // huge pages: a small one would take a whole 2 MiB page at its first touch.
        if size >= Self.hugePage * 8 { _ = madvise(base, size, 14) }
    }

    /// Gives the memory back; `base` is invalid after.
    public func release() { munmap(base, mappedBytes) }

    /// Has the kernel fault in (and zero) every page now, as a write would, without touching
    /// the contents: safe while other threads use the memory. Without MADV_POPULATE_WRITE
    /// (Linux before 5.14) nothing happens, and pages fault in at their first write as before.
    public func populate() { _ = madvise(base, mappedBytes, 23 /* MADV_POPULATE_WRITE */) }
}
