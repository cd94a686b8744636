/*
 * sched: the controlled scheduler of `racedet explore` (docs/design.md
 * "Exploring schedules"). When the `schedule` option is set, the threads of
 * the program run one at a time: a thread runs until its next scheduling
 * point (a synchronisation call, made visible to the engine by the
 * interceptors), where the scheduler picks which thread runs next with PCT
 * (random thread priorities plus DEPTH-1 priority change points; Burckhardt
 * et al., ASPLOS 2010). The choice depends only on the seed, the run number
 * and the sequence of scheduling points, so a run can be made again.
 *
 * Blocking is modelled: a thread takes a lock only when it is free (the
 * caller tries it at the point), else it is blocked on the lock and not
 * picked until a release of it; condition variables, semaphores, barriers,
 * joins and pthread_once are modelled the same way. A run in which every
 * controlled thread is blocked on a modelled object is a deadlock: reported
 * (`deadlock`) and the process ended. A thread that stops making progress
 * while it runs (blocked in the kernel on something the engine does not
 * see, or spinning) is taken out of the controlled set after a while, so
 * the others go on; it comes back at its next scheduling point.
 *
 * Who calls it: the interceptors (preload/), on the thread making the call,
 * with `t` entered (rt_enter); rt_sched_start once at start-up; the fork
 * handlers. It knows nothing of how calls are intercepted: where a real
 * call must be tried or made, the caller does it between the calls here
 * (rt_sched_wait_prepare, then the try, then rt_sched_wait or
 * rt_sched_wait_cancel). It stands on core/ only.
 *
 * Threads: every function may run on any program thread; the scheduler's
 * state is under one internal spinlock, and a thread waiting for its turn
 * sleeps on a futex of its own (never a lock the program could see).
 */
#ifndef RT_SCHED_H
#define RT_SCHED_H

#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

/* True once a schedule controls this process (set by rt_sched_start,
 * before any program thread exists; never cleared). Interceptors test it
 * before anything else, so that it costs one load when there is none. */
extern bool rt_sched_active;

/* Where threads may be switched (the schedule's POINTS), each level with
 * the points of the ones before it: synchronisation calls; atomic
 * operations of instrumented code; plain accesses of instrumented code to
 * shared locations (memory.c). */
enum rt_sched_points { RT_SCHED_POINTS_SYNC, RT_SCHED_POINTS_ATOMICS, RT_SCHED_POINTS_MEMORY };
extern enum rt_sched_points rt_sched_points;

/* Start scheduling: spec is the `schedule` option (empty: nothing
 * happens); stats_dir, when not NULL, is where the run's statistics file
 * goes (racedet explore reads it). The calling thread (t) is the main
 * thread and runs first. Returns 0, or -1 with a one-line reason. */
int rt_sched_start(struct rt_thread *t, const char *spec, const char *stats_dir, char *err,
                   size_t errlen);

/* Is t one of the threads the schedule controls (now or after its next
 * scheduling point)? False for threads racedet did not see created, for
 * threads that ended, and once the process is ending. */
bool rt_sched_controls(const struct rt_thread *t);

/* ---- scheduling points -------------------------------------------------------- */

/* A scheduling point, before a synchronisation call: the scheduler may
 * let other threads run first; returns when t is to make the call. */
void rt_sched_point(struct rt_thread *t);

/* The call t just made could not proceed and the program will try again
 * (a trylock that failed, a tryjoin of a running thread): t gives way to
 * every other thread (its priority drops below all), so that a retry loop
 * cannot starve the thread it waits for. */
void rt_sched_yield(struct rt_thread *t);

/* A scheduling point at an atomic operation of instrumented code: the same
 * as rt_sched_point, made only when the schedule's POINTS are atomics.
 * pc: where in the program. */
void rt_sched_atomic_point(struct rt_thread *t, uintptr_t pc);

/* ---- waiting on modelled objects ---------------------------------------------- */

enum rt_sched_wait {
    RT_SCHED_ON_LOCK,      /* a mutex, rwlock or spinlock that was busy */
    RT_SCHED_ON_COND,      /* a condition variable, until signalled */
    RT_SCHED_ON_SEM,       /* a semaphore whose value was 0 */
    RT_SCHED_ON_BARRIER,   /* a barrier, until its last thread arrives */
    RT_SCHED_ON_JOIN,      /* a thread, until it ends */
    RT_SCHED_ON_ONCE,      /* a pthread_once another thread is running */
};

