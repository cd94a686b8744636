/*
 * deadlock: the deadlock watchdog (watchdog.c). It finds real deadlocks — threads blocked on each other right now,
 * or a thread blocked on a lock that nobody can ever release — reports them
 * and ends the process instead of letting it hang (docs/design.md "The
 * deadlock watchdog").
 *
 * Who calls it:
 *   - on_lock_wait (an untimed lock call that could not take the lock at
 *     once: the interceptors try first) and on_join_wait (an untimed
 *     pthread_join) call rt_watchdog_wait_begins on the waiting thread. The
 *     thread has already published what it waits for (waiting_for or
 *     joining, waiting_since_ns, waiting_stack) in its struct rt_thread.
 *   - The watchdog thread itself, made with the REAL pthread_create (set
 *     rt_watchdog_spawn) the first time a thread waits: it is no program
 *     thread, has every signal blocked, never holds a program lock and is
 *     never in the thread list or the lock graph.
 *   - Tests call rt_watchdog_scan / rt_watchdog_report directly.
 *
 * Cost: while no thread is blocked the watchdog sleeps on a futex and is
 * never woken; a waiting thread pays one full fence and one read of a
 * read-mostly word (the parked flag), and a futex wake only when it is the
 * one that unparks the watchdog. While some thread is blocked, the
 * watchdog sleeps until the moment the oldest wait becomes deadlock_timeout
 * old, looks, and parks again when nobody waits any more.
 *
 * Reading other threads' state: a thread only changes its held set outside
 * a wait, so the watchdog trusts a snapshot of a thread's held set only when
 * the thread was waiting, in the same wait (same wait_seq), before and after
 * the copy; the copy itself is made under the thread's peek_lock, which the
 * thread takes to free the array. Lock structs are never unmapped.
 */
#ifndef RT_DEADLOCK_H
#define RT_DEADLOCK_H

#include "core/core.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct rt_thread;
struct rt_lock;

/* How the watchdog thread is made: the real pthread_create (set by the
 * preload layer before the first event; NULL means no watchdog thread). */
extern int (*rt_watchdog_spawn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/* Monotonic time in ns (CLOCK_MONOTONIC). */
uint64_t rt_now_ns(void);

/* The calling thread has published a blocking wait (waiting_for or
 * joining): count it, start or wake the watchdog. */
void rt_watchdog_wait_begins(struct rt_thread *t);

/* One blocked thread of a deadlock. */
struct rt_deadlock_member {
    struct rt_thread *thread;
    struct rt_lock *waits_for;     /* the lock it waits for, or NULL */
    struct rt_thread *joins;       /* the thread it joins, or NULL */
    struct rt_thread *holder;      /* next in the cycle: who holds waits_for / is joined */
    rt_stack_id waiting_stack;
    uint64_t since_ns;
};

/* Why a deadlock can never end. */
enum rt_deadlock_why {
    RT_DEADLOCK_CYCLE,             /* the threads wait for each other */
    RT_DEADLOCK_OWNER_EXITED,      /* one thread waits for a lock whose owner
                                      ended without releasing it */
    RT_DEADLOCK_OWNER_NOT_HERE,    /* ... whose owner is a thread of the parent
                                      process, absent from this forked child */
};

struct rt_deadlock {
    enum rt_deadlock_why why;
    unsigned n;                    /* threads in the cycle (1 for an owner gone) */
    struct rt_deadlock_member *m;  /* in cycle order: m[i] waits for m[i+1];
                                      for an owner gone, m[0] waits for a lock
                                      held by m[0].holder, which is gone */
    uint64_t blocked_ns;           /* how long the last of them has been blocked */
};

/* Look at every thread once, at time now_ns. Returns true and fills *out
 * (valid until the next scan) when threads are blocked in a cycle, or a
 * thread is blocked on a lock whose owner is gone (it ended holding it, or
 * it does not exist in this forked child; robust mutexes excepted: their
 * next locker gets EOWNERDEAD), and the last of them has been blocked for
 * deadlock_timeout_ms; else false, with *next_ns the time worth looking
 * again (0: nobody is blocked). */
bool rt_watchdog_scan(uint64_t now_ns, struct rt_deadlock *out, uint64_t *next_ns);

/* Write the `deadlock` finding (the caller then ends the process). */
void rt_watchdog_report(const struct rt_deadlock *d);

/* Fork: no scan runs across fork; the child has no watchdog thread (it is
 * made again at the child's first blocking wait). */
/* Returns once no scan is under way: a thread record about to be
 * released (rt_thread_release) is off the live list, so no later scan
 * sees it. */
void rt_watchdog_sync(void);

void rt_watchdog_fork_prepare(void);
void rt_watchdog_fork_parent(void);
void rt_watchdog_fork_child(void);

#endif
