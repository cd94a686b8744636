/*
 * sched_hooks: what the interceptors do when a controlled schedule runs
 * the program (`racedet explore`, the `schedule` option; the scheduler is
 * src/runtime/sched/sched.h). Each interceptor calls one of these macros
 * at its synchronisation call; without a schedule each costs one load and
 * a branch (rt_sched_active). The helpers that need the real functions
 * (trying a lock, waiting on a condition) are in sched_glue.c.
 *
 * The shape: a scheduling point before the call (SCHED_POINT: the
 * scheduler may run other threads first); blocking calls are modelled, so
 * that the thread never blocks in the kernel on another controlled
 * thread: a lock is taken only when a try succeeds, else the thread waits
 * in the scheduler until a release of it (SCHED_ACQUIRE); condition waits,
 * semaphore waits, barriers, joins and pthread_once likewise. Timed waits
 * make the real call: when it blocks, the scheduler takes the thread out
 * of the controlled set after a while, and it comes back after the call.
 */
#ifndef RD_SCHED_HOOKS_H
#define RD_SCHED_HOOKS_H

#include "preload.h"
#include "races/races.h"
#include "sched/sched.h"

#include <semaphore.h>

/* Is thread t_ (entered, or NULL) run by the schedule? */
#define SCHED_ON(t_) (__builtin_expect(rt_sched_active, 0) && (t_) && rt_sched_controls(t_))

/* A scheduling point before a synchronisation call. */
#define SCHED_POINT(t_)                                                      \
    do {                                                                     \
        if (SCHED_ON(t_))                                                    \
            rt_sched_point(t_);                                              \
    } while (0)

/* A try-call that failed (trylock, sem_trywait, tryjoin): the thread gives
 * way, so that a retry loop cannot starve the thread it waits for. */
#define SCHED_TRY_FAILED(t_)                                                 \
    do {                                                                     \
        if (SCHED_ON(t_))                                                    \
            rt_sched_yield(t_);                                              \
    } while (0)

/* The object at addr was released (unlock, post, once done): its waiters
 * may try again. Made also by threads the schedule does not run. */
#define SCHED_RELEASED(addr_)                                                \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            rt_sched_released((uintptr_t)(addr_));                           \
    } while (0)

/* A blocking acquisition (lock, rdlock, wrlock, spin_lock) under the
 * schedule: a scheduling point, then TRYCALL (the real try-variant: 0 when
 * it took the object); while it finds the object busy, the thread waits
 * in the scheduler for a release of it and tries again. Returns 0 from the
 * interceptor once the object is taken. Falls through to the usual path
 * when the schedule does not run the thread, or when the thread itself
 * holds the object (then the real call says what happens: EDEADLK, or a
 * self-deadlock report). */
#define SCHED_ACQUIRE(MAKE_CALL, TRYCALL)                                    \
    if (__builtin_expect(rt_sched_active, 0)) {                              \
        struct rt_thread *st_ = preload_enter();                             \
        if (st_ && rt_sched_controls(st_)) {                                 \
            struct rt_sync_call sc_ = MAKE_CALL;                             \
            int sn_ = 0;                                                     \
            preload_sched_acquire_point(st_, &sc_);                          \
            do {                                                             \
                rt_sched_wait_prepare(st_, RT_SCHED_ON_LOCK, sc_.addr, sc_.pc, sc_.sp); \
                if (TRYCALL == 0) {                                          \
                    rt_sched_wait_cancel(st_);                               \
                    preload_sched_acquired(st_, &sc_);                       \
                    rt_leave(st_);                                           \
                    return 0;                                                \
                }                                                            \
            } while ((sn_ = preload_sched_busy(st_, &sc_, sn_)) > 0);        \
        }                                                                    \
        if (st_)                                                             \
            rt_leave(st_);                                                   \
    }

/* After any other acquisition (trylock, timed, robust): rc_ is the real
 * call's result. */
