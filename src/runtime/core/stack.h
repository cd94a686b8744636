/*
 * stack: call stacks, captured with libunwind and kept once each in a depot
 * under a small id.
 *
 * Unwinding costs ~0.1-1 us, too much for every lock, so events capture a
 * stack only when something new is learnt, and acquisitions go through a
 * per-thread call-site cache keyed by (return address, stack pointer): the
 * same call reached along the same path has the same stack pointer, so a
 * lock taken again at a known site costs one cache probe. Stacks are
 * immutable once in the depot and never freed (findings made much later
 * still name them). Any thread.
 */
#ifndef RT_STACK_H
#define RT_STACK_H

#include <stdbool.h>
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

/* Per-thread cache of call site -> stack. Zero-initialised is empty. */
#define RT_CALLSITE_WAYS 256
struct rt_callsite_cache {
    struct { uintptr_t pc, sp; rt_stack_id stack; } e[RT_CALLSITE_WAYS];
};
rt_stack_id rt_stack_callsite_miss(struct rt_callsite_cache *c, unsigned slot, uintptr_t pc,
                                   uintptr_t sp);
static inline rt_stack_id rt_stack_at_callsite(struct rt_callsite_cache *c, uintptr_t pc, uintptr_t sp)
{
    unsigned slot = (unsigned)((pc ^ (pc >> 9) ^ (sp >> 4)) % RT_CALLSITE_WAYS);
    if (__builtin_expect(c->e[slot].pc == pc && c->e[slot].sp == sp && c->e[slot].stack != 0, 1))
        return c->e[slot].stack - 1;
    return rt_stack_callsite_miss(c, slot, pc, sp);
}

/* Set once from the options at start-up. */
extern unsigned rt_stack_max_frames;

/* Fork support. */
void rt_stack_lock_all(void);
void rt_stack_unlock_all(void);

#endif
