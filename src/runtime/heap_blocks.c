/* heap_blocks: see heap_blocks.h. */
#include "heap_blocks.h"
#include "rt_alloc.h"
#include "rt_hash.h"
#include "rt_spin.h"

#include <string.h>

#define NSTRIPES 256u
#define LARGE (64u * 1024u)

/* One open-addressing table (linear probing, backward-shift deletion, no
 * tombstones) per stripe: 24 bytes a live block, the records in place.
 * A program with a million small blocks costs tens of MiB here, not the
 * hundred-odd a chained hash with per-entry allocations would. */
struct stripe {
    rt_spin_t lock;
    uint32_t cap, used;           /* cap: 0 or a power of two */
    struct rt_heap_block *e;      /* addr 0: free */
};

static struct stripe stripes[NSTRIPES];

struct large {
    struct large *next;
    uintptr_t addr, size;
};
static rt_spin_t large_lock = RT_SPIN_INIT;
static struct large *larges;

static uint64_t mix(uintptr_t addr)
{
    return rt_mix64(addr >> 4);
}

static struct stripe *stripe_of(uintptr_t addr)
{
    return &stripes[mix(addr) % NSTRIPES];
}

/* The slot of addr, or of the free slot where it would go. */
static uint32_t slot_of(const struct stripe *s, uintptr_t addr)
{
    uint32_t i = (uint32_t)(mix(addr) >> 8) & (s->cap - 1);
    while (s->e[i].addr && s->e[i].addr != addr)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static void grow(struct stripe *s)
{
    uint32_t ncap = s->cap ? s->cap * 2 : 64, ocap = s->cap;
    struct rt_heap_block *old = s->e;
    s->e = rt_alloc(sizeof *s->e * ncap);
    s->cap = ncap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].addr)
            s->e[slot_of(s, old[i].addr)] = old[i];
    if (old)
        rt_free(old, sizeof *old * ocap);
}

void rt_heap_add(uintptr_t addr, uintptr_t size, rt_ct_node alloc_node, int thread)
{
    struct stripe *s = stripe_of(addr);
    uint32_t i;
    if (addr == 0)
        return;
    rt_spin_lock(&s->lock);
    if ((s->used + 1) * 4 > s->cap * 3)
        grow(s);
    i = slot_of(s, addr);
    if (!s->e[i].addr)
        s->used++;
    /* else a block we missed the free of (freed by code we do not see) */
    s->e[i] = (struct rt_heap_block){addr, size, alloc_node, thread};
    rt_spin_unlock(&s->lock);
    if (size >= LARGE) {
        struct large *l = rt_alloc(sizeof *l);
        l->addr = addr;
        l->size = size;
        rt_spin_lock(&large_lock);
        l->next = larges;
        larges = l;
        rt_spin_unlock(&large_lock);
    }
}

/* Empty slot i, moving later entries of its probe run back into the hole. */
static void remove_at(struct stripe *s, uint32_t i)
{
    uint32_t mask = s->cap - 1, j = i;
    for (;;) {
        uint32_t home;
        j = (j + 1) & mask;
        if (!s->e[j].addr)
            break;
        home = (uint32_t)(mix(s->e[j].addr) >> 8) & mask;
        /* e[j] may move to i when its home is not in (i, j] (cyclically) */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            s->e[i] = s->e[j];
            i = j;
        }
    }
    s->e[i].addr = 0;
    s->used--;
}

bool rt_heap_remove(uintptr_t addr, struct rt_heap_block *out)
{
    struct stripe *s = stripe_of(addr);
    uint32_t i;
    rt_spin_lock(&s->lock);
    if (s->cap == 0 || addr == 0 || !s->e[i = slot_of(s, addr)].addr) {
        rt_spin_unlock(&s->lock);
        return false;
    }
    *out = s->e[i];
    remove_at(s, i);
    rt_spin_unlock(&s->lock);
    if (out->size >= LARGE) {
        struct large **p, *l = NULL;
        rt_spin_lock(&large_lock);
        for (p = &larges; *p; p = &(*p)->next) {
            if ((*p)->addr == addr) {
                l = *p;
                *p = l->next;
                break;
            }
        }
        rt_spin_unlock(&large_lock);
        if (l)
            rt_free(l, sizeof *l);
    }
    return true;
}

static bool lookup(uintptr_t addr, struct rt_heap_block *out)
{
    struct stripe *s = stripe_of(addr);
    bool found = false;
    uint32_t i;
    rt_spin_lock(&s->lock);
    if (s->cap && addr && s->e[i = slot_of(s, addr)].addr) {
        *out = s->e[i];
        found = true;
    }
    rt_spin_unlock(&s->lock);
    return found;
}

/* fork: the child must not inherit a stripe locked by a thread that no
 * longer exists. */
void rt_heap_lock_all(void)
{
    for (unsigned i = 0; i < NSTRIPES; i++)
        rt_spin_lock(&stripes[i].lock);
    rt_spin_lock(&large_lock);
}

void rt_heap_unlock_all(void)
{
    rt_spin_unlock(&large_lock);
    for (unsigned i = NSTRIPES; i-- > 0;)
        rt_spin_unlock(&stripes[i].lock);
}

bool rt_heap_find(uintptr_t addr, struct rt_heap_block *out)
{
    uintptr_t start = 0;
    struct rt_heap_block b;
    rt_spin_lock(&large_lock);
    for (struct large *l = larges; l; l = l->next)
        if (addr >= l->addr && addr < l->addr + l->size)
            start = l->addr;
    rt_spin_unlock(&large_lock);
    if (start && lookup(start, out))
        return true;
    /* small blocks: malloc aligns to 16 bytes; look back at most LARGE */
    for (uintptr_t a = addr & ~(uintptr_t)15, n = 0; n <= LARGE / 16 && a > 0; a -= 16, n++) {
        if (lookup(a, &b)) {
            if (addr < b.addr + (b.size ? b.size : 1)) {
                *out = b;
                return true;
            }
            return false; /* the nearest block below ends before addr */
        }
    }
    return false;
}
