/*
 * events: the engine's entry points, one per event, called by the
 * interceptors in preload/ (or directly by tests). They know nothing of how
 * the event was observed. Every handler runs on the thread that made the
 * event, with `t` its state (from rt_enter), and never blocks.
 *
 * Order relative to the real call, which the caller must keep:
 *   on_lock_wait        before a lock call (may block or not)
 *   on_lock_acquired    after it succeeded
 *   on_lock_not_acquired after it failed (trylock busy, timeout, error)
 *   on_lock_release     BEFORE the real unlock (so the next owner's
 *                       acquisition is seen after this release)
 *   on_lock_destroy     before the real destroy; on_lock_destroyed after
 */
#ifndef RT_EVENTS_H
#define RT_EVENTS_H

#include "locks.h"
#include "threads.h"

#include <stdbool.h>
#include <stdint.h>

/* What the interceptor knows of one call on a synchronisation object. */
struct rt_sync_call {
    uintptr_t addr;
    int kind;            /* enum rt_lock_kind */
    int type;            /* enum rt_lock_type, read from the object itself */
    bool write;          /* exclusive acquisition (always for mutex/spin) */
    bool trylock;
    bool timed;
    /* Asks the object itself whether the calling thread owns it: 1 yes,
     * 0 no, -1 cannot tell. Used only on the rare path where the engine
     * thinks the thread does not hold it (e.g. locked before racedet
     * started). May be NULL. */
    int (*owner_probe)(uintptr_t addr);
    uintptr_t pc;        /* return address into the program */
    uintptr_t sp;        /* the program's stack pointer at the call */
};

enum rt_verdict {
    RT_PROCEED,          /* make the real call */
    RT_HANGS,            /* the real call would never return: report made,
                            the caller ends the process (rt_die) */
};

enum rt_verdict on_lock_wait(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_acquired(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_not_acquired(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_release(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_init(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_destroy(struct rt_thread *t, const struct rt_sync_call *c);
void on_lock_destroyed(struct rt_thread *t, const struct rt_sync_call *c, bool ok);

/* Condition variables: the mutex is released for the wait and re-acquired
 * after it (also after a timeout). */
void on_cond_wait(struct rt_thread *t, const struct rt_sync_call *cond,
                  const struct rt_sync_call *mutex);
void on_cond_woken(struct rt_thread *t, const struct rt_sync_call *cond,
                   const struct rt_sync_call *mutex);

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
void on_thread_join(struct rt_thread *t, pthread_t target);
void on_thread_detach(struct rt_thread *t, pthread_t target);
/* The process ends (exit, return from main): report leaked threads. */
void on_process_exit(struct rt_thread *t);
/* Memory at [addr, addr+size) is gone (free, munmap): forget its locks. */
void on_memory_freed(uintptr_t addr, uintptr_t size);

#endif
