#ifndef QDB_PREFETCH_H
#define QDB_PREFETCH_H

/* Asks the CPU to start loading the cache line holding `p` (a read, kept in all cache levels).
   The HNSW graph walk prefetches the vectors of a node's unvisited neighbours before scoring
   them, so their cache misses overlap instead of following one another. */
static inline void qdb_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
