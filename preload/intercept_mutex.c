/* intercept_mutex: pthread_mutex_* (see intercept_locks.h). */
#include "intercept_locks.h"

#define MUTEX_CALL(m, try, tmd)                                                      \
    ((struct rt_sync_call){.addr = (uintptr_t)(m), .kind = RT_MUTEX,                 \
                           .type = preload_mutex_type(m), .write = true,             \
                           .trylock = (try), .timed = (tmd),                         \
                           .destroyed = preload_mutex_destroyed(m),                  \
                           .robust = preload_mutex_robust(m),                        \
                           .owner_probe = preload_mutex_owned_by_self,               \
                           .pc = CALLER_PC(), .sp = CALLER_SP()})

RD_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    RD_INIT(MUTEX_CALL(m, false, false), REAL(pthread_mutex_init)(m, a));
}

RD_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    RD_DESTROY(MUTEX_CALL(m, false, false), REAL(pthread_mutex_destroy)(m));
}

/* Robust mutexes answer a trylock with EOWNERDEAD (taken, owner died),
 * which must not be followed by a lock: they take the plain path, as do
 * destroyed ones (__kind -1: every call fails with EINVAL). */
RD_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (m->__data.__kind & PRELOAD_MUTEX_ROBUST)
        RD_ACQUIRE(MUTEX_CALL(m, false, false), REAL(pthread_mutex_lock)(m));
    RD_ACQUIRE_TRY_FIRST(MUTEX_CALL(m, false, false), REAL(pthread_mutex_trylock)(m),
                         REAL(pthread_mutex_lock)(m));
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

RD_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    RD_RELEASE(MUTEX_CALL(m, false, false), REAL(pthread_mutex_unlock)(m));
}
