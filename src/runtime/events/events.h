/*
 * events: the engine's entry points, one per event, called by the
 * interceptors in preload/ (or directly by tests). They know nothing of how
 * the event was observed. Each handler keeps the core's state (held sets,
 * lock owners) and hands the event to the parts that want it: the
 * lock-order graph (lock_order/), race detection (races/), the deadlock
 * watchdog (deadlock/). Only this layer sees more than one part. Every handler runs on the thread that made the
 * event, with `t` its state (from rt_enter), and never blocks.
 *
 * Order relative to the real call, which the caller must keep:
 *   on_lock_wait        before a lock call (may block or not)
 *   on_lock_acquired    after it succeeded
 *   on_lock_not_acquired after it failed (trylock busy, timeout, error)
 *   on_lock_release     BEFORE the real unlock (so the next owner's
 *                       acquisition is seen after this release)
 *   on_lock_init_begin  before the real init; on_lock_init after it
 *                       succeeded
 *   on_lock_destroy     before the real destroy; on_lock_destroyed after
 */
#ifndef RT_EVENTS_H
#define RT_EVENTS_H

#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

enum rt_verdict {
    RT_PROCEED,          /* make the real call */
    RT_HANGS,            /* the real call would never return: report made,
                            the caller ends the process (rt_die) */
};

