/* heap_blocks: see heap_blocks.h. */
#include "heap_blocks.h"
#include "core/core.h"

#include <string.h>

#define NSTRIPES 256u
#define LARGE (64u * 1024u)

/* One open-addressing table (linear probing, backward-shift deletion, no
 * tombstones) per stripe, the records in place in 16-byte slots. A table
 * grows at 3/4 load: 2x while it fits rt_alloc's power-of-two classes (up
 * to 4096 slots, 64 KiB), then 1.5x in whole pages. A big table is 1/2 to
 * 3/4 full, 21 to 32 bytes a live block (25 at a million blocks, where
 * 24-byte slots grown 2x cost 50); a small one can be 3/8 full (43 bytes a
 * block), but small tables are 16 MiB at most over all the stripes. */
struct slot {
    uint64_t key;       /* address | (thread + 1) << ADDR_BITS; 0: free */
    uint32_t size;      /* SIZE_HUGE: the real size is in the large list */
    rt_ct_node node;
};
_Static_assert(sizeof(struct slot) == 16, "a heap block slot is 16 bytes");

/* User addresses are below 2^47; the thread id takes the 17 bits above. */
#define ADDR_BITS 47
#define ADDR_MASK ((UINT64_C(1) << ADDR_BITS) - 1)
#define THREAD_MAX ((1 << (64 - ADDR_BITS)) - 2) /* larger ids: unknown (-1) */
#define SIZE_HUGE UINT32_MAX

struct stripe {
    rt_spin_t lock;
    uint32_t cap, used;           /* cap: 0 or any size (see next_cap) */
    struct slot *e;
};

static struct stripe stripes[NSTRIPES];

/* Every block of LARGE bytes and more, so that an address inside one is
 * found without scanning back over it, and so that sizes of 4 GiB and more
 * (SIZE_HUGE in the table) are known. */
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

static uintptr_t slot_addr(const struct slot *e)
{
    return (uintptr_t)(e->key & ADDR_MASK);
}

/* The slot an address hashes to: the high half of the hash (the low bits
 * chose the stripe) scaled to cap by a multiply, as cap is no power of two. */
static uint32_t home_of(const struct stripe *s, uintptr_t addr)
{
    return (uint32_t)(((uint64_t)(uint32_t)(mix(addr) >> 32) * s->cap) >> 32);
}

static uint32_t next_of(const struct stripe *s, uint32_t i)
{
    return i + 1 == s->cap ? 0 : i + 1;
}

/* The slot of addr, or of the free slot where it would go. */
static uint32_t slot_of(const struct stripe *s, uintptr_t addr)
{
    uint32_t i = home_of(s, addr);
    while (s->e[i].key && slot_addr(&s->e[i]) != addr)
        i = next_of(s, i);
    return i;
}

/* What rt_alloc hands out for `bytes` anyway (a power of two up to 64 KiB,
 * whole pages beyond): the slots it makes room for are free to use. */
static size_t granted(size_t bytes)
{
    size_t b = 16;
    if (bytes > 64 * 1024)
        return (bytes + 4095) & ~(size_t)4095;
    while (b < bytes)
        b *= 2;
    return b;
}

static uint32_t next_cap(uint32_t cap)
{
    size_t want = cap ? (size_t)cap + cap / 2 : 64;
    return (uint32_t)(granted(want * sizeof(struct slot)) / sizeof(struct slot));
}

static void grow(struct stripe *s)
{
    uint32_t ncap = next_cap(s->cap), ocap = s->cap;
    struct slot *old = s->e;
    s->e = rt_alloc(sizeof *s->e * ncap);
    s->cap = ncap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].key)
            s->e[slot_of(s, slot_addr(&old[i]))] = old[i];
    if (old)
        rt_free(old, sizeof *old * ocap);
}

static struct slot pack(uintptr_t addr, uintptr_t size, rt_ct_node node, int thread)
{
    uint64_t t = thread >= 0 && thread <= THREAD_MAX ? (uint64_t)thread + 1 : 0;
    uint32_t sz = size < SIZE_HUGE ? (uint32_t)size : SIZE_HUGE;
    return (struct slot){addr | t << ADDR_BITS, sz, node};
}

static void unpack(const struct slot *e, struct rt_heap_block *out)
{
    *out = (struct rt_heap_block){slot_addr(e), e->size, e->node,
                                  (int)(e->key >> ADDR_BITS) - 1};
}

void rt_heap_add(uintptr_t addr, uintptr_t size, rt_ct_node alloc_node, int thread)
{
    struct stripe *s = stripe_of(addr);
    uint32_t i;
    /* an address that does not fit the key (not from a user-space
     * malloc) goes unrecorded: its races say "unknown", not a wrong block */
    if (addr == 0 || addr > ADDR_MASK)
        return;
    rt_spin_lock(&s->lock);
    if ((uint64_t)(s->used + 1) * 4 > (uint64_t)s->cap * 3)
        grow(s);
    i = slot_of(s, addr);
    if (!s->e[i].key)
        s->used++;
    /* else a block we missed the free of (freed by code we do not see) */
    s->e[i] = pack(addr, size, alloc_node, thread);
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

/* The cyclic distance from slot a forward to slot b. */
static uint32_t dist(const struct stripe *s, uint32_t a, uint32_t b)
{
    return b >= a ? b - a : s->cap - (a - b);
}

/* Empty slot i, moving later entries of its probe run back into the hole. */
static void remove_at(struct stripe *s, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        uint32_t home;
        j = next_of(s, j);
        if (!s->e[j].key)
            break;
        home = home_of(s, slot_addr(&s->e[j]));
        /* e[j] may move to i when its probe from home passes i before j:
         * i in [home, j) cyclically */
        if (dist(s, home, i) < dist(s, home, j)) {
            s->e[i] = s->e[j];
            i = j;
        }
    }
    s->e[i] = (struct slot){0};
    s->used--;
}

bool rt_heap_remove(uintptr_t addr, struct rt_heap_block *out)
{
    struct stripe *s = stripe_of(addr);
    uint32_t i;
    rt_spin_lock(&s->lock);
    if (s->cap == 0 || addr == 0 || !s->e[i = slot_of(s, addr)].key) {
        rt_spin_unlock(&s->lock);
        return false;
    }
    unpack(&s->e[i], out);
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
        if (l) {
            out->size = l->size;
            rt_free(l, sizeof *l);
        }
    }
    return true;
}

/* The size of the large block at addr (the latest one added, as
 * rt_heap_remove takes). False if it is gone. */
static bool large_size(uintptr_t addr, uintptr_t *size)
{
    bool found = false;
    rt_spin_lock(&large_lock);
    for (struct large *l = larges; l; l = l->next) {
        if (l->addr == addr) {
            *size = l->size;
            found = true;
            break;
        }
    }
    rt_spin_unlock(&large_lock);
    return found;
}

static bool lookup(uintptr_t addr, struct rt_heap_block *out)
{
    struct stripe *s = stripe_of(addr);
    bool found = false;
    uint32_t i;
    rt_spin_lock(&s->lock);
    if (s->cap && addr && s->e[i = slot_of(s, addr)].key) {
        unpack(&s->e[i], out);
        found = true;
    }
    rt_spin_unlock(&s->lock);
    /* a SIZE_HUGE block freed meanwhile has no size left to tell */
    if (found && out->size == SIZE_HUGE)
        found = large_size(addr, &out->size);
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
