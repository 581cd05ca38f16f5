// Swift has no way to ask for a cache line ahead of use; hash tables too large for the cache
// (the dedupe index at 10M keys) insert a batch faster when each slot is requested a few
// entries before it is probed.
static inline void lake_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }
