/*
 * happens_before: the synchronisation events that order memory accesses
 * (vector clocks; docs/design.md "Happens-before"). Interceptors call these
 * next to the lock-analysis events, for every synchronisation object:
 *
 *   on_sync_release(t, obj)  t publishes its history to obj: called BEFORE
 *                            the real unlock / post / signal / store-release,
 *                            so that whoever acquires obj next sees it.
 *   on_sync_acquire(t, obj)  t takes obj's history: called AFTER the real
 *                            lock / wait / load-acquire returned.
 *   on_sync_acquire_release  both at once (barrier departure, RMW acq_rel).
 *   on_sync_forget(obj)      the object is destroyed: its clock is dropped.
 *
 * What each primitive calls (the interceptors keep this true):
 *   mutex, spinlock   lock/trylock/timedlock succeeded: acquire; unlock:
 *                     release (on_lock_acquired / on_lock_release in
 *                     lock_events.c call on_sync_call_acquired/_release, so
 *                     every lock path of the lock analysis orders too).
 *   rwlock            write unlock: release; read unlock: on_sync_release_read
 *                     (into a separate read clock); wrlock acquired:
 *                     on_sync_acquire_write (both clocks); rdlock: acquire.
 *   cond              wait: release the mutex before, acquire the cond and
 *                     the mutex after; signal/broadcast: release the cond.
 *   semaphore         sem_post: release(sem) before the real post;
 *                     sem_wait/trywait/timedwait succeeded: acquire(sem).
 *   barrier           pthread_barrier_wait: on_barrier_arrive before the
 *                     real wait, on_barrier_depart after it returns: every
 *                     arrival of a round happens-before every departure
 *                     from that round, and from no earlier one.
 *   once              the thread that ran the init routine: release(once)
 *                     after the routine returned; every caller: acquire(once)
 *                     after pthread_once returned.
 *   threads           on_thread_create/start/exit/join in events.h carry the
 *                     thread clocks (create -> start, exit -> join).
 *   atomics, fences   on_atomic_* below (the __tsan_atomic* entry points):
 *                     a variable's clock follows its release sequence.
 *
 * Cheap when the program has no instrumented code (nothing to order): the
 * functions return at once while rt_hb_enabled is false, which stays so
 * until an instrumented module calls __tsan_init. Any thread.
 *
 * Thread slots: a clock entry belongs to a slot, not to a thread id, so that
 * clocks stay as small as the number of threads alive at once. A slot is
 * given back when its thread has been joined (or, for a detached thread,
 * when it ends) and reused with its epochs continuing upwards, so an old
 * access can never look newer than it was. rt_hb_slot_owner maps (slot,
 * epoch) back to the thread for reports.
 */
#ifndef RT_HAPPENS_BEFORE_H
#define RT_HAPPENS_BEFORE_H

#include "call_tree.h"
#include "linked_abi.h"
#include "vector_clock.h"

#include <stdbool.h>
#include <stdint.h>

struct rt_thread;
struct rt_sync_call;
struct rt_sync_clock;

/* Set when the first instrumented module calls __tsan_init. */
extern bool rt_hb_enabled;

#define RT_HB_RELAXED_LOADS 16
#define RT_HB_SYNC_CACHE 64
#define RT_HB_MEMO 4
#define RT_HB_PENDING 4

/* The happens-before state of one thread. Only the thread itself touches
 * it, except: its creator fills it in before it runs, and its joiner reads
 * `vc` after it ended. */
struct rt_hb_thread {
    /* hot: read by every access */
    uint32_t epoch;                 /* == vc[slot] */
    uint32_t slot;                  /* right after epoch: rt_cell_of loads both */
    rt_ct_node node;                /* current call path (call_tree.h) */
    int ignore_reads, ignore_writes;/* >0: such accesses are not checked */
    int busy;                       /* >0: inside the engine (re-entry, signals) */
    struct rt_ct_cache *ct;
    /* the race check's slow path (race_check.c): its last few leaves and
     * composites, next to the hot fields so that they stay in the cache
     * while a sweep streams through memory */
    struct { uintptr_t pc; rt_ct_node parent, leaf; } leaf_memo[RT_HB_MEMO];
    struct { rt_ct_node old, leaf, changed, node; } compose_memo[RT_HB_MEMO];
    /* accesses the race check holds back until they say all that the
     * word's only cell says (race_check.c, "pending words"): the word (0:
     * free entry), its first cell and that cell as it was, the accesses
     * (one cell of this epoch) and their node; `own`: the cell was this
     * thread's; and a bit for each such word (0: none). Settled before the
     * thread's clock changes. */
    struct {
        uintptr_t word;
        uint64_t *cell0;
        uint64_t expected, cur;
        rt_ct_node node;
        bool own;
    } pending[RT_HB_PENDING];
    unsigned pending_next;
    uint64_t pending_mask;
    int pending_credit;             /* race_check.c's pending_worth */
    struct rt_vc vc;

