/*
 * lock_order: the lock-order graph and its cycle check (docs/design.md,
 * "Lock order"); lock_graph.c. Called by the lock event handlers
 * (events/lock_events.c) on the thread that acquired a lock.
 *
 * An edge A->B is learnt the first time B is acquired while A is held, in
 * a given context: which other locks were held (the gate set), whether B
 * was taken by a successful trylock, and in which modes (read/write) A was
 * held and B taken. Each new context of an edge is
 * written to the record and checked for cycles through it; a cycle is
 * reported once, only if it could really deadlock:
 *   - no edge of it was closed by a trylock (a trylock backs off);
 *   - the locks each of its threads would hold (source + gate set) are
 *     pairwise disjoint (a common gate lock serialises them: GoodLock);
 *   - at no lock of it do a read hold meet a read acquisition.
 * Any thread; one internal lock, never held while calling program code.
 */
#ifndef RT_LOCK_ORDER_H
#define RT_LOCK_ORDER_H

#include "core/core.h"

#include <stdbool.h>
#include <stdint.h>

struct rt_thread;
struct rt_lock;

struct rt_edge_event {
    struct rt_thread *thread;
    struct rt_lock *from, *to;
    bool from_write, to_write, trylock;
    rt_stack_id from_stack, to_stack;
    const uint64_t *gate;     /* ids of the other locks held, any order */
    unsigned ngate;
};

void rt_graph_add_edge(const struct rt_edge_event *e);

/* Cycles reported so far (for tests). */
unsigned rt_graph_cycles_reported(void);

void rt_graph_lock_all(void);
void rt_graph_unlock_all(void);

#endif
