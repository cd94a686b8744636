/*
 * stack: call stacks, captured with libunwind and kept once each in a depot
 * under a small id.
 *
 * Unwinding costs ~0.1-1 us, too much for every lock, so events capture a
 * stack only when something new is learnt, and acquisitions go through a
 * per-thread call-site cache keyed by (return address, stack pointer) and
 * checked against the return addresses on the stack (below), so a lock
 * taken again along a known path costs one probe and a few loads. Stacks are
 * immutable once in the depot and never freed (findings made much later
 * still name them). Any thread.
 */
#ifndef RT_STACK_H
#define RT_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t rt_stack_id;
#define RT_NO_STACK 0xffffffffu

struct rt_stack {
    uint32_t id;
    uint32_t n;              /* frames */
    bool truncated;          /* deeper than max_stack_frames */
    unsigned written_epoch;  /* record epoch its line was written in */
    uintptr_t pcs[];         /* return addresses, innermost first */
};

/* The depot: intern a stack; look one up by id (NULL if unknown). */
rt_stack_id rt_stack_put(const uintptr_t *pcs, uint32_t n, bool truncated);
struct rt_stack *rt_stack_get(rt_stack_id id);

/* Unwind the calling thread now, dropping the runtime's own frames. */
rt_stack_id rt_stack_capture(void);

/* A one-frame stack naming a function's entry (when there is nothing to
 * unwind, e.g. a thread that returned from its start routine). */
rt_stack_id rt_stack_of_function(uintptr_t entry);

/* Per-thread cache of call site -> stack. Zero-initialised is empty.
 *
 * (pc, sp) alone does not identify a stack: a lock wrapper called from two
 * lines of one function reaches the lock call with the same return address
 * at the same depth. So an entry also keeps, for each outer frame, where on
 * the stack its return address was found (an address: a hit has the same
 * sp, so the frames lie at the same addresses), and a hit
 * is taken only when every one of those slots still holds the same return
 * address: then the frames the stack names are the ones live now. An entry
 * whose slots could not be proven at capture (a signal frame, a stack
 * switch) is not kept. */
#define RT_CALLSITE_SETS 128
#define RT_CALLSITE_WAYS 4   /* paths through one call site kept at once */
struct rt_callsite {
    uintptr_t pc, sp;         /* pc 0: an empty entry (no call returns to 0) */
    rt_stack_id stack;
    uint32_t nslots;          /* return-address slots to compare */
    size_t cap;               /* of proof, in words */
    /* the proof, one pair a frame above the innermost: a stack address,
     * and the return address that slot held (kept side by side: one
     * cache line serves both loads) */
    uintptr_t *proof;
};
struct rt_callsite_cache {
    struct rt_callsite e[RT_CALLSITE_SETS][RT_CALLSITE_WAYS];
};
/* Looks in the other ways of the set, then unwinds; the entry found or
 * made moves to way 0. */
rt_stack_id rt_stack_callsite_miss(struct rt_callsite_cache *c, unsigned set, uintptr_t pc,
                                   uintptr_t sp);
/* Frees what the entries hold (the cache itself is the caller's). */
void rt_stack_callsite_release(struct rt_callsite_cache *c);

static inline bool rt_callsite_same_path(const struct rt_callsite *e)
{
    const uintptr_t *p = e->proof, *end = p + 2 * (size_t)e->nslots;
    for (; p < end; p += 2)
        if (*(const uintptr_t *)p[0] != p[1])
            return false;
    return true;
}

static inline bool rt_callsite_hit(const struct rt_callsite *e, uintptr_t pc, uintptr_t sp)
{
    return e->pc == pc && e->sp == sp && rt_callsite_same_path(e);
}

/* The low bits of the return address tell nearby call sites apart, those
 * of sp >> 4 the depth (frames are 16-byte aligned). */
static inline unsigned rt_callsite_set(uintptr_t pc, uintptr_t sp)
{
    return (unsigned)((pc ^ (sp >> 4)) % RT_CALLSITE_SETS);
}

/* The stack of a call site a way of its set proves, in *stack; false when
 * none does (then rt_stack_at_callsite captures it): no call, so that the lock fast path
 * inlined in an interceptor keeps its values in scratch registers. A hit
 * in another way than the first is not moved to the front (only the
 * choice of the way a new path replaces depends on the order). */
static inline bool rt_stack_callsite_cached(const struct rt_callsite_cache *c, uintptr_t pc,
                                            uintptr_t sp, rt_stack_id *stack)
{
    const struct rt_callsite *ways = c->e[rt_callsite_set(pc, sp)];
    if (__builtin_expect(rt_callsite_hit(&ways[0], pc, sp), 1)) {
        *stack = ways[0].stack;
        return true;
    }
    for (unsigned w = 1; w < RT_CALLSITE_WAYS; w++)
        if (rt_callsite_hit(&ways[w], pc, sp)) {
            *stack = ways[w].stack;
            return true;
        }
    return false;
}

static inline rt_stack_id rt_stack_at_callsite(struct rt_callsite_cache *c, uintptr_t pc, uintptr_t sp)
{
    unsigned set = rt_callsite_set(pc, sp);
    const struct rt_callsite *e = &c->e[set][0];
    if (__builtin_expect(rt_callsite_hit(e, pc, sp), 1))
        return e->stack;
    return rt_stack_callsite_miss(c, set, pc, sp);
}

/* The calling thread notes its stack's bounds, which the call-site cache
 * needs: once, when the thread starts (and for the main thread at
 * start-up), where no program lock can be held. */
void rt_stack_note_bounds(void);
/* Is addr on the calling thread's stack (as noted)? False when its bounds
 * are unknown. */
bool rt_stack_is_own(uintptr_t addr);

/* Set once from the options at start-up. */
extern unsigned rt_stack_max_frames;

/* Fork support. */
void rt_stack_lock_all(void);
void rt_stack_unlock_all(void);
/* Before a fork, last (every other runtime lock held): no stack walk is
 * under way in another thread, and none starts until resumed. After it,
 * in the parent and, first, in the child. */
void rt_stack_walks_stop(void);
void rt_stack_walks_resume(void);
void rt_stack_walks_after_fork_child(void);

#endif
