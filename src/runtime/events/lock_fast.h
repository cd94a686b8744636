/*
 * lock_fast: the two lock events that real programs make millions of
 * times, inline in the mutex interceptors (docs/design.md, "The lock
 * path"):
 *   - an uncontended exclusive acquisition of a mutex the thread's lock
 *     cache knows, from a call path its call-site cache has proven, on top
 *     of a held stack whose next chain the thread has met (so no edge is
 *     new);
 *   - the release of the lock the thread took last.
 * Each does exactly what the full event in lock_events.c does in that
 * case, or returns false having changed nothing the full event would not
 * also change, and the caller then makes the full event. Race detection
 * (happens-before clocks) always takes the full events; so does the
 * controlled scheduler (the callers check it).
 */
#ifndef RT_LOCK_FAST_H
#define RT_LOCK_FAST_H

#include "core/core.h"
#include "lock_order/lock_order.h"
#include "races/races.h"

/* Where the thread's chain cache keeps parent + l taken in `flags`: a
 * cheaper mix than rt_chain_hash's (two multiplies; the top bits, the
 * best mixed, index the cache). parent and l weigh differently, and a
 * chain below names its locks in order: A then B and B then A differ. */
static inline uint64_t rt_chain_cache_hash(const struct rt_chain *parent,
                                           const struct rt_lock *l, unsigned flags)
{
    uint64_t h = ((uintptr_t)parent ^ flags) * 0x9e3779b97f4a7c15ull + (uintptr_t)l;
    return (h * 0xc2b2ae3d27d4eb4full) >> 40;
}

/* The thread's cache entry for the chain parent + l, taken in `flags`. */
static inline const struct rt_chain **rt_chain_cached(struct rt_thread_caches *cache,
                                                      const struct rt_chain *parent,
                                                      const struct rt_lock *l, unsigned flags)
{
    return &cache->chains[rt_chain_cache_hash(parent, l, flags) & cache->chain_mask];
}

/* The chain of t's held stack (its top entry's), when the thread knows it
 * without learning anything: the top entry's own, or, holding one lock,
 * the one-lock chain from the cache (then kept in the entry). NULL: the
 * slow path says. */
static inline const struct rt_chain *rt_held_chain(struct rt_thread *t,
                                                   struct rt_thread_caches *cache,
                                                   const struct rt_lock *l)
{
    struct rt_held *top = &t->held[t->nheld - 1];
    const struct rt_chain *got;
    unsigned tflags;
    if (top->chain || t->nheld != 1 || top->lock == l || !rt_held_is_live(top))
        return top->chain;
    tflags = rt_chain_flags(top->write, top->trylock);
    got = *rt_chain_cached(cache, NULL, top->lock, tflags);
    if (got && rt_chain_is(got, NULL, top->lock, tflags))
        top->chain = got;
    return top->chain;
}

/* Not in the thread's chain cache: parent + l from the table all threads
 * share (no lock), put in the cache, if some thread made it acquired;
 * else NULL (lock_events.c). */
const struct rt_chain *rt_chain_known_slow(struct rt_thread_caches *cache,
                                           const struct rt_chain *parent,
                                           const struct rt_lock *l, unsigned flags);

/* A known acquired chain: parent + l, which some thread made acquired (its
 * edges are in the graph), from the thread's cache or the shared table;
 * NULL when it is new or parent is NULL. */
static inline const struct rt_chain *rt_chain_known(struct rt_thread_caches *cache,
                                                    const struct rt_chain *parent,
                                                    const struct rt_lock *l, unsigned flags)
{
    const struct rt_chain *got = *rt_chain_cached(cache, parent, l, flags);
    if (__builtin_expect(parent && got && rt_chain_is(got, parent, l, flags) &&
                             atomic_load_explicit(&got->acquired, memory_order_relaxed),
                         1))
        return got;
    return parent ? rt_chain_known_slow(cache, parent, l, flags) : NULL;
}

/* t took the mutex at addr with an uncontended trylock, called at (pc,
 * sp): recorded, or false for the full event (on_lock_acquired). holds:
 * t may hold locks (else t->nheld is 0); cached_only: decline a call site
 * the cache does not prove (no call is made then). */
