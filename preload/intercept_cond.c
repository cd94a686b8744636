/* intercept_cond: pthread_cond_* (both glibc versions reach these). */
#include "races/races.h"
#include "intercept_locks.h"

#define COND_CALL(cv)                                                                \
    ((struct rt_sync_call){.addr = (uintptr_t)(cv), .kind = RT_COND,                 \
                           .type = RT_TYPE_NONE, .pc = CALLER_PC(), .sp = CALLER_SP()})
#define MUTEX_OF_WAIT(m)                                                             \
    ((struct rt_sync_call){.addr = (uintptr_t)(m), .kind = RT_MUTEX,                 \
                           .type = preload_mutex_type(m), .write = true,             \
                           .destroyed = preload_mutex_destroyed(m),                  \
                           .robust = preload_mutex_robust(m),                        \
                           .owner_probe = preload_mutex_owned_by_self,               \
                           .pc = CALLER_PC(), .sp = CALLER_SP()})

/* A wait: the mutex is released during it and held again after it, also
 * when it times out or fails. NAME and DEADLINE (NULL: none) for the
 * check of a timed wait's deadline. MODEL: an untimed wait, which a
 * controlled schedule makes itself (sched_hooks.h). */
#define RD_COND_WAIT(cv, m, NAME, DEADLINE, MODEL, REALCALL)                 \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        struct rt_sync_call cc_, mc_;                                        \
        int rc_;                                                             \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        cc_ = COND_CALL(cv);                                                 \
        mc_ = MUTEX_OF_WAIT(m);                                              \
        on_timed_wait(t_, &cc_, NAME, DEADLINE);                             \
        SCHED_POINT(t_);                                                     \
        on_cond_wait(t_, &cc_, &mc_); /* its use of cv: before the unlock */ \
        on_sync_release(t_, mc_.addr); /* the wait unlocks the mutex */      \
        rt_leave(t_);                                                        \
        rc_ = SCHED_COND_WAIT(t_, MODEL, cv, m, mc_, REALCALL);              \
        if ((t_ = rt_enter()) != NULL) {                                     \
            on_cond_returned(t_, &cc_, &mc_, rc_ == 0);                      \
            on_sync_acquire(t_, cc_.addr); /* signal -> woken */             \
            on_sync_acquire(t_, mc_.addr); /* and it relocks the mutex */    \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

RD_EXPORT int pthread_cond_init(pthread_cond_t *cv, const pthread_condattr_t *a)
{
    RD_INIT(COND_CALL(cv), REAL(pthread_cond_init)(cv, a));
}

RD_EXPORT int pthread_cond_destroy(pthread_cond_t *cv)
{
    RD_DESTROY(COND_CALL(cv), REAL(pthread_cond_destroy)(cv));
}

RD_EXPORT int pthread_cond_wait(pthread_cond_t *cv, pthread_mutex_t *m)
{
    RD_COND_WAIT(cv, m, "pthread_cond_wait", NULL, true, REAL(pthread_cond_wait)(cv, m));
}

RD_EXPORT int pthread_cond_timedwait(pthread_cond_t *cv, pthread_mutex_t *m, const struct timespec *ts)
{
    RD_COND_WAIT(cv, m, "pthread_cond_timedwait", ts, false,
                 REAL(pthread_cond_timedwait)(cv, m, ts));
}

RD_EXPORT int pthread_cond_clockwait(pthread_cond_t *cv, pthread_mutex_t *m, clockid_t clk,
                                     const struct timespec *ts)
{
    RD_COND_WAIT(cv, m, "pthread_cond_clockwait", ts, false,
                 REAL(pthread_cond_clockwait)(cv, m, clk, ts));
}

RD_EXPORT int pthread_cond_signal(pthread_cond_t *cv)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        struct rt_sync_call c = COND_CALL(cv);
        SCHED_POINT(t);
        on_sync_release(t, c.addr); /* happens-before the woken waiter */
        on_cond_signal(t, &c, false);
        rt_leave(t);
    }
    SCHED_COND_SIGNAL(cv, false);
    return REAL(pthread_cond_signal)(cv);
}

RD_EXPORT int pthread_cond_broadcast(pthread_cond_t *cv)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        struct rt_sync_call c = COND_CALL(cv);
        SCHED_POINT(t);
        on_sync_release(t, c.addr); /* happens-before the woken waiters */
        on_cond_signal(t, &c, true);
        rt_leave(t);
    }
    SCHED_COND_SIGNAL(cv, true);
    return REAL(pthread_cond_broadcast)(cv);
}
