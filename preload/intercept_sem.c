/*
 * intercept_sem: POSIX semaphores, unnamed (sem_init) and named (sem_open).
 * The engine checks their use (sync_misuse), orders memory (a post
 * releases, a successful wait acquires) and times waits made under a lock
 * (blocking_under_lock). The real function is always made; errno is its.
 */
#include "preload.h"
#include "sched_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

#define SEM_CALL(s)                                                                  \
    ((struct rt_sync_call){.addr = (uintptr_t)(s), .kind = RT_SEM,                   \
                           .type = RT_TYPE_NONE, .pc = CALLER_PC(), .sp = CALLER_SP()})

RD_EXPORT int sem_init(sem_t *s, int pshared, unsigned value)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    int rc, e;
    if (!t)
        return REAL(sem_init)(s, pshared, value);
    c = SEM_CALL(s);
    on_sync_object_init(t, &c, value);
    rt_leave(t);
    rc = REAL(sem_init)(s, pshared, value);
    e = errno;
    if (rt_reenter(t)) {
        on_sync_object_inited(t, &c, value, rc == 0);
        rt_leave(t);
    }
    errno = e;
    return rc;
}

RD_EXPORT int sem_destroy(sem_t *s)
{
    struct rt_thread *t = preload_enter();
    struct rt_sync_call c;
    int rc, e;
    if (!t)
        return REAL(sem_destroy)(s);
    c = SEM_CALL(s);
    on_sync_object_destroy(t, &c);
    rt_leave(t);
    rc = REAL(sem_destroy)(s);
    e = errno;
    if (rt_reenter(t)) {
        on_sync_object_destroyed(t, &c, rc == 0);
        rt_leave(t);
    }
    errno = e;
    return rc;
}

/* A wait of any kind. CAN_BLOCK: it is a blocking call (not trywait);
 * DEADLINE: a timed wait's (else NULL). MODEL: sem_wait, which a
 * controlled schedule makes itself. */
#define RD_SEM_WAIT(s, NAME, CAN_BLOCK, DEADLINE, MODEL, REALCALL)           \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter();                              \
        struct rt_sync_call c_;                                              \
        uint64_t b_ = 0;                                                     \
        int rc_, e_;                                                         \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        c_ = SEM_CALL(s);                                                    \
        on_timed_wait(t_, &c_, NAME, DEADLINE);                              \
        SCHED_POINT(t_);                                                     \
        on_sync_object_wait(t_, &c_);                                        \
        if (CAN_BLOCK)                                                       \
            b_ = on_blocking_begin(t_);                                      \
        rt_leave(t_);                                                        \
        rc_ = SCHED_SEM_WAIT(t_, MODEL, s, c_, REALCALL);                    \
        e_ = errno;                                                          \
        if (rt_reenter(t_)) {                                                \
            on_blocking_end(t_, b_, NAME, c_.pc);                            \
            on_sync_object_waited(t_, &c_, rc_ == 0);                        \
            if (rc_ != 0 && !(CAN_BLOCK))                                    \
                SCHED_TRY_FAILED(t_);                                        \
            rt_leave(t_);                                                    \
        }                                                                    \
        errno = e_;                                                          \
        return rc_;                                                          \
    } while (0)

RD_EXPORT int sem_wait(sem_t *s)
{
    RD_SEM_WAIT(s, "sem_wait", true, NULL, true, REAL(sem_wait)(s));
}

RD_EXPORT int sem_trywait(sem_t *s)
{
    RD_SEM_WAIT(s, "sem_trywait", false, NULL, false, REAL(sem_trywait)(s));
}

RD_EXPORT int sem_timedwait(sem_t *s, const struct timespec *ts)
{
    RD_SEM_WAIT(s, "sem_timedwait", true, ts, false, REAL(sem_timedwait)(s, ts));
}

RD_EXPORT int sem_clockwait(sem_t *s, clockid_t clk, const struct timespec *ts)
{
    RD_SEM_WAIT(s, "sem_clockwait", true, ts, false, REAL(sem_clockwait)(s, clk, ts));
}

RD_EXPORT int sem_post(sem_t *s)
{
    struct rt_thread *t = preload_enter();
    int rc, e;
    if (t) {
        struct rt_sync_call c = SEM_CALL(s);
        on_sync_object_post(t, &c); /* releases before the real post */
        rt_leave(t);
    }
    rc = REAL(sem_post)(s);
    e = errno;
    SCHED_RELEASED_POINT(t, s);
    errno = e;
    return rc;
}

RD_EXPORT int sem_getvalue(sem_t *s, int *value)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        struct rt_sync_call c = SEM_CALL(s);
        on_sync_object_use(t, &c, "reads the value of");
        rt_leave(t);
    }
    return REAL(sem_getvalue)(s, value);
}

RD_EXPORT sem_t *sem_open(const char *name, int oflag, ...)
{
    struct rt_thread *t;
    sem_t *s;
    int e;
    if (oflag & O_CREAT) {
        va_list ap;
        unsigned mode, value;
        va_start(ap, oflag);
        mode = va_arg(ap, unsigned);
        value = va_arg(ap, unsigned);
        va_end(ap);
        s = REAL(sem_open)(name, oflag, (mode_t)mode, value);
    } else {
        s = REAL(sem_open)(name, oflag);
    }
    e = errno;
    if (s != SEM_FAILED && (t = preload_enter()) != NULL) {
        struct rt_sync_call c = SEM_CALL(s);
        on_sync_object_open(t, &c);
        rt_leave(t);
    }
    errno = e;
    return s;
}

RD_EXPORT int sem_close(sem_t *s)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        struct rt_sync_call c = SEM_CALL(s);
        on_sync_object_close(t, &c);
        rt_leave(t);
    }
    return REAL(sem_close)(s);
}