enum rt_verdict on_lock_wait(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_acquired(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_not_acquired(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_release(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_init_begin(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_init(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_destroy(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_destroyed(struct rt_thread *t, const struct rt_sync_call *c, bool ok);

/* Condition variables: the mutex is released for the wait and re-acquired
 * after it (also after a timeout). on_cond_returned after the real wait
 * (woken: it returned 0); on_cond_woken is on_cond_returned(..., true).
 * on_cond_signal before a real signal or broadcast: the threads it wakes
 * are no longer blocked on the condition (a destroy then is fine). */
void on_cond_wait(struct rt_thread *t, const struct rt_sync_call *cond,
                  const struct rt_sync_call *mutex);
void on_cond_returned(struct rt_thread *t, const struct rt_sync_call *cond,
                      const struct rt_sync_call *mutex, bool woken);
void on_cond_woken(struct rt_thread *t, const struct rt_sync_call *cond,
                   const struct rt_sync_call *mutex);
void on_cond_signal(struct rt_thread *t, const struct rt_sync_call *cond, bool broadcast);

/* Threads. on_thread_create returns the new thread's state, which the
 * interceptor hands to the new thread for on_thread_start. */
struct rt_thread *on_thread_create(struct rt_thread *parent, uintptr_t pc, uintptr_t sp,
                                   uintptr_t start_routine, bool detached);
void on_thread_created(struct rt_thread *parent, struct rt_thread *child, pthread_t handle,
                       bool ok);
void on_thread_start(struct rt_thread *child);
/* The thread ends: by returning from its start routine (pc 0) or by
 * pthread_exit at pc. */
void on_thread_exit(struct rt_thread *t, uintptr_t pc, uintptr_t sp);
/* pthread_exit is called at pc: true when the thread ended here
 * (on_thread_exit); false when it ends in the trampoline's cleanup handler,
 * after the program's own handlers ran (on_thread_exit then). */
bool on_thread_exit_call(struct rt_thread *t, uintptr_t pc, uintptr_t sp);
/* Before a join (`call` names it) of target: itself (EDEADLK) or a
 * detached thread (EINVAL) is sync_misuse. Returns target's state as it
 * is before the call (NULL: unknown), for on_thread_joined after it: once
 * the join returns, a new thread may have been given the same pthread_t. */
struct rt_thread *on_thread_join_begin(struct rt_thread *t, pthread_t target, const char *call);
void on_thread_joined(struct rt_thread *t, struct rt_thread *target);
/* on_thread_joined with the thread that has handle target now. */
void on_thread_join(struct rt_thread *t, pthread_t target);
void on_thread_detach(struct rt_thread *t, pthread_t target);
/* The process (process_events.c). */
/* fork: hold every runtime lock across it; the child starts a record of
 * its own. */
void rt_fork_prepare(void);
void rt_fork_parent(void);
void rt_fork_child(void);

/* The process ends normally: leaked threads, the exit line. Idempotent. */
void rt_finish(int status, const char *how);

/* The process ends (exit, return from main) on thread t: the locks t
 * still holds, and leaked threads. */
void on_process_exit(struct rt_thread *t);
/* Memory at [addr, addr+size) is gone (munmap, realloc): forget its locks. */
void on_memory_freed(uintptr_t addr, uintptr_t size);
/* The program frees the heap block [addr, addr+size) (free): a lock still
 * in use in it is destroy_locked; its locks are remembered as freed (a
 * later use of one is sync_misuse) until the memory is allocated again,
 * unless the block was a mapping of its own, which the free unmaps
 * (`unmapped`: another mapping may take its place unseen); then it is
 * forgotten, as by on_memory_freed. */
void on_heap_freed(struct rt_thread *t, uintptr_t addr, uintptr_t size, bool unmapped);
/* The program got [addr, addr+size) from the allocator: what lies there is
 * new. On every allocation: one load while no freed lock is remembered.
 * Not from inside the runtime (t->in_runtime). */
void on_memory_allocated_slow(uintptr_t addr, uintptr_t size);
static inline void on_memory_allocated(uintptr_t addr, uintptr_t size)
{
    if (__builtin_expect(rt_gone_maybe(addr, addr + size), 0))
        on_memory_allocated_slow(addr, size);
}
/* A timed call (c->timed, or a timed condition, semaphore or join wait)
 * with this deadline, before the real call: a tv_nsec outside
 * 0..999999999 makes it fail with EINVAL (sync_misuse). `call` names the
 * function. NULL deadlines are ignored. */
struct timespec;
void on_timed_wait(struct rt_thread *t, const struct rt_sync_call *c, const char *call,
                   const struct timespec *deadline);

/* Blocking calls (blocking_events.c): sleeps, I/O, joins, semaphore,
 * barrier and condition waits. A call is timed only when the thread holds
 * a lock: on_blocking_begin returns the start time then (else 0, and the
 * call costs nothing more); on_blocking_end, after the real call, reports
 * blocking_under_lock when it lasted longer than blocking_threshold_ms
 * (once per call site pc) and one of the locks held is shared (another
 * thread acquired or waited for it); when none is yet, the report waits
 * until one becomes shared (on_lock_shared). `call` names the function. */
uint64_t on_blocking_begin(struct rt_thread *t);
void on_blocking_end(struct rt_thread *t, uint64_t start_ns, const char *call, uintptr_t pc);

/* Between the event files: lock l has just become shared (a second thread
 * acquired or waited for it): blocking calls made under it before now are
 * reported (blocking_events.c). */
void on_lock_shared(struct rt_lock *l);

/* An untimed pthread_join of `target` begins / ended: while it waits the
 * thread waits for target, for the deadlock watchdog (watchdog.h). */
void on_join_wait(struct rt_thread *t, pthread_t target, uintptr_t pc, uintptr_t sp);
void on_join_done(struct rt_thread *t);

/* Semaphores and barriers (sync_events.c): c->kind is RT_SEM or
 * RT_BARRIER. Misuse is reported as sync_misuse. The happens-before events
 * are made here: a post releases, a successful sem wait acquires; a barrier
 * wait releases on arrival and acquires on departure.
 *   on_sync_object_init       before the real init (count: the barrier's
 *                             count or the semaphore's value)
 *   on_sync_object_inited     after it (ok: it succeeded)
 *   on_sync_object_destroy    before the real destroy (false: it must not
 *                             be made, as for a wait); _destroyed after
 *   on_sync_object_wait       before a wait (sem_wait/trywait/timedwait,
 *                             barrier_wait); returns false when the real
 *                             call must not be made (it would crash: a
 *                             barrier never initialised)
 *   on_sync_object_waited     after it (ok: the wait succeeded)
 *   on_sync_object_post       before sem_post
 *   on_sync_object_use        before any other use (sem_getvalue)
 *   on_sync_object_open       after sem_open returned it; _close before
 *                             sem_close */
void on_sync_object_init(struct rt_thread *t, const struct rt_sync_call *c, unsigned count);
void on_sync_object_inited(struct rt_thread *t, const struct rt_sync_call *c, unsigned count,
                           bool ok);
bool on_sync_object_destroy(struct rt_thread *t, const struct rt_sync_call *c);
void on_sync_object_destroyed(struct rt_thread *t, const struct rt_sync_call *c, bool ok);
bool on_sync_object_wait(struct rt_thread *t, const struct rt_sync_call *c);
void on_sync_object_waited(struct rt_thread *t, const struct rt_sync_call *c, bool ok);
void on_sync_object_post(struct rt_thread *t, const struct rt_sync_call *c);
void on_sync_object_use(struct rt_thread *t, const struct rt_sync_call *c, const char *what);
void on_sync_object_open(struct rt_thread *t, const struct rt_sync_call *c);
void on_sync_object_close(struct rt_thread *t, const struct rt_sync_call *c);
/* pthread_once: the init routine ran (on the thread that ran it, after
 * it); pthread_once returns (on every caller). */
void on_once_ran(struct rt_thread *t, uintptr_t once);
void on_once_done(struct rt_thread *t, uintptr_t once);
/* The sync objects inside [lo, hi) are gone with their memory. */
void rt_sync_forget_range(uintptr_t lo, uintptr_t hi);
/* Fork support for the tables of sync_events.c and blocking_events.c. */
void rt_sync_objects_lock_all(void);
void rt_sync_objects_unlock_all(void);
void rt_blocking_lock_all(void);
void rt_blocking_unlock_all(void);

/* The fast paths of the commonest lock events, inline for the interceptors. */
#include "lock_fast.h"

#endif
