#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "maplease.h"

/* One guarded mapping. `state` says who may touch it: FREE (unused), CLAIMED (being filled by
   qdb_map_guard), ACTIVE (file-backed), BUSY (one thread or the handler works on it), DETACHED
   (anonymous copy). The handler never waits: finding BUSY it sets `pending`, and whoever holds
   BUSY detaches on its way out. */
enum { FREE, CLAIMED, ACTIVE, BUSY, DETACHED };

#define SLOTS 8192

struct slot {
    _Atomic int state;
    _Atomic int fd;
    _Atomic int pending;
    void *base;
    size_t length;
};

static struct slot slots[SLOTS];
static int lease_signal;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int installed;
/* Each guard keeps a file descriptor open: at most a quarter of RLIMIT_NOFILE are used, so
   sockets and other files never run short; mappings past that are unguarded. */
static _Atomic int in_use;
static int most;

/* Copies the mapping into anonymous memory at the same address. The caller holds the slot
   BUSY, and releases the lease (`unlease`) only after marking the slot DETACHED, so whoever the
   lease held back sees the slot detached. Only async-signal-safe calls. */
static void detach(struct slot *s) {
    void *copy = mmap(NULL, s->length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED) return;
    memcpy(copy, s->base, s->length);
    mprotect(copy, s->length, PROT_READ);
    if (mremap(copy, s->length, s->length, MREMAP_MAYMOVE | MREMAP_FIXED, s->base) == MAP_FAILED) {
        munmap(copy, s->length);
    }
}

static void unlease(struct slot *s) {
    fcntl(atomic_load(&s->fd), F_SETLEASE, F_UNLCK);
}

/* Detaches a slot held BUSY, marks it DETACHED, then lets the other process go on. */
static void detach_and_release(struct slot *s) {
    detach(s);
    atomic_store(&s->pending, 0);
    atomic_store(&s->state, DETACHED);
    unlease(s);
}

/* Leaves BUSY (taken from `back`): detaches first when a break arrived meanwhile. */
static void leave(struct slot *s, int back) {
    if (back == ACTIVE && atomic_exchange(&s->pending, 0)) {
        detach_and_release(s);
        return;
    }
    atomic_store(&s->state, back);
    /* A break that arrived between the exchange and the store. */
    if (back == ACTIVE && atomic_load(&s->pending)) {
        int expected = ACTIVE;
        if (atomic_compare_exchange_strong(&s->state, &expected, BUSY)) detach_and_release(s);
    }
}

static void on_break(int signo, siginfo_t *info, void *context) {
    (void)signo;
    (void)context;
    int saved = errno;
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        int state = atomic_load(&s->state);
        if ((state != ACTIVE && state != BUSY) || atomic_load(&s->fd) != info->si_fd) continue;
        int expected = ACTIVE;
        if (atomic_compare_exchange_strong(&s->state, &expected, BUSY)) {
            detach_and_release(s);
        } else {
            atomic_store(&s->pending, 1);
        }
        break;
    }
    errno = saved;
}

static void install(void) {
    lease_signal = SIGRTMIN + 6;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_break;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    installed = sigaction(lease_signal, &sa, NULL) == 0;
    struct rlimit rl;
    long cap = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur / 4 : SLOTS;
    most = cap < SLOTS ? (int)cap : SLOTS;
}

int qdb_map_guard(int fd, void *base, size_t length) {
    pthread_once(&once, install);
    if (!installed || fd < 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    if (atomic_fetch_add(&in_use, 1) >= most || fcntl(fd, F_SETSIG, lease_signal) != 0) {
        atomic_fetch_sub(&in_use, 1);
        close(fd);
        return -1;
    }
    for (int i = 0; i < SLOTS; i++) {
        int expected = FREE;
        if (!atomic_compare_exchange_strong(&slots[i].state, &expected, CLAIMED)) continue;
        struct slot *s = &slots[i];
        s->base = base;
        s->length = length;
        atomic_store(&s->pending, 0);
        atomic_store(&s->fd, fd);
        atomic_store(&s->state, ACTIVE);  /* before the lease: a break finds the slot */
        if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
            /* Taking the lease makes the calling thread the signal's receiver; that thread may
               be gone when the lease breaks. The whole process receives it instead. */
            struct f_owner_ex owner = {F_OWNER_PID, getpid()};
            if (fcntl(fd, F_SETOWN_EX, &owner) == 0) return i;
            fcntl(fd, F_SETLEASE, F_UNLCK);
        }
        atomic_store(&s->fd, -1);
        atomic_store(&s->state, FREE);
        break;
    }
    atomic_fetch_sub(&in_use, 1);
    close(fd);
    return -1;
}

/* Takes the slot BUSY from ACTIVE or DETACHED, waiting out another holder. */
static int take(struct slot *s) {
    for (;;) {
        int state = atomic_load(&s->state);
        if (state == ACTIVE || state == DETACHED) {
            if (atomic_compare_exchange_strong(&s->state, &state, BUSY)) return state;
        } else {
            sched_yield();
        }
    }
}

void qdb_map_guard_dontneed(int id, void *addr, size_t length) {
    if (id < 0) {
        madvise(addr, length, MADV_DONTNEED);
        return;
    }
    struct slot *s = &slots[id];
    int was = take(s);
    if (was == ACTIVE) madvise(addr, length, MADV_DONTNEED);
    leave(s, was);
}

int qdb_map_guard_detached(int id) {
    return id >= 0 && atomic_load(&slots[id].state) == DETACHED;
}

void qdb_map_unguard(int id) {
    if (id < 0) return;
    struct slot *s = &slots[id];
    take(s);
    int fd = atomic_load(&s->fd);
    fcntl(fd, F_SETLEASE, F_UNLCK);
    atomic_store(&s->fd, -1);
    close(fd);
    atomic_store(&s->pending, 0);
    atomic_store(&s->state, FREE);
    atomic_fetch_sub(&in_use, 1);
}
