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
    uint8_t nseq_heads;
    bool seq_many;
};

/* The clock of the object at addr, made when `create`; NULL if absent. */
struct rt_sync_clock *rt_sync_clock_get(uintptr_t addr, bool create);

void rt_sync_clocks_lock_all(void);
void rt_sync_clocks_unlock_all(void);
/* In a forked child: a clock's lock held by a thread that did not survive
 * the fork is free again. */
void rt_sync_clocks_after_fork_child(void);

#endif
