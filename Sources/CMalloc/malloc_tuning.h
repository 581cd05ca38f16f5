// glibc's mallopt lives in <malloc.h>, which Swift's Glibc module does not include.
#ifdef __linux__
#include <malloc.h>
static inline void lake_keep_freed_memory(int mmap_threshold, int trim_threshold, int top_pad) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    mallopt(M_TOP_PAD, top_pad);
}
#else
static inline void lake_keep_freed_memory(int mmap_threshold, int trim_threshold, int top_pad) {}
#endif
