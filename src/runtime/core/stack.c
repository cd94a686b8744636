/* stack: see stack.h. */
#define UNW_LOCAL_ONLY
#include "stack.h"
#include "modules.h"
#include "rt_hash.h"
#include "rt_spin.h"

#include <libunwind.h>
#include <string.h>

struct depot_entry {
    UT_hash_handle hh;
    struct rt_stack *stack;
};

unsigned rt_stack_max_frames = 64;

static rt_spin_t depot_lock = RT_SPIN_INIT;
static struct depot_entry *depot;          /* keyed by the pcs */
static struct rt_stack **by_id;
static uint32_t nstacks, cap_stacks;

rt_stack_id rt_stack_put(const uintptr_t *pcs, uint32_t n, bool truncated)
{
    struct depot_entry *e;
    struct rt_stack *s;
    size_t keylen = n * sizeof *pcs;
    rt_stack_id id;

    rt_spin_lock(&depot_lock);
    HASH_FIND(hh, depot, pcs, keylen, e);
    if (e) {
        id = e->stack->id;
        rt_spin_unlock(&depot_lock);
        return id;
    }
    s = rt_alloc(sizeof *s + keylen);
    s->n = n;
    s->truncated = truncated;
    memcpy(s->pcs, pcs, keylen);
    if (nstacks == cap_stacks) {
        uint32_t ncap = cap_stacks ? cap_stacks * 2 : 1024;
        by_id = rt_realloc(by_id, sizeof *by_id * cap_stacks, sizeof *by_id * ncap);
        cap_stacks = ncap;
    }
    s->id = nstacks;
    by_id[nstacks++] = s;
    e = rt_alloc(sizeof *e);
    e->stack = s;
    HASH_ADD_KEYPTR(hh, depot, s->pcs, keylen, e);
    id = s->id;
    rt_spin_unlock(&depot_lock);
    return id;
}

struct rt_stack *rt_stack_get(rt_stack_id id)
{
    struct rt_stack *s = NULL;
    rt_spin_lock(&depot_lock);
    if (id < nstacks)
        s = by_id[id];
    rt_spin_unlock(&depot_lock);
    return s;
}

rt_stack_id rt_stack_capture(void)
{
    enum { SLACK = 16 }; /* room for the runtime's own frames */
    unsigned max = rt_stack_max_frames ? rt_stack_max_frames : 1;
    void *raw[max + SLACK + 1];
    uintptr_t pcs[max + SLACK + 1];
    uint32_t n = 0;
    int got = unw_backtrace(raw, (int)(max + SLACK + 1));
    bool truncated = false;

    for (int i = 0; i < got; i++) {
        uintptr_t pc = (uintptr_t)raw[i];
        if (pc == 0 || rt_module_is_runtime(pc))
            continue;
        if (n == max) {
            truncated = true;
            break;
        }
        pcs[n++] = pc;
    }
    return rt_stack_put(pcs, n, truncated);
}

rt_stack_id rt_stack_of_function(uintptr_t entry)
{
    /* Recorded pcs are return addresses (the analyzer looks up pc - 1), so
     * store entry + 1 to land on the entry itself. */
    uintptr_t pc = entry + 1;
    return rt_stack_put(&pc, 1, false);
}

rt_stack_id rt_stack_callsite_miss(struct rt_callsite_cache *c, unsigned slot, uintptr_t pc,
                                   uintptr_t sp)
{
    c->e[slot].pc = pc;
    c->e[slot].sp = sp;
    c->e[slot].stack = rt_stack_capture() + 1; /* +1: zero means empty */
    return c->e[slot].stack - 1;
}

void rt_stack_lock_all(void)
{
    rt_spin_lock(&depot_lock);
}

void rt_stack_unlock_all(void)
{
    rt_spin_unlock(&depot_lock);
}
