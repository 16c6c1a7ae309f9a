#ifndef QDB_MAPLEASE_H
#define QDB_MAPLEASE_H

#include <stddef.h>

/* Guards a read-only MAP_SHARED mapping of a whole file against the file being truncated or
   rewritten by another process (which would make reads of the mapping raise SIGBUS or change
   under qdb). A read lease (fcntl F_SETLEASE F_RDLCK) is taken on `fd` (which the guard then
   owns and closes): when another process opens the file for writing or truncates it, the kernel
   makes it wait and signals qdb, whose handler copies the mapped bytes into anonymous memory,
   moves that copy onto the mapping's address (mremap MREMAP_FIXED, atomic for readers), and
   only then releases the lease. The mapping keeps its address and contents; the file is then
   free to change; qdb serves what it had and validates the file again at its next load.
   Returns a guard id >= 0, or -1 when no lease can be had (another process has the file open
   for writing, a file system without leases, no permission): the mapping is then unguarded and
   `fd` is closed. */
int qdb_map_guard(int fd, void *base, size_t length);

/* madvise(MADV_DONTNEED) of a range of a guarded mapping (or of an unguarded one with id -1),
   skipped once the mapping has been copied to anonymous memory (dropping those pages would
   lose them). */
void qdb_map_guard_dontneed(int id, void *addr, size_t length);

/* Whether the guarded mapping has been copied to anonymous memory (its file changed). */
int qdb_map_guard_detached(int id);

/* Ends the guard before the mapping is unmapped: releases the lease and closes its fd. */
void qdb_map_unguard(int id);

#endif