    /* fences: the clock of the last release fence, carried by later relaxed
     * stores; the addresses of recent relaxed loads, whose objects' clocks an
     * acquire fence takes */
    struct rt_vc fence_release;
    bool has_fence_release;
    unsigned nrelaxed;
    uintptr_t relaxed_loads[RT_HB_RELAXED_LOADS];

    struct { uintptr_t addr; struct rt_sync_clock *s; } sync_cache[RT_HB_SYNC_CACHE];

    /* >0: its atomics, fences, explicit acquires and releases and locks make no
     * happens-before (inside an annotated lock's own code: __tsan_mutex_*,
     * AnnotateIgnoreSyncBegin) */
    int ignore_sync;

    /* the barrier the thread waits at (0: none), its round there and the
     * barrier's count */
    uintptr_t barrier;
    uint64_t barrier_round;
    unsigned barrier_count;

    /* identity */
    struct rt_thread *thread;
    uintptr_t stack_lo, stack_hi;   /* its stack, for "where the memory is" */
    bool slot_released;
    bool ended;
};

/* Does h leave its writes (write) or reads unchecked now? */
static inline bool rt_hb_ignores(const struct rt_hb_thread *h, bool write)
{
    return (write ? h->ignore_writes : h->ignore_reads) != 0;
}

/* Does h make happens-before edges now (not inside the engine, not told to
 * ignore them)? */
static inline bool rt_hb_syncs(const struct rt_hb_thread *h)
{
    return !h->busy && !h->ignore_sync;
}

/* The calling thread's state; NULL until it has one (initial-exec TLS).
 * Exported (linked_abi.h) for the fast path that racedet-cc links
 * into programs (src/runtime/races/linked/). */
extern __thread struct rt_hb_thread *rt_hb_self __asm__(RT_LINKED_NAME("hb_self"))
    __attribute__((tls_model("initial-exec"), visibility("default")));

/* Turn the engine on (__tsan_init; tests). Idempotent. */
void rt_hb_enable(void);

/* The calling thread's state, made if missing; NULL when the engine is off
 * or the runtime is not running. */
struct rt_hb_thread *rt_hb_current(void);
/* The state of thread t, made if missing (t must be the calling thread). */
struct rt_hb_thread *rt_hb_of(struct rt_thread *t);

/* After a release: the thread's own clock entry moves on. */
void rt_hb_tick(struct rt_hb_thread *h);

/* Which thread id used `slot` at `epoch` (-1 if unknown). */
int rt_hb_slot_owner(uint32_t slot, uint32_t epoch);

/* Fibers (__tsan_*_fiber): a fiber has a state of its own, as a thread;
 * switching makes it the calling thread's, ordered after the switch unless
 * `sync` is false. */
struct rt_hb_thread *rt_hb_fiber_create(struct rt_hb_thread *creator);
void rt_hb_fiber_switch(struct rt_hb_thread *from, struct rt_hb_thread *to, bool sync);
void rt_hb_fiber_destroy(struct rt_hb_thread *fiber);

/* ---- synchronisation objects ---------------------------------------------- */
void on_sync_release(struct rt_thread *t, uintptr_t obj);
void on_sync_acquire(struct rt_thread *t, uintptr_t obj);
void on_sync_acquire_release(struct rt_thread *t, uintptr_t obj);
void on_sync_forget(uintptr_t obj);
/* barrier: the calling thread arrives at round `round` (0, 1, ...: the
 * n-th arrival at a barrier of `count` threads belongs to round n / count;
 * count 0: unknown, every arrival and departure then one round), and
 * departs from it after the real wait returned (ok: it succeeded). A
 * thread waits at one barrier at a time. */
void on_barrier_arrive(struct rt_thread *t, uintptr_t obj, uint64_t round, unsigned count);
void on_barrier_depart(struct rt_thread *t, uintptr_t obj, bool ok);
/* rwlock: a reader leaves (into the read clock); a writer enters (takes
 * both the write and the read clock). */
void on_sync_release_read(struct rt_thread *t, uintptr_t obj);
void on_sync_acquire_write(struct rt_thread *t, uintptr_t obj);

/* The object's own memory is used by the call, as ThreadSanitizer takes
 * it: initialising or destroying a lock, condition variable or barrier
 * writes its first byte (write), every other use (lock, wait, signal;
 * not unlock, which its lock's read covers, at half the cost) reads it
 * atomically. So a use that nothing orders after the
 * object's initialisation, or a destroy or free that nothing orders after
 * a use, is a data race. Call it before the call's happens-before edge. */
