/* intercept_spin: pthread_spin_* (see intercept_locks.h). */
#include "intercept_locks.h"

#define SPIN_CALL(s, try)                                                            \
    ((struct rt_sync_call){.addr = (uintptr_t)(s), .kind = RT_SPIN,                  \
                           .type = RT_TYPE_NONE, .write = true, .trylock = (try),    \
                           .pc = CALLER_PC(), .sp = CALLER_SP()})

RD_EXPORT int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    RD_INIT(SPIN_CALL(s, false), REAL(pthread_spin_init)(s, pshared));
}

RD_EXPORT int pthread_spin_destroy(pthread_spinlock_t *s)
{
    RD_DESTROY(SPIN_CALL(s, false), REAL(pthread_spin_destroy)(s));
}

RD_EXPORT int pthread_spin_lock(pthread_spinlock_t *s)
{
    RD_ACQUIRE_TRY_FIRST(SPIN_CALL(s, false), REAL(pthread_spin_trylock)(s),
                         REAL(pthread_spin_lock)(s));
}

RD_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s)
{
    RD_ACQUIRE(SPIN_CALL(s, true), REAL(pthread_spin_trylock)(s));
}

RD_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s)
{
    RD_RELEASE(SPIN_CALL(s, false), on_lock_release_fast(t_, (uintptr_t)s),
               REAL(pthread_spin_unlock)(s));
}
