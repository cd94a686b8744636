/*
 * sync_clocks: the vector clock of every synchronisation object (mutex,
 * rwlock, condition variable, semaphore, barrier, once, atomic variable,
 * annotation address), found by its address.
 *
 * A table of buckets with striped spinlocks. Entries are never freed: a
 * destroyed object's clocks are only cleared, so pointers held in the
 * per-thread caches (happens_before.h) stay valid forever. Memory that is
 * freed and reused keeps its old clock until the object is re-initialised
 * or destroyed; a stale clock can only add ordering (hide a race), never
 * report a false one. Each entry's clocks are guarded by its own spinlock.
 * Any thread.
 */
#ifndef RT_SYNC_CLOCKS_H
#define RT_SYNC_CLOCKS_H

#include "core/core.h"
#include "vector_clock.h"

#include <stdbool.h>
#include <stdint.h>

#define RT_SEQ_HEADS 3

/* A barrier's clock of one round (happens_before.c, "barriers"): the
 * arrivals of the round release into it, its departures acquire it; it is
 * dropped when the last of the round's threads has left. */
struct rt_round_clock {
    struct rt_round_clock *next;
    uint64_t round;
    unsigned arrived, departed;
    struct rt_vc vc;
};

struct rt_sync_clock {
    uintptr_t addr;
    struct rt_sync_clock *next;     /* bucket chain */
    rt_spin_t lock;
    struct rt_vc vc;                /* releases (unlock, post, store-release, ...) */
    struct rt_vc read_vc;           /* rwlock: read unlocks, taken by writers only */
    /* atomic variable: the threads (id + 1) whose releases the clock holds
     * since the last plain store, the heads of the release sequences it
     * stands for (happens_before.c, "release sequences"): their later
     * relaxed stores continue the sequences, another thread's end them.
     * More than RT_SEQ_HEADS: seq_many, and no relaxed store ends them. */
    int seq_heads[RT_SEQ_HEADS];
    /* released by something else than an atomic (an unlock, an
     * annotation, a guard...) on the same address, as when a custom lock
     * annotated at its own atomic word: the clock then only grows (a store
     * joins, a relaxed one changes nothing), so that an annotation is never
     * undone by the atomics it describes */
    bool sticky;
    uint8_t nseq_heads;
    bool seq_many;
    /* barrier: the clocks of its rounds in progress, newest first; set
     * when a departure found its round incomplete (more threads at the
     * barrier at once than its count: its arrivals are numbered in
     * another order than the real barrier's), then departures take `vc`,
     * which every arrival joins */
    struct rt_round_clock *rounds;
    bool rounds_misnumbered;
};

/* The clock of the object at addr, made when `create`; NULL if absent. */
struct rt_sync_clock *rt_sync_clock_get(uintptr_t addr, bool create);

void rt_sync_clocks_lock_all(void);
void rt_sync_clocks_unlock_all(void);
/* In a forked child: a clock's lock held by a thread that did not survive
 * the fork is free again. */
void rt_sync_clocks_after_fork_child(void);

#endif
