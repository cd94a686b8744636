/*
 * lock_order: the lock-order graph and its cycle check (docs/design.md §3,
 * "Lock order"). Called by the lock event handlers (events/lock_events.c)
 * on the thread that acquired a lock.
 *
 * What a thread holds is a *chain*: the stack of locks it holds, in
 * acquisition order, kept once for all threads in a tree (a chain is its
 * parent chain plus one lock, with the mode it was taken in). A thread that
 * takes lock l holding the stack P makes the chain P+l *acquired*; the
 * first time that happens, the edges h -> l from every h of P are learnt,
 * each in the context P gives it: which other locks were held (the gate
 * set), whether l was taken by a successful trylock, and in which modes
 * (read/write) h was held and l taken.
 *
 * The graph keeps only the edge from the top of P to l for reachability
 * (the others follow through P), in a topological order of its strongly
 * connected components. Contexts are examined only for edges inside a
 * component of two or more locks; each new one that no other context of
 * its edge makes redundant is searched for a cycle through it. A cycle is
 * reported once per set of locks, only if it could really deadlock:
 *   - no edge of it was closed by a trylock (a trylock backs off);
 *   - the locks each of its threads would hold (source + gate set) are
 *     pairwise disjoint (a common gate lock serialises them: GoodLock);
 *   - at no lock of it do a read hold meet a read acquisition.
 *
 * Any thread. A known chain is found without a lock (a per-thread cache,
 * then a table read without locking); a new one takes the graph's lock,
 * which is never held while calling program code.
 */
#ifndef RT_LOCK_ORDER_H
#define RT_LOCK_ORDER_H

#include "core/core.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct rt_thread;
struct rt_lock;

enum { RT_CHAIN_WRITE = 1, RT_CHAIN_TRYLOCK = 2 };

/* A stack of held locks. Made once and never freed; the key fields
 * (parent, lock, flags) never change, so threads may compare them
 * without a lock. */
struct rt_chain {
    const struct rt_chain *parent; /* the locks held below; NULL: none */
    struct rt_lock *lock;          /* the top lock (pinned: never recycled) */
    uint8_t flags;                 /* RT_CHAIN_WRITE, RT_CHAIN_TRYLOCK: how it was taken */
    atomic_bool acquired;          /* some thread took `lock` holding exactly `parent` */
    int thread;                    /* the first thread that took it so */
    rt_stack_id stack;             /* where that thread took `lock` */
    /* chains.c: its first child, which is in no table (set once) */
    _Atomic(const struct rt_chain *) child;
};

static inline unsigned rt_chain_flags(bool write, bool trylock)
{
    return (write ? RT_CHAIN_WRITE : 0u) | (trylock ? RT_CHAIN_TRYLOCK : 0u);
}

static inline uint64_t rt_chain_hash(const struct rt_chain *parent, const struct rt_lock *l,
                                     unsigned flags)
{
    return rt_mix64((uintptr_t)parent * 0x9e3779b97f4a7c15ull ^ (uintptr_t)l ^ flags);
}

static inline bool rt_chain_is(const struct rt_chain *c, const struct rt_chain *parent,
                               const struct rt_lock *l, unsigned flags)
{
    return c->parent == parent && c->lock == l && c->flags == flags;
}

/* The chain `parent` + l if some thread made it, else NULL. Takes no lock
 * (chains.c says how). */
const struct rt_chain *rt_chain_find(const struct rt_chain *parent, const struct rt_lock *l,
                                     unsigned flags);

/* The chain `parent` + l, as a stack a thread holds (nothing is learnt
 * from it): found, or made. */
const struct rt_chain *rt_chain_path(const struct rt_chain *parent, struct rt_thread *t,
                                     struct rt_lock *l, unsigned flags, rt_stack_id stack);

/* Thread t, holding exactly the chain `parent` (not NULL), acquired l at
 * `stack`: the acquired chain parent + l. The first time, its edges are
 * learnt and checked for cycles. */
const struct rt_chain *rt_graph_acquired(const struct rt_chain *parent, struct rt_thread *t,
                                         struct rt_lock *l, unsigned flags, rt_stack_id stack);

/* For tests: cycles reported so far, and the work spent keeping the
 * topological order and searching for cycles (nodes and contexts looked at). */
unsigned rt_graph_cycles_reported(void);
unsigned long long rt_graph_search_steps(void);

/* Fork: hold the graph's lock across it. */
void rt_graph_lock_all(void);
void rt_graph_unlock_all(void);

#endif
