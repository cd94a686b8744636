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
 * that holds the real lock (so the real lock serialises them); `readers`,
 * `waiters` and `user` are atomics. Lookup is striped over internal
 * spinlocks, each stripe an open-addressing table of pointers (no per-lock
 * hash handle), and the structs are carved at their exact size from big
 * blocks: a lock costs sizeof(struct rt_lock) plus about 12 bytes of table
 * (docs/design.md, "Memory per lock"); what only some locks need is in a
 * struct rt_lock_more made for those.
 *
 * A lock whose life ended (destroyed, or its memory freed) leaves a *gone*
 * record at its address, with who ended it and where, until the address
 * gets a new lock (init) or its memory is allocated again: so that a later
 * use can be told apart from a new object (sync_misuse). One spinlock; a
 * bit filter by page keeps allocations that touch no gone lock at one load.
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

/* What few locks need (rt_lock_more), kept apart so that a lock costs
 * less: a lock's struct is recycled with it, and it is reset with the
 * struct. */
struct rt_lock_more {
    /* cond: the threads inside a wait on it, in two counts of 32 bits:
     * still blocked (low half: RT_COND_BLOCKED), and woken by a signal or
     * broadcast but not yet returned (high half: RT_COND_WOKEN), which are
     * no longer blocked on the condition (only re-acquiring the mutex) */
    _Atomic uint64_t waiters;
    /* cond: the mutex the waits inside it use (POSIX binds the condition
     * to one mutex while any wait on it has not returned) */
    _Atomic uintptr_t bound_mutex;
    unsigned written_epoch;       /* a record named it: under the record lock */
    uint8_t annotated;            /* an annotated lock's creation flags (RT_LOCK_STATIC...) */
    bool robust;                  /* a robust mutex (its owner may die: EOWNERDEAD) */
};

struct rt_lock {
    uintptr_t addr;
    uint64_t id;                  /* unique per address and generation */
    uint64_t serial;              /* bumped when a hold is taken away from its owner */
    union {
        /* the lock-order graph's node for it (lock_order/graph.h), made
         * and read under its lock; a lock with one is pinned, so never
         * on the free list */
        void *graph_node;
        struct rt_lock *free_next;  /* on the free list */
    };
    _Atomic(struct rt_lock_more *) more; /* NULL until rt_lock_more() */
    atomic_int owner;             /* thread id + 1 of the exclusive holder; 0: none */
    unsigned depth;               /* recursion depth of the owner */
    atomic_int readers;           /* rwlock: read holds */
    rt_stack_id acq_stack;        /* where the exclusive holder took it */
    /* Who ever wanted it: id + 1 of the first thread that acquired or
     * waited for it, RT_LOCK_SHARED once another thread has too, 0 before
     * anyone. Blocking calls are reported only under shared locks. */
    atomic_int user;
    rt_stack_id init_stack;       /* the init call that made it, if one did */
    int init_thread;              /* ... on this thread */
    uint8_t kind, type;
    atomic_bool live;
    bool pinned;
};

#define RT_LOCK_SHARED (-1)
/* l's rarely used fields (struct rt_lock_more), made the first time. Any
 * thread. */
struct rt_lock_more *rt_lock_more(struct rt_lock *l);

/* The same, or NULL while none were made: then they all read as zero. */
static inline struct rt_lock_more *rt_lock_more_if(const struct rt_lock *l)
{
    return atomic_load_explicit(&((struct rt_lock *)l)->more, memory_order_acquire);
}

static inline bool rt_lock_is_robust(const struct rt_lock *l)
{
    const struct rt_lock_more *m = rt_lock_more_if(l);
    return m && m->robust;
}

static inline unsigned rt_lock_annotated(const struct rt_lock *l)
{
    const struct rt_lock_more *m = rt_lock_more_if(l);
    return m ? m->annotated : 0;
}

/* rt_lock_more.annotated: created static (AnnotateRWLockCreateStatic,
 * __tsan_mutex_linker_init), or said to be not static at creation
 * (__tsan_mutex_not_static); preload/annotate.c */
#define RT_LOCK_STATIC 1u
#define RT_LOCK_NOT_STATIC 2u
#define RT_COND_BLOCKED(w) ((uint32_t)(w))
#define RT_COND_WOKEN(w) ((uint32_t)((w) >> 32))
#define RT_COND_ONE_WOKEN ((uint64_t)1 << 32)

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
/* Call fn on every lock inside [lo, hi) (before they are forgotten). */
void rt_lock_each_in_range(uintptr_t lo, uintptr_t hi, void (*fn)(struct rt_lock *, void *),
                           void *arg);

