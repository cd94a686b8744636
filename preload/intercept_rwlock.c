/* intercept_rwlock: pthread_rwlock_* (see intercept_locks.h). */
#include "intercept_locks.h"

#define RW_CALL(rw, wr, try, tmd)                                                    \
    ((struct rt_sync_call){.addr = (uintptr_t)(rw), .kind = RT_RWLOCK,               \
                           .type = RT_TYPE_NONE, .write = (wr), .trylock = (try),    \
                           .timed = (tmd), .owner_probe = preload_rwlock_written_by_self, \
                           .pc = CALLER_PC(), .sp = CALLER_SP()})

RD_EXPORT int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *a)
{
    RD_INIT(RW_CALL(rw, true, false, false), REAL(pthread_rwlock_init)(rw, a));
}

RD_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    RD_DESTROY(RW_CALL(rw, true, false, false), REAL(pthread_rwlock_destroy)(rw));
}

RD_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    RD_ACQUIRE_TRY_FIRST(RW_CALL(rw, false, false, false), REAL(pthread_rwlock_tryrdlock)(rw),
                         REAL(pthread_rwlock_rdlock)(rw));
}

RD_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    RD_ACQUIRE(RW_CALL(rw, false, true, false), REAL(pthread_rwlock_tryrdlock)(rw));
}

RD_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *ts)
{
    RD_ACQUIRE_TIMED(RW_CALL(rw, false, false, true), "pthread_rwlock_timedrdlock", ts,
                     REAL(pthread_rwlock_timedrdlock)(rw, ts));
}

RD_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *rw, clockid_t clk, const struct timespec *ts)
{
    RD_ACQUIRE_TIMED(RW_CALL(rw, false, false, true), "pthread_rwlock_clockrdlock", ts,
                     REAL(pthread_rwlock_clockrdlock)(rw, clk, ts));
}

RD_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    RD_ACQUIRE_TRY_FIRST(RW_CALL(rw, true, false, false), REAL(pthread_rwlock_trywrlock)(rw),
                         REAL(pthread_rwlock_wrlock)(rw));
}

RD_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    RD_ACQUIRE(RW_CALL(rw, true, true, false), REAL(pthread_rwlock_trywrlock)(rw));
}

RD_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *ts)
{
    RD_ACQUIRE_TIMED(RW_CALL(rw, true, false, true), "pthread_rwlock_timedwrlock", ts,
                     REAL(pthread_rwlock_timedwrlock)(rw, ts));
}

RD_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *rw, clockid_t clk, const struct timespec *ts)
{
    RD_ACQUIRE_TIMED(RW_CALL(rw, true, false, true), "pthread_rwlock_clockwrlock", ts,
                     REAL(pthread_rwlock_clockwrlock)(rw, clk, ts));
}

RD_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    RD_RELEASE(RW_CALL(rw, false, false, false), false, REAL(pthread_rwlock_unlock)(rw));
}