void on_sync_memory(struct rt_thread *t, const struct rt_sync_call *c, bool write);

/* The lock interceptors' hooks: by the call's kind and mode. */
void on_sync_call_acquired(struct rt_thread *t, const struct rt_sync_call *c);
void on_sync_call_release(struct rt_thread *t, const struct rt_sync_call *c);

/* The same on a thread's hb state directly (the compiler ABI, tests). */
void rt_hb_release(struct rt_hb_thread *h, uintptr_t obj);
void rt_hb_release_read(struct rt_hb_thread *h, uintptr_t obj);
void rt_hb_acquire(struct rt_hb_thread *h, uintptr_t obj);
void rt_hb_acquire_write(struct rt_hb_thread *h, uintptr_t obj);

/* ---- C11 atomics and fences (memory orders as in __tsan_memory_order:
 * 0 relaxed, 1 consume, 2 acquire, 3 release, 4 acq_rel, 5 seq_cst) -------- */
enum { RT_MO_RELAXED, RT_MO_CONSUME, RT_MO_ACQUIRE, RT_MO_RELEASE, RT_MO_ACQ_REL, RT_MO_SEQ_CST };
/* Order bits gcc may add (HLE) are ignored; unknown values are seq_cst. */
static inline int rt_mo_norm(int mo)
{
    mo &= 0xffff;
    return mo >= RT_MO_RELAXED && mo <= RT_MO_SEQ_CST ? mo : RT_MO_SEQ_CST;
}
static inline bool rt_mo_acquires(int mo)
{
    return mo == RT_MO_CONSUME || mo == RT_MO_ACQUIRE || mo == RT_MO_ACQ_REL || mo == RT_MO_SEQ_CST;
}
static inline bool rt_mo_releases(int mo)
{
    return mo == RT_MO_RELEASE || mo == RT_MO_ACQ_REL || mo == RT_MO_SEQ_CST;
}
/* An atomic operation (RT_ATOMIC_LOAD, _STORE, or _RMW: exchange, fetch_*,
 * compare-exchange) on the variable at addr: on_atomic_begin before the
 * real operation, on_atomic_end after it, nothing else in between. The release side follows the
 * variable's release sequence (C11 7.17.3): a plain store replaces the
 * variable's clock (a release store with the thread's clock, a relaxed one
 * after a release fence with the fence's, any other relaxed store with
 * nothing, unless the thread heads the sequence), a read-modify-write
 * continues the sequence (joins into the clock when it releases). The
 * acquire side takes the clock. When the clock is read or changed it is
 * locked from _begin to _end, so that the operations on the variable and
 * the changes of its clock happen in the same order. A compare-exchange
 * that failed passes its failure order to _end. */
enum { RT_ATOMIC_LOAD, RT_ATOMIC_STORE, RT_ATOMIC_RMW };
struct rt_sync_clock *on_atomic_begin(struct rt_hb_thread *h, uintptr_t addr, int op, int mo);
void on_atomic_end(struct rt_hb_thread *h, struct rt_sync_clock *s, uintptr_t addr, int op, int mo);
void on_atomic_fence(struct rt_hb_thread *h, int mo);

/* ---- fork (runtime.c's atfork handlers) ------------------------------------------
 * prepare: take every lock of the race engine (slots, call tree, shadow,
 * sync clocks, heap blocks, report dedup), before the allocator's;
 * parent: give them back; child (after the parent handler gave them back,
 * the allocator's too): free the locks of sync
 * objects that a vanished thread held, and order the surviving thread after
 * every access the other threads made before the fork (the child's memory is
 * a copy taken then; those threads no longer exist in it). */
void rt_hb_fork_prepare(void);
void rt_hb_fork_parent(void);
void rt_hb_fork_child(void);

/* ---- threads (called from thread_events.c) -------------------------------- */
void on_hb_thread_create(struct rt_thread *parent, struct rt_thread *child);
void on_hb_thread_start(struct rt_thread *child);
void on_hb_thread_exit(struct rt_thread *t);
void on_hb_thread_join(struct rt_thread *joiner, struct rt_thread *child);
/* t (the calling thread) may block for long, or the process ends with it:
 * the accesses its race check holds back (race_check.h) go to the shadow
 * now, so that other threads' checks meet them. */
void on_hb_thread_pauses(struct rt_thread *t);
/* A detached thread that ended is gone for good (its kernel thread has
 * exited; nobody joins it): its slot is given back and its state freed. */
void on_hb_thread_gone(struct rt_thread *t);

#endif