static inline __attribute__((always_inline)) bool
mutex_acquired_fast(struct rt_thread *t, uintptr_t addr, uintptr_t pc, uintptr_t sp, bool holds,
                    bool cached_only)
{
    struct rt_thread_caches *cache = t->caches;
    const struct rt_chain *chain = NULL;
    struct rt_lock *l;
    struct rt_held *h;
    rt_stack_id stack;
    unsigned slot;
    int u;

    if (__builtin_expect(!cache || rt_hb_enabled || t->nheld == t->cap_held ||
                             atomic_load_explicit(&t->waiting_for, memory_order_relaxed),
                         0))
        return false;
    slot = rt_lock_cache_slot(addr);
    l = cache->locks[slot].lock;
    if (!l || cache->locks[slot].addr != addr || l->addr != addr ||
        !atomic_load_explicit(&l->live, memory_order_relaxed) || l->kind != RT_MUTEX ||
        l->type == RT_TYPE_RECURSIVE)
        return false;
    u = atomic_load_explicit(&l->user, memory_order_relaxed);
    if (u != t->id + 1 && u != RT_LOCK_SHARED)
        return false; /* a new user: the lock may become shared */
    if (holds && t->nheld > 0 && rt_options.report_lock_order) {
        if (cached_only) { /* this thread's chain cache only */
            const struct rt_chain *parent = rt_held_chain(t, cache, l);
            chain = *rt_chain_cached(cache, parent, l, RT_CHAIN_WRITE);
            if (!parent || !chain || !rt_chain_is(chain, parent, l, RT_CHAIN_WRITE) ||
                !atomic_load_explicit(&chain->acquired, memory_order_relaxed))
                return false;
        } else {
            chain = rt_chain_known(cache, rt_held_chain(t, cache, l), l, RT_CHAIN_WRITE);
            if (!chain)
                return false;
        }
    }
    if (cached_only) {
        if (__builtin_expect(!rt_stack_callsite_cached(&cache->callsites, pc, sp, &stack), 0))
            return false;
    } else {
        stack = rt_stack_at_callsite(&cache->callsites, pc, sp);
    }
    h = &t->held[t->nheld++];
    h->chain = chain;
    h->lock = l;
    h->lock_id = l->id;
    h->serial = l->serial;
    h->stack = stack;
    h->write = true;
    h->trylock = false;
    atomic_store_explicit(&l->owner, t->id + 1, memory_order_relaxed);
    l->depth = 1;
    l->acq_stack = stack;
    return true;
}

static inline bool on_mutex_acquired_fast(struct rt_thread *t, uintptr_t addr, uintptr_t pc,
                                          uintptr_t sp)
{
    return mutex_acquired_fast(t, addr, pc, sp, true, false);
}

/* The same from a call site the call-site cache proves and a chain the
 * thread's chain cache knows; false also when they do not (then
 * on_mutex_acquired_fast looks further). No call: in a function that
 * tail-calls the rest, its values fit in scratch registers. _first: for a
 * thread that holds no lock (t->nheld == 0): no chain to look up, few
 * enough values to inline in the interceptor, which then saves only one
 * register. */
static inline __attribute__((always_inline)) bool
on_mutex_acquired_cached(struct rt_thread *t, uintptr_t addr, uintptr_t pc, uintptr_t sp)
{
    return mutex_acquired_fast(t, addr, pc, sp, true, true);
}

static inline __attribute__((always_inline)) bool
on_mutex_acquired_first_cached(struct rt_thread *t, uintptr_t addr, uintptr_t pc, uintptr_t sp)
{
    return mutex_acquired_fast(t, addr, pc, sp, false, true);
}

/* Without happens-before: the release of the lock t took last (at addr),
 * exclusively and not recursively. Done, or false for the full event. */
static inline bool rt_release_top(struct rt_thread *t, uintptr_t addr)
{
    struct rt_held *h;
    struct rt_lock *l;
    if (__builtin_expect(t->nheld == 0, 0))
        return false;
    h = &t->held[t->nheld - 1];
    l = h->lock;
    if (l->addr != addr || !rt_held_is_live(h) || !h->write ||
        (l->type == RT_TYPE_RECURSIVE && l->depth > 1))
        return false;
    l->depth = 0;
    atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
    t->nheld--;
    return true;
}

/* t unlocks the mutex or spinlock at addr: recorded, or false for the full event
 * (on_lock_release). */
static inline bool on_lock_release_fast(struct rt_thread *t, uintptr_t addr)
{
    return !rt_hb_enabled && rt_release_top(t, addr);
}

#endif