#define SCHED_ACQUIRED(t_, c_, rc_)                                          \
    do {                                                                     \
        if (SCHED_ON(t_)) {                                                  \
            if ((rc_) == 0)                                                  \
                rt_sched_acquired(t_, (c_).addr, (c_).pc);                   \
            else if ((c_).trylock)                                           \
                rt_sched_yield(t_);                                          \
        }                                                                    \
    } while (0)

/* Before a release: the lock's site is forgotten (confirm.c). */
#define SCHED_RELEASING(t_, c_)                                              \
    do {                                                                     \
        if (SCHED_ON(t_))                                                    \
            rt_sched_releasing(t_, (c_).addr);                               \
    } while (0)

/* After a release (unlock, sem_post): the object's waiters may try again,
 * then a scheduling point, the object free. (A point before the release
 * would add nothing a race-free program can see, and it would let other
 * threads run while this one still holds what it is about to give back:
 * threads that back off and retry could then wait on each other for ever.)
 * t_ has left the runtime (NULL: not entered). */
#define SCHED_RELEASED_POINT(t_, addr_)                                      \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            preload_sched_released_point(t_, (uintptr_t)(addr_));            \
    } while (0)

/* pthread_cond_wait (MODEL: not a timed wait) under the schedule: the
 * mutex is released, the thread waits in the scheduler until a signal
 * picks it, then takes the mutex again (as a blocking acquisition).
 * Evaluates to the call's result. t_ has left the runtime. */
#define SCHED_COND_WAIT(t_, MODEL, cv_, m_, mc_, REALCALL)                   \
    ((MODEL) && SCHED_ON(t_) ? preload_sched_cond_wait(t_, cv_, m_, &(mc_)) : (REALCALL))

/* pthread_cond_signal / _broadcast: the scheduler wakes one waiter it
 * chooses, or all. */
#define SCHED_COND_SIGNAL(cv_, all_)                                         \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            rt_sched_cond_signal((uintptr_t)(cv_), all_);                    \
    } while (0)

/* sem_wait (MODEL: not a try or timed wait) under the schedule: tried,
 * else the thread waits in the scheduler for a post. */
#define SCHED_SEM_WAIT(t_, MODEL, s_, c_, REALCALL)                          \
    ((MODEL) && SCHED_ON(t_) ? preload_sched_sem_wait(t_, s_, &(c_)) : (REALCALL))

/* pthread_barrier_init succeeded with this count. */
#define SCHED_BARRIER_INIT(b_, count_)                                       \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            rt_sched_barrier_init((uintptr_t)(b_), count_);                  \
    } while (0)

/* pthread_barrier_wait under the schedule: true, with *rcp set, when the
 * scheduler made the wait (the real one is then not made). t_ has left. */
#define SCHED_BARRIER_WAIT(t_, c_, rcp_) (SCHED_ON(t_) && preload_sched_barrier_wait(t_, &(c_), rcp_))

/* pthread_once: a scheduling point, and a wait while another thread runs
 * the init routine. t_ entered. */
#define SCHED_ONCE(t_, o_)                                                   \
    do {                                                                     \
        if (SCHED_ON(t_))                                                    \
            preload_sched_once(t_, o_, CALLER_PC(), CALLER_SP());            \
    } while (0)

/* pthread_join (UNTIMED: a join that waits without limit): a scheduling
 * point, and for an untimed join a wait in the scheduler until the thread
 * ended. t_ entered. */
#define SCHED_JOIN(t_, th_, UNTIMED)                                         \
    do {                                                                     \
        if (SCHED_ON(t_)) {                                                  \
            rt_sched_point(t_);                                              \
            if (UNTIMED)                                                     \
                preload_sched_join(t_, th_, CALLER_PC(), CALLER_SP());       \
        }                                                                    \
    } while (0)

/* Thread life: the creator makes the child part of the schedule before the
 * real pthread_create; the child waits for its first turn; a thread that
 * ends leaves the schedule. */
