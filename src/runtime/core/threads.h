/*
 * threads: the runtime's record of every thread of the program.
 *
 * A struct rt_thread is made when the program creates a thread (or the
 * first time an unknown thread, e.g. one started before racedet was ready,
 * calls an interceptor). Findings made long after a thread ended still
 * name it and its creation stack, so every thread keeps, for the rest of
 * the process, its identity (struct rt_thread_ident, 12 bytes: its
 * creator, creation stack and record epoch); its id is never given to
 * another thread. Everything else is freed:
 *   - its caches and held set when it ends (rt_thread_retire);
 *   - code that runs on the thread after that (TLS and pthread key
 *     destructors, which may take locks: libunwind's own does) can make
 *     them again; those, and its record, when it is gone for good
 *     (rt_thread_release): when it is joined, or, detached, once its
 *     kernel thread has exited (rt_thread_next_gone). A finding that names
 *     it later gets a ghost from rt_thread_by_id: a record made from its
 *     identity (and its name), kept for the rest of the process;
 *   - the parts' state of it (races/) at the same two moments, by the
 *     event handlers.
 * So a program that makes thousands of short threads keeps 12 bytes for
 * each, plus one record for each thread a finding names after its end.
 * Released records are used again for new threads, never given back, so
 * that a lookup made just before a release still reads a thread record.
 *
 * Fields are grouped by who may touch them:
 *   identity   written before the thread runs, read-only after (the name
 *              only under the table's lock: rt_thread_set_name);
 *   lifecycle  atomics, any thread (join/detach come from other threads);
 *   own        only the thread itself (its held set and caches), except
 *              that the deadlock watchdog reads `held` and `waiting_for`
 *              under `peek_lock`, and rt_thread_release once it is gone.
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
struct rt_hb_thread;
struct rt_chain;
struct rt_sched_thread;

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
    /* the lock-order chain (lock_order.h) of the held stack up to and
     * including this entry, NULL until the lock graph needs it */
    const struct rt_chain *chain;
};

#define RT_LOCK_CACHE_WAYS 256
#define RT_CHAIN_CACHE_MIN 256      /* entries of a thread's chain cache at first */
#define RT_CHAIN_CACHE_MAX 16384    /* ... and at most (128 KiB) */

/* What only a live thread needs, to make its events cheap: kept apart
 * from struct rt_thread (which outlives the thread) and freed when the
 * thread ends (again when it is gone, if its last code made them anew),
 * so that a program making thousands of threads keeps only their
 * identities. */
struct rt_thread_caches {
    struct rt_callsite_cache callsites;
    struct { uintptr_t addr; struct rt_lock *lock; } locks[RT_LOCK_CACHE_WAYS];
    /* lock-order chains this thread met, by (chain below, lock, mode):
     * direct-mapped, chain_mask + 1 entries, in chains0 at first; a thread
     * that keeps missing (more lock stacks than entries) gets one four
     * times as big, up to RT_CHAIN_CACHE_MAX (rt_chain_cache_missed). The
 * key is the chain below (which says what is held, in which order) and
 * the lock taken: A then B and B then A are different entries. */
    const struct rt_chain **chains;
    unsigned chain_mask;
    unsigned chain_misses;          /* since the cache last grew */
    const struct rt_chain *chains0[RT_CHAIN_CACHE_MIN];
};

/* The slot of the lock cache for a lock's address. */
static inline unsigned rt_lock_cache_slot(uintptr_t addr)
{
    return (unsigned)((addr * 0x9e3779b97f4a7c15ull) >> 56) % RT_LOCK_CACHE_WAYS;
}

/* A miss in the chain cache: counted; when they reach twice its size, the
 * cache grows (and starts empty: the chains are in the lock graph's table).
 * Returns the entry for hash to fill. */
const struct rt_chain **rt_chain_cache_missed(struct rt_thread_caches *c, uint64_t hash);

/* What a thread keeps after its record is released (threads.h above). */
struct rt_thread_ident {
    int32_t parent;                /* creator's id, -1 if none seen */
    rt_stack_id create_stack;
    unsigned written_epoch;        /* record epoch of its line (under the record lock) */
};

struct rt_thread {
    /* identity */
    int id;                        /* shown as T<id>; 0 is the main thread */
    pid_t pid;                     /* process it belongs to (fork) */
    pid_t tid;                     /* its kernel thread, once it ran under us (0 before) */
    int parent;                    /* creator's id, -1 if none seen */
    rt_stack_id create_stack;      /* RT_NO_STACK if not created under us */
    bool anonymous;                /* not created by an intercepted pthread_create */
    uintptr_t start_routine;       /* 0: not started by pthread_create's trampoline */
    rt_stack_id exit_stack;        /* its pthread_exit call, while its cleanup handlers run */
    pthread_t handle;              /* as the creator got it */
    const char *name;              /* set by the program (rt_thread_set_name); NULL if none */

    /* lifecycle */
    atomic_bool running;
    atomic_bool joined, detached;
    atomic_bool gone_queued;       /* ended detached: on the list rt_thread_next_gone reads */
    atomic_bool released;          /* rt_thread_release: gone, its record to be used again */
    int live_index;                /* its place in the live list (threads.c), -1 once it ended */

