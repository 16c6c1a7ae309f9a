#ifndef QDB_CQDBSYS_H
#define QDB_CQDBSYS_H

#include "maplease.h"
#include "prefetch.h"

/* Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE): a restore swaps a staged
   collection directory with the live one, so a crash leaves one or the other, never neither.
   Returns 0, or -1 with errno set. */
int qdb_rename_exchange(const char *a, const char *b);

/* A file's birth time in seconds (statx STATX_BTIME), or -1 where the filesystem has none:
   Qdrant reports a snapshot's creation_time from it. */
long long qdb_birth_time(const char *path);

/* Starts writeback of [offset, offset+length) of fd without waiting for it (sync_file_range
   SYNC_FILE_RANGE_WRITE): a long stream that is fsynced at the end then overlaps its disk writes
   with producing the data. Returns 0, or -1 with errno set. */
int qdb_start_writeback(int fd, long long offset, long long length);

/* Returns the heap memory glibc keeps after frees to the system (malloc_trim(0)): after a
   collection is dropped, its index and columns would otherwise stay in the process's RSS. */
void qdb_release_free_memory(void);

/* Lowers the calling thread's CPU priority to `nice_value` (setpriority on its tid) and its I/O
   priority to the lowest best-effort level (ioprio_set): snapshot creation then yields the CPU
   and the disk to queries. Only for threads that end with the work (it cannot be undone without
   privileges). Returns 0, or -1 if either could not be set. */
int qdb_lower_thread_priority(int nice_value);

#endif
