/*
 * preload: the LD_PRELOAD glue. Interceptors turn libc calls into engine
 * events (src/runtime/events.h) and call the real functions; they decide
 * nothing themselves. Helpers shared by the interceptor files live here.
 */
#ifndef RD_PRELOAD_H
#define RD_PRELOAD_H

#include "events/events.h"
#include "real.h"
#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

#define RD_EXPORT __attribute__((visibility("default")))
/* Where the program called us, and a stand-in for its stack pointer (our
 * frame sits right below the caller's, so it moves with it). Only valid in
 * the interceptor itself, which must not be inlined into a helper. */
#define CALLER_PC() ((uintptr_t)__builtin_return_address(0))
#define CALLER_SP() ((uintptr_t)__builtin_frame_address(0))

/* Start the runtime if this is the first call, then rt_enter(). Inline:
 * it runs on every intercepted call; what is not the common case (not
 * started, a thread's first event) is one call out of line, so that an
 * interceptor keeps nothing in saved registers across it. */
void preload_start_runtime(void);
struct rt_thread *preload_enter_slow(void);
static inline struct rt_thread *preload_enter(void)
{
    struct rt_thread *t = rt_self;
    if (__builtin_expect(t == NULL ||
                             atomic_load_explicit(&rt_state, memory_order_acquire) != RT_READY,
                         0))
        return preload_enter_slow();
    if (t->in_runtime)
        return NULL;
    t->in_runtime = 1;
    return t;
}

/* Glibc's view of an object: does the calling thread own it? 1, 0, or -1
 * when the object cannot say. */
int preload_mutex_owned_by_self(uintptr_t addr);
int preload_rwlock_written_by_self(uintptr_t addr);

/* The engine's type code for a glibc mutex, read from the object (so that
 * statically initialised mutexes have the right type too): glibc keeps the
 * type in __kind, also for PTHREAD_*_INITIALIZER_NP; the low two bits are
 * the type (timed/normal, recursive, errorcheck, adaptive), higher bits
 * robust/PI/PP/elision flags. The engine's codes are in the same order. */
static inline int preload_mutex_type(const pthread_mutex_t *m)
{
    _Static_assert((int)PTHREAD_MUTEX_RECURSIVE_NP == (int)RT_TYPE_RECURSIVE &&
                   (int)PTHREAD_MUTEX_ERRORCHECK_NP == (int)RT_TYPE_ERRORCHECK &&
                   (int)PTHREAD_MUTEX_ADAPTIVE_NP == (int)RT_TYPE_ADAPTIVE && (int)RT_TYPE_NORMAL == 0,
                   "mutex type codes");
    return m->__data.__kind & 3;
}

/* The program at pc read (or wrote) [p, p + n) in code racedet does not
 * see (libc, a system call): checked for races as such while race
 * detection is on (intercept_memory.c). */
void preload_check_range(const void *p, size_t n, bool write, uintptr_t pc);

/* glibc's __kind flag of a robust mutex (PTHREAD_MUTEX_ROBUST_NORMAL_NP). */
#define PRELOAD_MUTEX_ROBUST 16

/* pthread_mutex_destroy sets __kind to -1 (glibc >= 2.22), which no live
 * mutex has, until the next init or static initialiser. */
static inline bool preload_mutex_destroyed(const pthread_mutex_t *m)
{
    return m->__data.__kind == -1;
}

static inline bool preload_mutex_robust(const pthread_mutex_t *m)
{
    int k = m->__data.__kind;
    return k != -1 && (k & PRELOAD_MUTEX_ROBUST) != 0;
}

/* exit(status) was called, or main returned status: the status the
 * record's exit line will carry, and how ("exit", "return"). */
void preload_note_exit_status(int status, const char *how);

/* Make the report visible when no `racedet run` collects the record. */
void preload_show_report(void);

/* ---- reporter.c: the reporter process of the shim alone ------------------------- */

/* In the program's first process: start the reporter (or, after exec, use
 * the one that waits already). Without one, reports show at exit only. */
void preload_reporter_start(void);
bool preload_reporter_active(void);
/* The reporter's pipe is racedet's descriptor, like the record's: the
 * program's close, dup and fcntl see EBADF (intercept_fd.c). */
bool preload_reporter_owns_fd(int fd);
/* fn on the parts of [lo, hi] without the pipe's descriptor. */
int preload_reporter_fd_around(unsigned lo, unsigned hi,
                               int (*fn)(unsigned lo, unsigned hi, void *arg), void *arg);
/* The program dup2s onto fd: if it is the pipe's, move the pipe first. */
void preload_reporter_fd_wanted(int fd);
/* The racedet command next to this shim (../bin/racedet): false if none. */
bool preload_racedet_path(char *out, size_t n);
/* The environment without LD_PRELOAD into env[0..n) with its NULL; returns
 * the size needed (call with env NULL to learn it). */
size_t preload_env_without_shim(char **env, size_t n);

#endif
