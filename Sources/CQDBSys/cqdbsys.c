#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include "cqdbsys.h"

int qdb_rename_exchange(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

long long qdb_birth_time(const char *path) {
    struct statx sx;
    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) != 0) return -1;
    if (!(sx.stx_mask & STATX_BTIME)) return -1;
    return (long long)sx.stx_btime.tv_sec;
}

int qdb_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
}

void qdb_release_free_memory(void) {
    malloc_trim(0);
}

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int qdb_lower_thread_priority(int nice_value) {
    pid_t tid = (pid_t)syscall(SYS_gettid);
    int cpu = setpriority(PRIO_PROCESS, (id_t)tid, nice_value);
    /* IOPRIO_WHO_PROCESS = 1; IOPRIO_CLASS_BE = 2, shifted by IOPRIO_CLASS_SHIFT = 13; level 7 */
    long io = syscall(SYS_ioprio_set, 1, tid, (2 << 13) | 7);
    return (cpu == 0 && io == 0) ? 0 : -1;
}