#define SCHED_THREAD_CREATE(t_, child_)                                      \
    do {                                                                     \
        if (SCHED_ON(t_))                                                    \
            rt_sched_thread_create(t_, child_);                              \
    } while (0)
#define SCHED_THREAD_CREATED(child_, ok_)                                    \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            rt_sched_thread_created(child_, ok_);                            \
    } while (0)
#define SCHED_THREAD_START(child_)                                           \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0) && (child_)->sched)         \
            preload_sched_thread_start(child_);                              \
    } while (0)
#define SCHED_THREAD_EXIT(t_)                                                \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            rt_sched_thread_exit(t_);                                        \
    } while (0)

/* An atomic operation of instrumented code (racedet-cc builds): a
 * scheduling point when the schedule's points include atomics
 * (racedet explore --points=atomics or memory). pc_: where in the program. */
#define SCHED_ATOMIC_POINT(pc_)                                              \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0) &&                          \
            rt_sched_points >= RT_SCHED_POINTS_ATOMICS)                      \
            preload_sched_atomic_point(pc_);                                 \
    } while (0)

/* racedet explore --points=memory (sched_memory.c): true for the whole
 * run; every instrumented access then takes the whole path, where
 * SCHED_MEMORY_POINT makes it a scheduling point if its location is
 * shared. Exported for the fast path linked into programs. */
extern bool preload_sched_memory __asm__(RT_LINKED_NAME("sched_memory"));

/* A plain access of size_ bytes at addr_ by h_ (the thread's race state,
 * not NULL), before it is checked: a scheduling point when memory points
 * are on and another thread accessed the location before. */
#define SCHED_MEMORY_POINT(h_, addr_, size_, flags_)                         \
    do {                                                                     \
        if (__builtin_expect(preload_sched_memory, 0) &&                     \
            !((flags_) & RT_ACCESS_ATOMIC))                                  \
            preload_sched_memory_point(h_, addr_, size_);                    \
    } while (0)

/* pthread_cancel(th_) was made: if th_ waits in the scheduler at a
 * cancellation point, it is woken, to act on it. */
#define SCHED_CANCELLED(th_)                                                 \
    do {                                                                     \
        if (__builtin_expect(rt_sched_active, 0))                            \
            preload_sched_cancelled(th_);                                    \
    } while (0)

/* ---- sched_glue.c --------------------------------------------------------------- */

void preload_sched_acquire_point(struct rt_thread *t, const struct rt_sync_call *c);
void preload_sched_acquired(struct rt_thread *t, const struct rt_sync_call *c);
/* The try found the object busy (n waits so far): wait for a release.
 * Returns n + 1 to try again, or 0 to take the usual path. */
int preload_sched_busy(struct rt_thread *t, const struct rt_sync_call *c, int n);
int preload_sched_cond_wait(struct rt_thread *t, pthread_cond_t *cv, pthread_mutex_t *m,
                            const struct rt_sync_call *mc);
int preload_sched_sem_wait(struct rt_thread *t, sem_t *s, const struct rt_sync_call *c);
bool preload_sched_barrier_wait(struct rt_thread *t, const struct rt_sync_call *c, int *rc);
void preload_sched_once(struct rt_thread *t, pthread_once_t *o, uintptr_t pc, uintptr_t sp);
void preload_sched_thread_start(struct rt_thread *child);
void preload_sched_atomic_point(uintptr_t pc);
void preload_sched_cancelled(pthread_t th);
void preload_sched_released_point(struct rt_thread *t, uintptr_t addr);
void preload_sched_join(struct rt_thread *t, pthread_t th, uintptr_t pc, uintptr_t sp);

/* ---- sched_memory.c ------------------------------------------------------------- */

/* After rt_sched_start: turn the memory points on when the schedule's
 * points are memory. */
void preload_sched_memory_start(void);
struct rt_hb_thread;
void preload_sched_memory_point(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size);

#endif