/* Waiting has three steps, so that a wake-up between the caller's try and
 * the wait is not lost:
 *   rt_sched_wait_prepare  t means to wait on obj (pc, sp: the program's
 *                          call, for the waiting stack of a deadlock)
 *   ... the caller tries the object (trylock, trywait) or releases what
 *       the wait releases (the mutex of a condition wait) ...
 *   rt_sched_wait          t waits until obj is woken (at once when it
 *                          already was since prepare) and it is picked;
 *   rt_sched_wait_cancel   or: the try succeeded, no wait.
 * rt_sched_wait returns false when the schedule no longer controls t (the
 * process is ending): the caller then makes the real, blocking call. */
void rt_sched_wait_prepare(struct rt_thread *t, enum rt_sched_wait kind, uintptr_t obj,
                           uintptr_t pc, uintptr_t sp);
bool rt_sched_wait(struct rt_thread *t);
void rt_sched_wait_cancel(struct rt_thread *t);

/* obj was released (unlock, sem_post, pthread_once done): every thread
 * waiting on it may try again. Any thread, controlled or not. */
void rt_sched_released(uintptr_t obj);

/* A condition variable is signalled (all: broadcast): one waiter, chosen
 * by the schedule, or every waiter, is woken. */
void rt_sched_cond_signal(uintptr_t cond, bool all);

/* A barrier of `count` threads was initialised at addr. */
void rt_sched_barrier_init(uintptr_t addr, unsigned count);
/* t arrives at the barrier: returns 1 for the thread that completes the
 * round (PTHREAD_BARRIER_SERIAL_THREAD), 0 for the others once it is
 * complete, or -1 when the barrier is not modelled (its init was not
 * seen): the caller makes the real call. */
int rt_sched_barrier_wait(struct rt_thread *t, uintptr_t addr, uintptr_t pc, uintptr_t sp);

/* t joins target: returns true once target has ended (its start routine
 * returned or it called pthread_exit), with t to make the real join; false
 * when t was woken for something else (a pthread_cancel of t: the caller
 * acts on it, then joins again). */
bool rt_sched_join(struct rt_thread *t, struct rt_thread *target, uintptr_t pc, uintptr_t sp);

/* pthread_cancel of target was made: when it waits at a cancellation
 * point (a condition, a semaphore, a join), it is woken, to act on it. */
void rt_sched_cancelled(struct rt_thread *target);

/* ---- threads ------------------------------------------------------------------ */

/* parent is creating child (before the real pthread_create): the child
 * joins the controlled set, with its priority. ok false afterwards: the
 * creation failed. */
void rt_sched_thread_create(struct rt_thread *parent, struct rt_thread *child);
void rt_sched_thread_created(struct rt_thread *child, bool ok);
/* The new thread starts: it waits for its first turn. */
void rt_sched_thread_start(struct rt_thread *t);
/* The thread ends: it leaves the controlled set, its joiners may go on. */
void rt_sched_thread_exit(struct rt_thread *t);

/* ---- lock-order cycles to confirm (schedule option cycle=...) ------------------ */

/* t is about to acquire a lock at pc (a blocking acquisition, before the
 * try): when the schedule steers towards a lock-order cycle and t holds a
 * lock it took at the first site of one of the cycle's edges while pc is
 * that edge's second site, t is paused there (it runs again only when no
 * other thread can) so that the other threads reach their edges.
 * rt_sched_acquired / rt_sched_releasing keep the sites of t's locks. */
void rt_sched_acquire_point(struct rt_thread *t, uintptr_t obj, uintptr_t pc);
void rt_sched_acquired(struct rt_thread *t, uintptr_t obj, uintptr_t pc);
void rt_sched_releasing(struct rt_thread *t, uintptr_t obj);

/* ---- fork --------------------------------------------------------------------- */

void rt_sched_fork_prepare(void);
void rt_sched_fork_parent(void);
/* The child has only the forking thread: it goes on alone, under a
 * schedule of its own. */
void rt_sched_fork_child(void);

#endif
