/*
 * threads: the runtime's record of every thread of the program.
 *
 * A struct rt_thread is made when the program creates a thread (or the
 * first time an unknown thread, e.g. one started before racedet was ready,
 * calls an interceptor) and is never freed: findings made long after a
 * thread ended still name it and its creation stack. What only a live
 * thread needs (its caches) is freed when it ends.
 *
 * Fields are grouped by who may touch them:
 *   identity   written before the thread runs, read-only after;
 *   lifecycle  atomics, any thread (join/detach come from other threads);
 *   own        only the thread itself (its held set and caches), except
 *              that the deadlock watchdog reads `held` and `waiting_for`
 *              under `peek_lock`.
 */
#ifndef RT_THREADS_H
#define RT_THREADS_H

#include "rt_spin.h"
#include "stack.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct rt_lock;

/* One lock the thread holds. The entry is stale (the lock was taken away
 * by another thread's unlock, or destroyed) when lock->id or lock->serial
 * no longer match. */
struct rt_held {
    struct rt_lock *lock;
    uint64_t lock_id;
    uint64_t serial;
    rt_stack_id stack;   /* where it was acquired */
    bool write;          /* exclusive (mutex, spin, rwlock write) */
    bool trylock;
};

#define RT_LOCK_CACHE_WAYS 64
#define RT_EDGE_CACHE_WAYS 256

struct rt_thread {
    /* identity */
    int id;                        /* shown as T<id>; 0 is the main thread */
    pid_t pid;                     /* process it belongs to (fork) */
    int parent;                    /* creator's id, -1 if none seen */
    rt_stack_id create_stack;      /* RT_NO_STACK if not created under us */
    uintptr_t start_routine;
    pthread_t handle;              /* as the creator got it */
    bool anonymous;                /* not created by an intercepted pthread_create */

    /* lifecycle */
    atomic_bool running;
    atomic_bool joined, detached;
    unsigned written_epoch;        /* record epoch of its line (under the record lock) */

    /* own */
    int in_runtime;                /* >0 while inside an interceptor: re-entry passes through */
    struct rt_held *held;
    unsigned nheld, cap_held;
    uint64_t held_sig;             /* order-independent signature of the held set */
    rt_spin_t peek_lock;           /* held while `held` is resized, for the watchdog */
    struct rt_lock *_Atomic waiting_for;   /* blocking acquisition in progress */
    bool waiting_write;
    rt_stack_id waiting_stack;
    uint64_t waiting_since_ns;
    struct rt_callsite_cache *callsites;
    struct { uintptr_t addr; struct rt_lock *lock; } lock_cache[RT_LOCK_CACHE_WAYS];
    uint64_t edge_cache[RT_EDGE_CACHE_WAYS];   /* hashes of (lock, held set) seen */
};

/* The calling thread's state; NULL until it has one. */
extern __thread struct rt_thread *rt_self;

/* The calling thread's state, made (as an anonymous thread) if missing. */
struct rt_thread *rt_thread_current(void);

/* A new thread record, created by `parent` (NULL for the main thread). */
struct rt_thread *rt_thread_new(struct rt_thread *parent, rt_stack_id create_stack,
                                uintptr_t start_routine);
struct rt_thread *rt_thread_by_id(int id);
struct rt_thread *rt_thread_by_handle(pthread_t h);
void rt_thread_set_handle(struct rt_thread *t, pthread_t h);
int rt_thread_count(void);

/* The thread ends: free what only a live thread needs. */
void rt_thread_retire(struct rt_thread *t);

/* Held set. */
struct rt_held *rt_held_push(struct rt_thread *t);
void rt_held_remove(struct rt_thread *t, unsigned index);
bool rt_held_is_live(const struct rt_held *h);
uint64_t rt_held_key(uint64_t lock_id, bool write);

/* Fork support: forget the threads that did not survive into the child. */
void rt_threads_after_fork_child(struct rt_thread *survivor);
void rt_threads_lock_all(void);
void rt_threads_unlock_all(void);

#endif