/* ---- gone locks ---------------------------------------------------------- */

enum rt_gone_how { RT_GONE_DESTROYED = 1, RT_GONE_FREED };

struct rt_gone_lock {
    uintptr_t addr;
    uint8_t kind;                 /* enum rt_lock_kind */
    uint8_t how;                  /* enum rt_gone_how */
    bool used;                    /* a use was reported: forget the lock
                                     registered by that use with the record */
    int thread;                   /* who destroyed or freed it */
    rt_stack_id stack;            /* where */
};

extern atomic_uint rt_gone_count;
extern _Atomic uint64_t rt_gone_filter[1024];

static inline unsigned rt_gone_bit(uintptr_t page)
{
    return (unsigned)((page * 0x9e3779b97f4a7c15ull) >> 48); /* 16 bits */
}

/* Might [lo, hi) hold a gone lock? Cheap: false at once while none is
 * recorded, else one filter bit per page. */
static inline bool rt_gone_maybe(uintptr_t lo, uintptr_t hi)
{
    if (__builtin_expect(atomic_load_explicit(&rt_gone_count, memory_order_relaxed) == 0, 1) ||
        hi <= lo)
        return false;
    for (uintptr_t page = lo >> 12; page <= (hi - 1) >> 12; page++) {
        unsigned b = rt_gone_bit(page);
        if (atomic_load_explicit(&rt_gone_filter[b / 64], memory_order_relaxed) &
            ((uint64_t)1 << (b % 64)))
            return true;
    }
    return false;
}

/* Record (or update) the gone lock at g->addr. */
void rt_gone_set(const struct rt_gone_lock *g);
/* The gone lock at addr: true and *out filled, else false. */
bool rt_gone_find(uintptr_t addr, struct rt_gone_lock *out);
/* Mark the gone lock at addr as used (see `used`). */
void rt_gone_mark_used(uintptr_t addr);
/* Every gone lock inside [lo, hi) whose memory is freed now: now FREED,
 * by thread at stack. */
void rt_gone_freed(uintptr_t lo, uintptr_t hi, int thread, rt_stack_id stack);
/* [lo, hi) holds new objects (allocated, or a lock initialised at lo):
 * forget the gone locks there, and the locks registered by their uses. */
void rt_gone_forget(uintptr_t lo, uintptr_t hi);

/* Is this hold still valid (not taken away or destroyed)? */
#include "threads.h"
static inline bool rt_held_is_live(const struct rt_held *h)
{
    return h->lock->id == h->lock_id && h->lock->serial == h->serial;
}

/* Has a second thread ever acquired or waited for lock (still the object
 * with this id)? A lock only one thread ever wanted can't make another
 * thread wait. */
static inline bool rt_lock_is_shared(const struct rt_lock *lock, uint64_t id)
{
    return lock->id == id && atomic_load_explicit(&lock->user, memory_order_relaxed) == RT_LOCK_SHARED;
}

/* What the interceptor knows of one call on a synchronisation object. */
struct rt_sync_call {
    uintptr_t addr;
    int kind;            /* enum rt_lock_kind */
    int type;            /* enum rt_lock_type, read from the object itself */
    bool write;          /* exclusive acquisition (always for mutex/spin) */
    bool trylock;
    bool timed;
    bool destroyed;      /* the object itself says it was destroyed and not
                            initialised since (glibc sets a mutex's __kind
                            to -1 in pthread_mutex_destroy) */
    bool robust;         /* the object is a robust mutex */
    /* Asks the object itself whether the calling thread owns it: 1 yes,
     * 0 no, -1 cannot tell. Used only on the rare path where the engine
     * thinks the thread does not hold it (e.g. locked before racedet
     * started). May be NULL. */
    int (*owner_probe)(uintptr_t addr);
    uintptr_t pc;        /* return address into the program */
    uintptr_t sp;        /* the program's stack pointer at the call */
    struct rt_lock *lock; /* the engine's: filled by the first event of the
                             call and reused by the next (set NULL) */
    bool gone;           /* the engine's: this call was reported as a use of
                            a lock that is gone (set false) */
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