    /* own */
    int in_runtime;                /* >0 while inside an interceptor: re-entry passes through */
    struct rt_held *held;
    unsigned nheld, cap_held;
    rt_spin_t peek_lock;           /* held while `held` is resized, for the watchdog */
    /* the wait in progress, for the deadlock watchdog (watchdog.h): an
     * untimed lock acquisition that could not take the lock at once
     * (waiting_for) or an untimed pthread_join (joining). The other fields
     * are written before waiting_for/joining and wait_seq is bumped per
     * wait, so the watchdog can tell one wait from the next. */
    struct rt_lock *_Atomic waiting_for;
    struct rt_thread *_Atomic joining;
    atomic_uint wait_seq;
    bool waiting_write;
    rt_stack_id waiting_stack;
    uint64_t waiting_since_ns;
    uint64_t cond_wait_since_ns;   /* a condition wait made holding other locks (0: none) */
    struct rt_thread_caches *caches;   /* made (or handed down) at the first event, freed at its end */
    uintptr_t caches_sp;           /* where its stack was when they were made */

    /* race detection (happens_before.h): made by the creator before the
     * thread runs, or lazily by the thread itself; read by its joiner */
    struct rt_hb_thread *hb;
    /* the controlled scheduler's view (sched/sched.h): made by the creator
     * before the thread runs; NULL when no schedule controls the thread */
    struct rt_sched_thread *sched;
};

/* The calling thread's state; NULL until it has one. */
extern __thread struct rt_thread *rt_self;

/* The calling thread's state, made (as an anonymous thread) if missing. */
struct rt_thread *rt_thread_current(void);

/* A new thread record, created by `parent` (NULL for the main thread). */
struct rt_thread *rt_thread_new(struct rt_thread *parent, rt_stack_id create_stack,
                                uintptr_t start_routine);
/* The thread with this id: its record, or, once released, its ghost
 * (threads.h above); NULL for an id never given. Ids run from 0 to
 * rt_thread_count() - 1: to look at the threads still here, use
 * rt_threads_live or rt_threads_unreleased rather than every id. */
struct rt_thread *rt_thread_by_id(int id);
/* Where the record epoch of t's line is kept (record.c; under the record
 * lock): in its identity, so that its ghost knows it too. */
unsigned *rt_thread_written_epoch(const struct rt_thread *t);
/* The calling thread starts running as t (its first event, on itself). */
void rt_thread_begin(struct rt_thread *t);
struct rt_thread *rt_thread_by_handle(pthread_t h);
void rt_thread_set_handle(struct rt_thread *t, pthread_t h);
int rt_thread_count(void);
/* The threads that have not ended (of this process, after a fork), copied
 * into *buf (grown as needed, *cap its size in elements; the caller's to
 * keep); returns how many. Costs the number of live threads, not of the
 * threads ever made: for the deadlock watchdog's scans. */
unsigned rt_threads_live(struct rt_thread ***buf, size_t *cap);
/* The same for the threads not released (live, ended and not yet joined,
 * or detached and not yet gone): the thread leak check at exit. */
unsigned rt_threads_unreleased(struct rt_thread ***buf, size_t *cap);

/* The thread's caches, made on first use. */
struct rt_thread_caches *rt_thread_caches_make(struct rt_thread *t);
static inline struct rt_thread_caches *rt_thread_caches(struct rt_thread *t)
{
    return __builtin_expect(t->caches != NULL, 1) ? t->caches : rt_thread_caches_make(t);
}

/* The stack of the program's call at (pc, sp), through the call-site cache. */
static inline rt_stack_id rt_thread_callsite_stack(struct rt_thread *t, uintptr_t pc, uintptr_t sp)
{
    return rt_stack_at_callsite(&rt_thread_caches(t)->callsites, pc, sp);
}

/* t will not run (again): off the live list. Also for a thread whose
 * pthread_create failed. */
void rt_thread_ended(struct rt_thread *t);
/* The thread ends: free what only a live thread needs. */
void rt_thread_retire(struct rt_thread *t);
/* pthread_detach succeeded on t (before or after it ended). */
void rt_thread_mark_detached(struct rt_thread *t);
/* A detached thread that ended and whose kernel thread has exited since,
 * taken off the list of those awaited; NULL if none is. Looks at a few of
 * the oldest only, so it is cheap enough for every pthread_create. The
 * caller frees the parts' state of it, then calls rt_thread_release. */
struct rt_thread *rt_thread_next_gone(void);
/* t will never run again (joined, or from rt_thread_next_gone): free what
 * its last code made after it ended, forget its handle, and release its
 * record (it keeps its identity). Not for the calling thread. The deadlock
 * watchdog must not be in a scan (rt_watchdog_sync). */
void rt_thread_release(struct rt_thread *t);

/* Name the thread in reports (RACEDET_THREAD_NAME, pthread_setname_np,
 * prctl(PR_SET_NAME); cut at 63 bytes; NULL or "" for none). Any thread;
 * takes the record lock (rt_record_thread_renamed). */
void rt_thread_set_name(struct rt_thread *t, const char *name);
/* Copy its name into buf ("" if none); true when it has one. */
bool rt_thread_name(struct rt_thread *t, char *buf, size_t size);

/* Held set. These run on every lock and unlock: kept inline. */
struct rt_held *rt_held_grow(struct rt_thread *t);

static inline struct rt_held *rt_held_push(struct rt_thread *t)
{
    struct rt_held *h;
    if (__builtin_expect(t->nheld == t->cap_held, 0))
        rt_held_grow(t); /* no fixed limit on how many locks a thread holds */
    h = &t->held[t->nheld++];
    return h;
}

static inline void rt_held_remove(struct rt_thread *t, unsigned index)
{
    /* keep acquisition order: the gate-lock rule and reports read it; the
     * entries moved down no longer hold the removed lock under them */
    for (unsigned i = index; i + 1 < t->nheld; i++) {
        t->held[i] = t->held[i + 1];
        t->held[i].chain = NULL;
    }
    t->nheld--;
}

/* Fork support: forget the threads that did not survive into the child. */
void rt_threads_after_fork_child(struct rt_thread *survivor);
void rt_threads_lock_all(void);
void rt_threads_unlock_all(void);

#endif
