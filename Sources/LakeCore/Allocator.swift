import CMalloc

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
