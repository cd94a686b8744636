/* stack: see stack.h. */
#define UNW_LOCAL_ONLY
#include "stack.h"
#include "modules.h"
#include "rt_alloc.h"
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

/* Unwind step by step, as rt_stack_capture does in one call, noting where
 * each kept frame's return address lies: frame k's return address was
 * pushed just below the stack pointer that frame k has once the callee
 * returns (x86-64: at that sp - 8). Keeps the slots in e when every one of
 * them is proven (holds its frame's pc now, at an offset from sp that fits
 * 32 bits); otherwise e->nslots is UINT32_MAX: the entry must not be used. */
static rt_stack_id capture_path(uintptr_t sp, struct rt_callsite *e)
{
    enum { SLACK = 16 };
    unsigned max = rt_stack_max_frames ? rt_stack_max_frames : 1;
    uintptr_t pcs[max + 1];
    uintptr_t at[max + 1];
    uint32_t n = 0;
    bool truncated = false, proven = true;
    unw_context_t uc;
    unw_cursor_t cur;
    rt_stack_id id;

    e->nslots = UINT32_MAX;
    if (unw_getcontext(&uc) < 0 || unw_init_local(&cur, &uc) < 0)
        return rt_stack_capture();
    for (unsigned seen = 0; seen < max + SLACK + 1; seen++) {
        unw_word_t ip = 0, fsp = 0;
        unw_get_reg(&cur, UNW_REG_IP, &ip);
        unw_get_reg(&cur, UNW_REG_SP, &fsp);
        if (ip == 0)
            break;
        if (!rt_module_is_runtime(ip)) {
            if (n == max) {
                truncated = true;
                break;
            }
            pcs[n] = ip;
            at[n] = fsp - sizeof(uintptr_t);
            n++;
        }
        if (unw_step(&cur) <= 0)
            break;
    }
    id = rt_stack_put(pcs, n, truncated);
    for (uint32_t k = 1; k < n && proven; k++)
        proven = at[k] > sp && at[k] - sp <= UINT32_MAX && *(const uintptr_t *)at[k] == pcs[k];
    if (!proven)
        return id;
    if (n > e->cap) {
        uint32_t cap = e->cap ? e->cap : 8;
        while (cap < n)
            cap *= 2;
        if (e->slots)
            rt_free(e->slots, e->cap * sizeof *e->slots);
        e->slots = rt_alloc(cap * sizeof *e->slots);
        e->cap = cap;
    }
    for (uint32_t k = 1; k < n; k++)
        e->slots[k - 1] = (uint32_t)(at[k] - sp);
    e->nslots = n ? n - 1 : 0;
    e->pcs = rt_stack_get(id)->pcs;
    return id;
}

rt_stack_id rt_stack_callsite_miss(struct rt_callsite_cache *c, unsigned slot, uintptr_t pc,
                                   uintptr_t sp)
{
    struct rt_callsite *e = &c->e[slot];
    rt_stack_id id;
    e->stack = 0; /* empty while it is rewritten */
    id = capture_path(sp, e);
    if (e->nslots != UINT32_MAX) {
        e->pc = pc;
        e->sp = sp;
        e->stack = id + 1;
    }
    return id;
}

void rt_stack_callsite_release(struct rt_callsite_cache *c)
{
    for (unsigned i = 0; i < RT_CALLSITE_WAYS; i++)
        if (c->e[i].slots)
            rt_free(c->e[i].slots, c->e[i].cap * sizeof *c->e[i].slots);
}

void rt_stack_lock_all(void)
{
    rt_spin_lock(&depot_lock);
}

void rt_stack_unlock_all(void)
{
    rt_spin_unlock(&depot_lock);
}
