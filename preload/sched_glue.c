/*
 * sched_glue: the parts of the modelled blocking calls (sched_hooks.h)
 * that need the real functions: trying a mutex or semaphore between the
 * scheduler's prepare and wait, releasing the mutex of a condition wait,
 * reading glibc's pthread_once state. The scheduler itself
 * (src/runtime/sched) never calls libc's synchronisation functions.
 */
#include "sched_hooks.h"

#include <errno.h>

/* At a modelled wait that is a cancellation point (condition, semaphore,
 * join), when it is called and after each wait: act on a pending
 * cancellation as the real call would, outside the runtime (the thread
 * unwinds from here). */
static void cancellation_point(struct rt_thread *t)
{
    rt_leave(t);
    pthread_testcancel();
    rt_reenter(t);
}

void preload_sched_cancelled(pthread_t th)
{
    struct rt_thread *t = preload_enter(), *target;
    if (!t)
        return;
    target = rt_thread_by_handle(th);
    if (target)
        rt_sched_cancelled(target);
    rt_leave(t);
}

void preload_sched_released_point(struct rt_thread *t, uintptr_t addr)
{
    rt_sched_released(addr);
    if (t && rt_sched_controls(t) && rt_reenter(t)) {
        rt_sched_point(t);
        rt_leave(t);
    }
}

void preload_sched_acquire_point(struct rt_thread *t, const struct rt_sync_call *c)
{
    rt_sched_point(t);
    rt_sched_acquire_point(t, c->addr, c->pc);
}

void preload_sched_acquired(struct rt_thread *t, const struct rt_sync_call *c)
{
    on_lock_acquired(t, c);
    rt_sched_acquired(t, c->addr, c->pc);
}

int preload_sched_busy(struct rt_thread *t, const struct rt_sync_call *c, int n)
{
    if (n == 0) {
        /* its own lock: the usual path decides (EDEADLK, self-deadlock) */
        if (c->owner_probe && c->owner_probe(c->addr) == 1) {
            rt_sched_wait_cancel(t);
            return 0;
        }
        /* the engine's checks before a wait (an rwlock this thread
         * read-holds), and the wait for the deadlock watchdog */
        if (on_lock_wait(t, c) == RT_HANGS)
            rt_die();
    }
    return rt_sched_wait(t) ? n + 1 : 0;
}

int preload_sched_cond_wait(struct rt_thread *t, pthread_cond_t *cv, pthread_mutex_t *m,
                            const struct rt_sync_call *mc)
{
    int e = errno, rc;
    if (!rt_reenter(t))
        return REAL(pthread_cond_wait)(cv, m);
    cancellation_point(t); /* a pending cancellation acts at the call */
    rt_sched_wait_prepare(t, RT_SCHED_ON_COND, (uintptr_t)cv, mc->pc, mc->sp);
    rc = REAL(pthread_mutex_unlock)(m);
    if (rc != 0) {
        /* as glibc's wait does with a mutex it may not unlock (EPERM) */
        rt_sched_wait_cancel(t);
        rt_leave(t);
        return rc;
    }
    rt_sched_releasing(t, (uintptr_t)m);
    rt_sched_released((uintptr_t)m);
    if (rt_sched_wait(t)) {
        /* signalled (and picked): take the mutex again */
        for (;;) {
            rt_sched_wait_prepare(t, RT_SCHED_ON_LOCK, (uintptr_t)m, mc->pc, mc->sp);
            if (REAL(pthread_mutex_trylock)(m) == 0) {
                rt_sched_wait_cancel(t);
                break;
            }
            if (!rt_sched_wait(t)) {
                REAL(pthread_mutex_lock)(m);
                break;
            }
        }
    } else {
        REAL(pthread_mutex_lock)(m); /* the process is ending: a spurious wake-up */
    }
    rt_sched_acquired(t, (uintptr_t)m, mc->pc);
    cancellation_point(t); /* with the mutex held, as POSIX wants */
    rt_leave(t);
    errno = e;
    return 0;
}

int preload_sched_sem_wait(struct rt_thread *t, sem_t *s, const struct rt_sync_call *c)
{
    int e = errno;
    if (!rt_reenter(t))
        return REAL(sem_wait)(s);
    cancellation_point(t);
    for (;;) {
        rt_sched_wait_prepare(t, RT_SCHED_ON_SEM, (uintptr_t)s, c->pc, c->sp);
        if (REAL(sem_trywait)(s) == 0) {
            rt_sched_wait_cancel(t);
            rt_leave(t);
            errno = e;
            return 0;
        }
        if (errno != EAGAIN) {
            int err = errno;
            rt_sched_wait_cancel(t);
            rt_leave(t);
            errno = err;
            return -1;
        }
        if (!rt_sched_wait(t)) {
            rt_leave(t);
            errno = e;
            return REAL(sem_wait)(s);
        }
        cancellation_point(t);
    }
}

bool preload_sched_barrier_wait(struct rt_thread *t, const struct rt_sync_call *c, int *rc)
{
    int r;
    if (!rt_reenter(t))
        return false;
    r = rt_sched_barrier_wait(t, c->addr, c->pc, c->sp);
    rt_leave(t);
    if (r < 0)
        return false;
    *rc = r == 1 ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
    return true;
}

/* glibc's pthread_once_t: bit 0 while a thread runs the routine, bit 1
 * once it is done (the rest is a fork generation). */
#define ONCE_IN_PROGRESS 1
#define ONCE_DONE 2

static bool once_busy(pthread_once_t *o)
{
    int v = __atomic_load_n((int *)o, __ATOMIC_ACQUIRE);
    return (v & ONCE_IN_PROGRESS) && !(v & ONCE_DONE);
}

void preload_sched_once(struct rt_thread *t, pthread_once_t *o, uintptr_t pc, uintptr_t sp)
{
    rt_sched_point(t);
    while (once_busy(o)) {
        rt_sched_wait_prepare(t, RT_SCHED_ON_ONCE, (uintptr_t)o, pc, sp);
        if (!once_busy(o)) {
            rt_sched_wait_cancel(t);
            return;
        }
        if (!rt_sched_wait(t))
            return;
    }
}

void preload_sched_atomic_point(uintptr_t pc)
{
    struct rt_thread *t = preload_enter();
    if (t) {
        if (rt_sched_controls(t))
            rt_sched_atomic_point(t, pc);
        rt_leave(t);
    }
}

void preload_sched_join(struct rt_thread *t, pthread_t th, uintptr_t pc, uintptr_t sp)
{
    struct rt_thread *target = rt_thread_by_handle(th);
    cancellation_point(t);
    while (!rt_sched_join(t, target, pc, sp))
        cancellation_point(t); /* woken by a pthread_cancel of t */
}

void preload_sched_thread_start(struct rt_thread *child)
{
    struct rt_thread *t = rt_enter();
    if (t) {
        rt_sched_thread_start(t);
        rt_leave(t);
    }
}
