/*
 * intercept_thread: thread creation, start, end, join and detach. A new
 * thread starts in thread_trampoline, which tells the engine it started,
 * runs the program's start routine, and tells it the thread ended (also
 * when it is cancelled: the cleanup handler).
 */
#include "annotate.h"
#include "preload.h"
#include "core/core.h"
#include "sched_hooks.h"

#include <signal.h>
#include <stdlib.h>

struct start_args {
    void *(*start)(void *);
    void *arg;
    struct rt_thread *child;
    bool masked;      /* the thread starts with every signal blocked ... */
    sigset_t mask;    /* ... and takes this mask once it has started */
};

static void thread_ended(void *child)
{
    struct rt_thread *t = rt_enter();
    (void)child;
    if (t) {
        on_thread_exit(t, 0, 0);
        SCHED_THREAD_EXIT(t);
        rt_leave(t);
    }
}

static void *thread_trampoline(void *p)
{
    struct start_args a = *(struct start_args *)p;
    void *ret;
    rt_free(p, sizeof a);
    on_thread_start(a.child);
    if (a.masked)
        pthread_sigmask(SIG_SETMASK, &a.mask, NULL);
    SCHED_THREAD_START(a.child);
    pthread_cleanup_push(thread_ended, a.child);
    ret = a.start(a.arg);
    pthread_cleanup_pop(1);
    return ret;
}

/* In race mode a new thread starts with every signal blocked, until the
 * engine knows it (thread_trampoline): a handler that ran before would be
 * taken for a thread of its own, whose accesses race with the thread's
 * (compiler-rt's signal_block). The creator blocks them around the call
 * (glibc gives the new thread its creator's mask) and keeps its own in
 * *mask, which the new thread then takes: what it would have started
 * with. Not when the attributes set the new thread's mask themselves. */
static bool start_masked(const pthread_attr_t *attr, sigset_t *mask)
{
    sigset_t all, own;
    if (!__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED) ||
        (attr && pthread_attr_getsigmask_np(attr, &own) == 0))
        return false;
    sigfillset(&all);
    return pthread_sigmask(SIG_BLOCK, &all, mask) == 0;
}

RD_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *),
                             void *arg)
{
    struct rt_thread *t = preload_enter();
    struct start_args *a;
    struct rt_thread *child;
    int detach = PTHREAD_CREATE_JOINABLE, rc;
    sigset_t creator_mask;
    bool masked;
    if (!t)
        return REAL(pthread_create)(th, attr, start, arg);
    if (attr)
        pthread_attr_getdetachstate(attr, &detach);
    SCHED_POINT(t);
    a = rt_alloc(sizeof *a);
    a->start = start;
    a->arg = arg;
    child = a->child = on_thread_create(t, CALLER_PC(), CALLER_SP(), (uintptr_t)start,
                                detach == PTHREAD_CREATE_DETACHED);
    SCHED_THREAD_CREATE(t, child);
    rt_leave(t);
    /* glibc's own work in there (a cached stack's dynamic TLS blocks freed,
     * the new thread's allocated) is not the program's: a dead detached
     * thread's TLS block freed here would race with its last writes */
    annotate_ignore(ANNOTATE_READS | ANNOTATE_WRITES, +1);
    masked = a->masked = start_masked(attr, &creator_mask);
    a->mask = creator_mask;
    rc = REAL(pthread_create)(th, attr, thread_trampoline, a);
    if (masked) /* (not a->masked: a is the new thread's now) */
        pthread_sigmask(SIG_SETMASK, &creator_mask, NULL);
    annotate_ignore(ANNOTATE_READS | ANNOTATE_WRITES, -1);
    SCHED_THREAD_CREATED(child, rc == 0);
    if ((t = rt_enter()) != NULL) {
        /* not a->child: the new thread frees `a` as soon as it starts */
        on_thread_created(t, child, rc == 0 ? *th : 0, rc == 0);
        rt_leave(t);
    }
    if (rc != 0)
        rt_free(a, sizeof *a);
    return rc;
}

/* Joins of all kinds: the engine hears of the ones that succeeded. A join
 * that can wait is a blocking call (timed when a lock is held:
 * blocking_under_lock); without a time limit it is also a wait on the
 * joined thread, which the deadlock watchdog follows. */
#define RD_JOIN(th, CAN_WAIT, UNTIMED, NAME, REALCALL)                       \
    do {                                                                     \
        struct rt_thread *t_ = preload_enter(), *joined_;                    \
        uint64_t b_ = 0;                                                     \
        int rc_;                                                             \
        if (!t_)                                                             \
            return REALCALL;                                                 \
        joined_ = on_thread_join_begin(t_, th, NAME);                        \
        SCHED_JOIN(t_, th, UNTIMED);                                         \
        if (UNTIMED)                                                         \
            on_join_wait(t_, th, CALLER_PC(), CALLER_SP());                  \
        if (CAN_WAIT)                                                        \
            b_ = on_blocking_begin(t_);                                      \
        rt_leave(t_);                                                        \
        rc_ = REALCALL;                                                      \
        if (rt_reenter(t_)) {                                                \
            if (UNTIMED)                                                     \
                on_join_done(t_);                                            \
            on_blocking_end(t_, b_, NAME, CALLER_PC());                      \
            if (rc_ == 0)                                                    \
                on_thread_joined(t_, joined_);                               \
            else if (!(CAN_WAIT))                                            \
                SCHED_TRY_FAILED(t_);                                        \
            rt_leave(t_);                                                    \
        }                                                                    \
        return rc_;                                                          \
    } while (0)

RD_EXPORT int pthread_join(pthread_t th, void **ret)
{
    RD_JOIN(th, true, true, "pthread_join", REAL(pthread_join)(th, ret));
}

RD_EXPORT int pthread_tryjoin_np(pthread_t th, void **ret)
{
    RD_JOIN(th, false, false, "pthread_tryjoin_np", REAL(pthread_tryjoin_np)(th, ret));
}

RD_EXPORT int pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *ts)
{
    RD_JOIN(th, true, false, "pthread_timedjoin_np", REAL(pthread_timedjoin_np)(th, ret, ts));
}

RD_EXPORT int pthread_clockjoin_np(pthread_t th, void **ret, clockid_t clk, const struct timespec *ts)
{
    RD_JOIN(th, true, false, "pthread_clockjoin_np",
            REAL(pthread_clockjoin_np)(th, ret, clk, ts));
}

RD_EXPORT int pthread_detach(pthread_t th)
{
    int rc = REAL(pthread_detach)(th);
    struct rt_thread *t;
    if (rc == 0 && (t = preload_enter()) != NULL) {
        on_thread_detach(t, th);
        rt_leave(t);
    }
    return rc;
}

/* A thread waiting in racedet explore's scheduler (a modelled condition,
 * semaphore or join wait: cancellation points) is woken to act on it. */
RD_EXPORT int pthread_cancel(pthread_t th)
{
    int rc = REAL(pthread_cancel)(th);
    SCHED_CANCELLED(th);
    return rc;
}

RD_EXPORT void pthread_exit(void *ret)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        if (on_thread_exit_call(t, CALLER_PC(), CALLER_SP()))
            SCHED_THREAD_EXIT(t); /* (else thread_ended does both) */
        rt_leave(t);
    }
    REAL(pthread_exit)(ret);
    __builtin_unreachable();
}
