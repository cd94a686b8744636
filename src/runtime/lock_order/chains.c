/*
 * chains: the tree of held-lock stacks (graph.h, lock_order.h).
 *
 * A chain is found through its parent when it is the parent's first child
 * (most chains are: a table slot would cost more than the pointer), else
 * in one open-addressing table of pointers, keyed by
 * (parent, lock, flags); the top 16 bits of a slot hold the top bits of
 * the key's hash (user-space pointers have 47 bits), so that a probe reads
 * a chain only when they match. Lookups take no lock: a chain is filled in
 * before its slot is stored (release), and slots are only ever filled,
 * never emptied; a first child likewise before it is stored in its
 * parent, which never changes after. Insertions happen under lo_lock; a full table is copied into
 * one twice its size, which is then published. A reader still probing the
 * old table may miss a chain added since: it then takes lo_lock and looks
 * again, so nothing is lost. An old table is never freed (readers may still
 * be in it), but its pages are given back to the kernel: its addresses stay
 * mapped and read as zeros, that is as empty slots, so a reader still in it
 * misses and looks again under lo_lock. The table grows at 3/4 full: a new
 * chain is looked for (and missed) three times before it is made.
 */
#include "graph.h"

#include <string.h>
#include <sys/mman.h>

struct table {
    size_t mask;                        /* slots - 1, a power of two minus one */
    _Atomic(uintptr_t) slot[];          /* tag << 48 | chain pointer; 0: empty */
};

#define TAG_SHIFT 48

static uintptr_t slot_of(const struct rt_chain *c, uint64_t hash)
{
    return (uintptr_t)c | (uintptr_t)(hash >> TAG_SHIFT) << TAG_SHIFT;
}

static _Atomic(struct table *) table;
static size_t nchains;                  /* under lo_lock */

/* ---- memory ---------------------------------------------------------------------- */

#define BLOCK (64u << 10)

static char *bump, *bump_end;           /* under lo_lock */

void *lo_alloc(size_t size)
{
    void *p;
    size = (size + 7) & ~(size_t)7;
    if (size > BLOCK / 4)
        return rt_alloc(size);
    if ((size_t)(bump_end - bump) < size) {
        bump = rt_alloc(BLOCK);
        bump_end = bump + BLOCK;
    }
    p = bump;
    bump += size;
    return p; /* rt_alloc's memory is zeroed */
}

/* ---- the table --------------------------------------------------------------------- */

static const struct rt_chain *probe(const struct table *tab, const struct rt_chain *parent,
                                    const struct rt_lock *l, unsigned flags, size_t *free_slot)
{
    uint64_t hash = rt_chain_hash(parent, l, flags);
    uintptr_t tag = (uintptr_t)(hash >> TAG_SHIFT) << TAG_SHIFT;
    /* read once: a retired table's mask may turn to 0 under us */
    size_t mask = *(volatile const size_t *)&tab->mask;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uintptr_t s = atomic_load_explicit(&tab->slot[i], memory_order_acquire);
        const struct rt_chain *c = (const struct rt_chain *)(s & (((uintptr_t)1 << TAG_SHIFT) - 1));
        if (!s) {
            if (free_slot)
                *free_slot = i;
            return NULL;
        }
        if ((s & ~(((uintptr_t)1 << TAG_SHIFT) - 1)) == tag && rt_chain_is(c, parent, l, flags))
            return c;
    }
}

/* parent's first child, or NULL */
static const struct rt_chain *first_child(const struct rt_chain *parent)
{
    return parent ? atomic_load_explicit(&((struct rt_chain *)parent)->child, memory_order_acquire)
                  : NULL;
}

const struct rt_chain *lo_chain_find(const struct rt_chain *parent, const struct rt_lock *l,
                                     unsigned flags)
{
    const struct rt_chain *c = first_child(parent);
    struct table *tab;
    if (c && rt_chain_is(c, parent, l, flags))
        return c;
    tab = atomic_load_explicit(&table, memory_order_acquire);
    return tab ? probe(tab, parent, l, flags, NULL) : NULL;
}

const struct rt_chain *rt_chain_find(const struct rt_chain *parent, const struct rt_lock *l,
                                     unsigned flags)
{
    return lo_chain_find(parent, l, flags);
}

static struct table *table_new(size_t slots)
{
    struct table *tab = rt_alloc(sizeof *tab + slots * sizeof tab->slot[0]);
    tab->mask = slots - 1;
    return tab;
}

/* An outgrown table: its pages back to the kernel, its addresses kept
 * (readers may still probe it: they read zeros, empty slots). */
static void table_retire(struct table *tab)
{
    uintptr_t lo = ((uintptr_t)tab + 4095) & ~(uintptr_t)4095;
    uintptr_t hi = (uintptr_t)&tab->slot[tab->mask + 1] & ~(uintptr_t)4095;
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Under lo_lock: room for one more chain. */
static struct table *table_for_one_more(void)
{
    struct table *tab = atomic_load_explicit(&table, memory_order_relaxed), *big;
    if (!tab) {
        tab = table_new(1024);
        atomic_store_explicit(&table, tab, memory_order_release);
    }
    if ((nchains + 1) * 4 <= (tab->mask + 1) * 3)
        return tab;
    big = table_new((tab->mask + 1) * 2);
    for (size_t i = 0; i <= tab->mask; i++) {
        uintptr_t s = atomic_load_explicit(&tab->slot[i], memory_order_relaxed);
        const struct rt_chain *c = (const struct rt_chain *)(s & (((uintptr_t)1 << TAG_SHIFT) - 1));
        size_t j;
        if (!s)
            continue;
        probe(big, c->parent, c->lock, c->flags, &j);
        atomic_store_explicit(&big->slot[j], s, memory_order_relaxed);
    }
    atomic_store_explicit(&table, big, memory_order_release);
    table_retire(tab);
    return big;
}

struct rt_chain *lo_chain_get(const struct rt_chain *parent, struct rt_thread *t,
                              struct rt_lock *l, unsigned flags, rt_stack_id stack)
{
    const struct rt_chain *first = first_child(parent);
    struct table *tab;
    size_t i;
    struct rt_chain *c;
    if (first && rt_chain_is(first, parent, l, flags))
        return (struct rt_chain *)first;
    tab = table_for_one_more();
    c = (struct rt_chain *)probe(tab, parent, l, flags, &i);
    if (c)
        return c;
    c = lo_alloc(sizeof *c);
    c->parent = parent;
    c->lock = l;
    c->flags = (uint8_t)flags;
    c->thread = t->id;
    c->stack = stack;
    rt_lock_pin(l); /* the chain names it: its struct must never be another lock's */
    if (parent && !first) {
        atomic_store_explicit(&((struct rt_chain *)parent)->child, c, memory_order_release);
        return c;
    }
    nchains++;
    atomic_store_explicit(&tab->slot[i], slot_of(c, rt_chain_hash(parent, l, flags)),
                          memory_order_release);
    return c;
}

const struct rt_chain *rt_chain_path(const struct rt_chain *parent, struct rt_thread *t,
                                     struct rt_lock *l, unsigned flags, rt_stack_id stack)
{
    const struct rt_chain *c = lo_chain_find(parent, l, flags);
    if (c)
        return c;
    rt_spin_lock(&lo_lock);
    c = lo_chain_get(parent, t, l, flags, stack);
    rt_spin_unlock(&lo_lock);
    return c;
}
