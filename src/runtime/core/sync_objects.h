/*
 * sync_objects: the registry of synchronisation objects the program uses.
 *
 * A lock is known by its address plus a generation: each (re)initialisation
 * or destruction at an address makes the next lock there a new one, with a
 * new id, so that a lock destroyed (or freed) and another created at the
 * same address are never confused. A lock first seen at lock time
 * (PTHREAD_MUTEX_INITIALIZER) is registered then, with the type the caller
 * read from the object itself.
 *
 * struct rt_lock objects are recycled when forgotten unless `pinned` (named
 * by a record line or the lock-order graph), so stale pointers held in
 * per-thread caches always point at valid memory; they are validated by
 * comparing addr and `live`. Ownership fields are written by the thread
 * that holds the real lock (so the real lock serialises them); `readers`
 * and `waiters` are atomics. Lookup is striped over internal spinlocks.
 */
#ifndef RT_SYNC_OBJECTS_H
#define RT_SYNC_OBJECTS_H

#include "stack.h"
#include "rt_hash.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum rt_lock_kind { RT_MUTEX, RT_RWLOCK, RT_SPIN, RT_COND, RT_SEM, RT_BARRIER, RT_ONCE };
enum rt_lock_type { RT_TYPE_NORMAL, RT_TYPE_RECURSIVE, RT_TYPE_ERRORCHECK, RT_TYPE_ADAPTIVE,
                    RT_TYPE_NONE };

struct rt_lock {
    UT_hash_handle hh;
    uintptr_t addr;
    uint64_t id;                  /* unique per address and generation */
    uint8_t kind, type;
    atomic_bool live;
    bool pinned;
    unsigned written_epoch;       /* under the record lock */
    rt_stack_id init_stack;

    atomic_int owner;             /* thread id + 1 of the exclusive holder; 0: none */
    unsigned depth;               /* recursion depth of the owner */
    atomic_int readers;           /* rwlock: read holds */
    uint64_t serial;              /* bumped when a hold is taken away from its owner */
    rt_stack_id acq_stack;        /* where the exclusive holder took it */
    atomic_int waiters;           /* cond/barrier/sem: threads inside a wait */
    struct rt_lock *free_next;
};

const char *rt_lock_kind_name(int kind);
const char *rt_lock_type_name(int type);

/* The live lock at addr, or NULL. */
struct rt_lock *rt_lock_find(uintptr_t addr);
/* The live lock at addr, registered with this kind and type if unknown. */
struct rt_lock *rt_lock_get(uintptr_t addr, int kind, int type);
/* A new generation at addr (init): any previous lock there is forgotten. */
struct rt_lock *rt_lock_create(uintptr_t addr, int kind, int type, rt_stack_id init_stack);
/* The lock at addr is gone (destroy). */
void rt_lock_forget(struct rt_lock *l);
/* Forget every lock inside [lo, hi) (memory freed or unmapped). */
void rt_lock_forget_range(uintptr_t lo, uintptr_t hi);
/* Keep this lock's struct from being recycled (a record names it). */
void rt_lock_pin(struct rt_lock *l);

/* Is this hold still valid (not taken away or destroyed)? */
#include "threads.h"
static inline bool rt_held_is_live(const struct rt_held *h)
{
    return h->lock->id == h->lock_id && h->lock->serial == h->serial;
}

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
    struct rt_lock *lock; /* the engine's: filled by the first event of the
                             call and reused by the next (set NULL) */
};

/* The stack of the program's call this sync call came from, through the
 * thread's call-site cache. */
static inline rt_stack_id rt_sync_call_stack(struct rt_thread *t, const struct rt_sync_call *c)
{
    return rt_thread_callsite_stack(t, c->pc, c->sp);
}

void rt_locks_lock_all(void);
void rt_locks_unlock_all(void);

#endif
