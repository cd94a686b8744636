/*
 * intercept_barrier: pthread_barrier_*. The engine checks their use
 * (sync_misuse), orders memory (every arrival of a round happens before
 * every departure) and times waits made under a lock. A wait on (or the
 * destroy of) a barrier whose initialisation failed (count 0) is reported
 * and not made: glibc would divide by zero.
 */
#include "preload.h"
#include "sched_hooks.h"

#include <errno.h>

#define BARRIER_CALL(b)                                                              \
    ((struct rt_sync_call){.addr = (uintptr_t)(b), .kind = RT_BARRIER,               \
                           .type = RT_TYPE_NONE, .pc = CALLER_PC(), .sp = CALLER_SP()})

RD_EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a,
                                   unsigned count)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    int rc;
    if (!t)
        return REAL(pthread_barrier_init)(b, a, count);
    c = BARRIER_CALL(b);
    on_sync_object_init(t, &c, count);
    rt_leave(t);
    rc = REAL(pthread_barrier_init)(b, a, count);
    if (rc == 0)
        SCHED_BARRIER_INIT(b, count);
    if (rt_reenter(t)) {
        on_sync_object_inited(t, &c, count, rc == 0);
        rt_leave(t);
    }
    return rc;
}

RD_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    int rc;
    if (!t)
        return REAL(pthread_barrier_destroy)(b);
    c = BARRIER_CALL(b);
    if (!on_sync_object_destroy(t, &c)) {
        rt_leave(t);
        return EINVAL;
    }
    rt_leave(t);
    rc = REAL(pthread_barrier_destroy)(b);
    if (rt_reenter(t)) {
        on_sync_object_destroyed(t, &c, rc == 0);
        rt_leave(t);
    }
    return rc;
}

RD_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    uint64_t since;
    int rc;
    if (!t)
        return REAL(pthread_barrier_wait)(b);
    c = BARRIER_CALL(b);
    SCHED_POINT(t);
    if (!on_sync_object_wait(t, &c)) {
        rt_leave(t);
        return EINVAL;
    }
    since = on_blocking_begin(t);
    rt_leave(t);
    if (!SCHED_BARRIER_WAIT(t, c, &rc))
        rc = REAL(pthread_barrier_wait)(b);
    if (rt_reenter(t)) {
        on_blocking_end(t, since, "pthread_barrier_wait", c.pc);
        on_sync_object_waited(t, &c, rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
        rt_leave(t);
    }
    return rc;
}
