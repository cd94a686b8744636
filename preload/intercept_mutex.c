/* intercept_mutex: pthread_mutex_* (see intercept_locks.h). */
#include "intercept_locks.h"

#define MUTEX_CALL_AT(m, try, tmd, pc_, sp_)                                          \
    ((struct rt_sync_call){.addr = (uintptr_t)(m), .kind = RT_MUTEX,                 \
                           .type = preload_mutex_type(m), .write = true,             \
                           .trylock = (try), .timed = (tmd),                         \
                           .destroyed = preload_mutex_destroyed(m),                  \
                           .robust = preload_mutex_robust(m),                        \
                           .owner_probe = preload_mutex_owned_by_self,               \
                           .pc = (pc_), .sp = (sp_)})
#define MUTEX_CALL(m, try, tmd) MUTEX_CALL_AT(m, try, tmd, CALLER_PC(), CALLER_SP())

RD_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    RD_INIT(MUTEX_CALL(m, false, false), REAL(pthread_mutex_init)(m, a));
}

RD_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    RD_DESTROY(MUTEX_CALL(m, false, false), REAL(pthread_mutex_destroy)(m));
}

/* Lock and unlock take the quick way (events/lock_fast.h) in the common
 * case, a plain mutex, free, no schedule, and everything else in the
 * functions below, out of line so that the quick way saves no registers
 * it does not use. pc and sp are the program's call's. */

/* Robust mutexes answer a trylock with EOWNERDEAD (taken, owner died),
 * which must not be followed by a lock: they take the plain path, as do
 * destroyed ones (__kind -1: every call fails with EINVAL). */
static __attribute__((noinline)) int mutex_lock_full(pthread_mutex_t *m, uintptr_t pc,
                                                     uintptr_t sp)
{
    if (m->__data.__kind & PRELOAD_MUTEX_ROBUST)
        RD_ACQUIRE(MUTEX_CALL_AT(m, false, false, pc, sp), REAL(pthread_mutex_lock)(m));
    RD_ACQUIRE_TRY_FIRST(MUTEX_CALL_AT(m, false, false, pc, sp), REAL(pthread_mutex_trylock)(m),
                         REAL(pthread_mutex_lock)(m));
}

/* Ends the event (rt_leave) itself: then the interceptor keeps nothing
 * alive across it and tail-calls it. */
static __attribute__((noinline)) int mutex_acquired_full(struct rt_thread *t, pthread_mutex_t *m,
                                                         uintptr_t pc, uintptr_t sp)
{
    struct rt_sync_call c = MUTEX_CALL_AT(m, false, false, pc, sp);
    on_lock_acquired(t, &c);
    rt_leave(t);
    return 0;
}

/* The rest of a lock's event, out of line and tail-called; each ends the
 * event. mutex_taken: what the caches do not know (a chain from the
 * table all threads share, a call site to capture), or the full event.
 * mutex_taken_nested: a thread that holds other locks, with their chain
 * in its cache (no call, so no register to save), else mutex_taken. */
static __attribute__((noinline)) int mutex_taken(struct rt_thread *t, pthread_mutex_t *m,
                                                 uintptr_t pc, uintptr_t sp)
{
    if (__builtin_expect(!on_mutex_acquired_fast(t, (uintptr_t)m, pc, sp), 0))
        return mutex_acquired_full(t, m, pc, sp);
    rt_leave(t);
    return 0;
}

static __attribute__((noinline)) int mutex_taken_nested(struct rt_thread *t, pthread_mutex_t *m,
                                                        uintptr_t pc, uintptr_t sp)
{
    if (__builtin_expect(!on_mutex_acquired_cached(t, (uintptr_t)m, pc, sp), 0))
        return mutex_taken(t, m, pc, sp);
    rt_leave(t);
    return 0;
}

RD_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    struct rt_thread *t;
    /* (the real functions not yet resolved: a call before the constructor,
     * which the full path resolves) */
    if (__builtin_expect((m->__data.__kind & PRELOAD_MUTEX_ROBUST) || rt_sched_active ||
                             !real_pthread_mutex_trylock,
                         0) ||
        real_pthread_mutex_trylock(m) != 0)
        return mutex_lock_full(m, CALLER_PC(), CALLER_SP());
    /* only m lives across the trylock; the caller's pc is read again from
     * the frame. Holding no other lock, there is no chain to look up: the
     * few values left fit in scratch registers. */
    if ((t = preload_enter()) != NULL) {
        if (t->nheld != 0)
            return mutex_taken_nested(t, m, CALLER_PC(), CALLER_SP());
        if (__builtin_expect(!on_mutex_acquired_first_cached(t, (uintptr_t)m, CALLER_PC(),
                                                             CALLER_SP()),
                             0))
            return mutex_taken(t, m, CALLER_PC(), CALLER_SP());
        rt_leave(t);
    }
    return 0;
}

RD_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    RD_ACQUIRE(MUTEX_CALL(m, true, false), REAL(pthread_mutex_trylock)(m));
}

RD_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts)
{
    RD_ACQUIRE_TIMED(MUTEX_CALL(m, false, true), "pthread_mutex_timedlock", ts,
                     REAL(pthread_mutex_timedlock)(m, ts));
}

RD_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *ts)
{
    RD_ACQUIRE_TIMED(MUTEX_CALL(m, false, true), "pthread_mutex_clocklock", ts,
                     REAL(pthread_mutex_clocklock)(m, clk, ts));
}

static __attribute__((noinline)) int mutex_unlock_full(pthread_mutex_t *m, uintptr_t pc,
                                                       uintptr_t sp)
{
    RD_RELEASE(MUTEX_CALL_AT(m, false, false, pc, sp), false, REAL(pthread_mutex_unlock)(m));
}

RD_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    struct rt_thread *t;
    if (__builtin_expect(!rt_sched_active, 1) && (t = preload_enter()) != NULL) {
        bool done = on_lock_release_fast(t, (uintptr_t)m);
        rt_leave(t);
        if (__builtin_expect(done, 1))
            return REAL(pthread_mutex_unlock)(m);
    }
    return mutex_unlock_full(m, CALLER_PC(), CALLER_SP());
}
