/* sync_objects: see sync_objects.h. */
#include "sync_objects.h"
#include "rt_spin.h"

#include <sys/mman.h>

#define NSTRIPES 64
/* Locks inside one page, for forgetting the locks in freed memory quickly. */
#define PAGE_SHIFT 12

/* One stripe: an open-addressing table (linear probing, grown at 7/8,
 * deletion by shifting back the entries after the hole, so no tombstones)
 * of the live locks whose address hashes to it. */
struct stripe {
    rt_spin_t lock;
    uint32_t n;
    size_t mask;                  /* slots - 1; 0 with no table yet */
    struct rt_lock **slot;
    char pad[64 - sizeof(rt_spin_t) - sizeof(uint32_t) - sizeof(size_t) - sizeof(void *)];
};

static struct stripe stripes[NSTRIPES];
static atomic_uint_fast64_t next_id = 1;
static rt_spin_t free_lock = RT_SPIN_INIT;
static struct rt_lock *free_list;
/* structs are carved from blocks at their exact size (rt_alloc would round
 * them up to a power of two); under free_lock */
#define SLAB_BYTES (64u << 10)
static char *slab, *slab_end;
/* How many live locks each page holds, so that freeing memory with no lock
 * in it costs one probe per page. */
struct page_count {
    UT_hash_handle hh;
    uintptr_t page;
    unsigned count;
};
static rt_spin_t pages_lock = RT_SPIN_INIT;
static struct page_count *pages;
static atomic_uint live_locks;

static const char *const kind_names[] = {"mutex", "rwlock", "spin", "cond", "sem", "barrier", "once"};
static const char *const type_names[] = {"normal", "recursive", "errorcheck", "adaptive", ""};

const char *rt_lock_kind_name(int kind)
{
    return kind >= 0 && kind <= RT_ONCE ? kind_names[kind] : "lock";
}

const char *rt_lock_type_name(int type)
{
    return type >= 0 && type <= RT_TYPE_NONE ? type_names[type] : "";
}

static struct stripe *stripe_of(uintptr_t addr)
{
    return &stripes[rt_mix64(addr) % NSTRIPES];
}

/* The slot of a lock in its stripe's table (the stripe is chosen by the
 * low bits of the same hash: use the high ones here). */
static size_t home_of(const struct stripe *s, uintptr_t addr)
{
    return (size_t)(rt_mix64(addr) >> 8) & s->mask;
}

/* Under s->lock: the live lock at addr, or NULL. */
static struct rt_lock *table_find(const struct stripe *s, uintptr_t addr)
{
    if (!s->slot)
        return NULL;
    for (size_t i = home_of(s, addr);; i = (i + 1) & s->mask) {
        struct rt_lock *l = s->slot[i];
        if (!l || l->addr == addr)
            return l;
    }
}

/* An outgrown table. The stripes grow in step, so no other wants a block
 * of its size again soon: its pages but the first (where the allocator's
 * free list keeps its link) go back to the kernel. */
static void table_free(struct rt_lock **slot, size_t slots)
{
    uintptr_t lo = ((uintptr_t)slot + sizeof(void *) + 4095) & ~(uintptr_t)4095;
    uintptr_t hi = (uintptr_t)(slot + slots) & ~(uintptr_t)4095;
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    rt_free(slot, slots * sizeof *slot);
}

/* Under s->lock: put l in (no lock at its address is in). The table grows
 * at 7/8 full: lookups come after a miss of the thread's own cache. */
static void table_put(struct stripe *s, struct rt_lock *l)
{
    size_t i;
    if (!s->slot || (s->n + 1) * 8 > (s->mask + 1) * 7) {
        size_t slots = s->slot ? (s->mask + 1) * 2 : 16, old = s->slot ? s->mask + 1 : 0;
        struct rt_lock **from = s->slot;
        s->slot = rt_alloc(slots * sizeof *s->slot);
        s->mask = slots - 1;
        for (size_t k = 0; k < old; k++)
            if (from[k]) {
                for (i = home_of(s, from[k]->addr); s->slot[i]; i = (i + 1) & s->mask)
                    ;
                s->slot[i] = from[k];
            }
        if (from)
            table_free(from, old);
    }
    for (i = home_of(s, l->addr); s->slot[i]; i = (i + 1) & s->mask)
        ;
    s->slot[i] = l;
    s->n++;
}

/* Under s->lock: take l out; the entries after it in its run move back
 * into the hole when their home allows (every probe still finds them). */
static void table_del(struct stripe *s, const struct rt_lock *l)
{
    size_t i = home_of(s, l->addr), j;
    while (s->slot[i] != l)
        i = (i + 1) & s->mask;
    for (j = (i + 1) & s->mask; s->slot[j]; j = (j + 1) & s->mask) {
        size_t h = home_of(s, s->slot[j]->addr);
        /* slot[j] may move to i unless its home lies cyclically in (i, j] */
        if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
            s->slot[i] = s->slot[j];
            i = j;
        }
    }
    s->slot[i] = NULL;
    s->n--;
}

static void page_add(uintptr_t addr, int delta)
{
    struct page_count *p;
    uintptr_t page = addr >> PAGE_SHIFT;
    rt_spin_lock(&pages_lock);
    HASH_FIND(hh, pages, &page, sizeof page, p);
    if (!p && delta > 0) {
        p = rt_alloc(sizeof *p);
        p->page = page;
        HASH_ADD(hh, pages, page, sizeof p->page, p);
    }
    if (p) {
        p->count += (unsigned)delta;
        if (p->count == 0) {
            HASH_DEL(pages, p);
            rt_free(p, sizeof *p);
        }
    }
    rt_spin_unlock(&pages_lock);
}

static struct rt_lock *new_lock(uintptr_t addr, int kind, int type, rt_stack_id init_stack)
{
    struct rt_lock *l;
    struct rt_lock_more *more;
    rt_spin_lock(&free_lock);
    l = free_list;
    if (l) {
        free_list = l->free_next;
    } else {
        const size_t size = (sizeof *l + 7) & ~(size_t)7;
        if ((size_t)(slab_end - slab) < size) {
            slab = rt_alloc(SLAB_BYTES); /* zeroed */
            slab_end = slab + SLAB_BYTES;
        }
        l = (struct rt_lock *)slab;
        slab += size;
    }
    rt_spin_unlock(&free_lock);
    /* a recycled struct may still be read through stale caches: publish the
     * new identity before it can be found */
    l->addr = addr;
    l->kind = (uint8_t)kind;
    l->type = (uint8_t)type;
    l->pinned = false;
    l->graph_node = NULL;
    more = atomic_load(&l->more);
    if (more) {
        atomic_store(&more->waiters, 0);
        atomic_store(&more->bound_mutex, 0);
        more->written_epoch = 0;
        more->annotated = 0;
        more->robust = false;
    }
    l->init_stack = init_stack;
    l->init_thread = 0;
    atomic_store(&l->owner, 0);
    l->depth = 0;
    atomic_store(&l->readers, 0);
    l->acq_stack = RT_NO_STACK;
    atomic_store(&l->user, 0);
    l->serial++;
    l->id = atomic_fetch_add(&next_id, 1);
    atomic_store(&l->live, true);
    return l;
}

struct rt_lock_more *rt_lock_more(struct rt_lock *l)
{
    struct rt_lock_more *m = atomic_load_explicit(&l->more, memory_order_acquire), *made;
    if (m)
        return m;
    made = rt_alloc(sizeof *made); /* zeroed */
    if (atomic_compare_exchange_strong_explicit(&l->more, &m, made, memory_order_acq_rel,
                                                memory_order_acquire))
        return made;
    rt_free(made, sizeof *made); /* another thread made it first */
    return m;
}

struct rt_lock *rt_lock_find(uintptr_t addr)
{
    struct stripe *s = stripe_of(addr);
    struct rt_lock *l;
    rt_spin_lock(&s->lock);
    l = table_find(s, addr);
    rt_spin_unlock(&s->lock);
    return l;
}

struct rt_lock *rt_lock_get(uintptr_t addr, int kind, int type)
{
    struct stripe *s = stripe_of(addr);
    struct rt_lock *l;
    rt_spin_lock(&s->lock);
    l = table_find(s, addr);
    if (!l) {
        l = new_lock(addr, kind, type, RT_NO_STACK);
        table_put(s, l);
        rt_spin_unlock(&s->lock);
        atomic_fetch_add(&live_locks, 1);
        page_add(addr, 1);
        return l;
    }
    rt_spin_unlock(&s->lock);
    return l;
}

static void unlink_locked(struct stripe *s, struct rt_lock *l)
{
    table_del(s, l);
    atomic_store(&l->live, false);
    l->serial++;
}

static void recycle(struct rt_lock *l)
{
    atomic_fetch_sub(&live_locks, 1);
    page_add(l->addr, -1);
    if (l->pinned)
        return; /* named by records: keep it as it is */
    rt_spin_lock(&free_lock);
    l->free_next = free_list;
    free_list = l;
    rt_spin_unlock(&free_lock);
}

struct rt_lock *rt_lock_create(uintptr_t addr, int kind, int type, rt_stack_id init_stack)
{
    struct stripe *s = stripe_of(addr);
    struct rt_lock *old, *l = new_lock(addr, kind, type, init_stack);
    rt_spin_lock(&s->lock);
    old = table_find(s, addr);
    if (old)
        unlink_locked(s, old);
    table_put(s, l);
    rt_spin_unlock(&s->lock);
    atomic_fetch_add(&live_locks, 1);
    page_add(addr, 1);
    if (old)
        recycle(old);
    return l;
}

void rt_lock_forget(struct rt_lock *l)
{
    struct stripe *s = stripe_of(l->addr);
    struct rt_lock *cur;
    rt_spin_lock(&s->lock);
    cur = table_find(s, l->addr);
    if (cur != l) {
        rt_spin_unlock(&s->lock);
        return;
    }
    unlink_locked(s, l);
    rt_spin_unlock(&s->lock);
    recycle(l);
}

static void forget_one(struct rt_lock *l, void *arg)
{
    (void)arg;
    rt_lock_forget(l);
}

void rt_lock_forget_range(uintptr_t lo, uintptr_t hi)
{
    rt_lock_each_in_range(lo, hi, forget_one, NULL);
}

void rt_lock_each_in_range(uintptr_t lo, uintptr_t hi, void (*fn)(struct rt_lock *, void *),
                           void *arg)
{
    if (atomic_load_explicit(&live_locks, memory_order_relaxed) == 0 || hi <= lo)
        return;
    for (uintptr_t page = lo >> PAGE_SHIFT; page <= (hi - 1) >> PAGE_SHIFT; page++) {
        struct page_count *p;
        rt_spin_lock(&pages_lock);
        HASH_FIND(hh, pages, &page, sizeof page, p);
        rt_spin_unlock(&pages_lock);
        if (!p)
            continue;
        /* locks are at least 4-byte aligned: probe each slot of the page
         * that lies inside the range */
        uintptr_t a = page << PAGE_SHIFT;
        uintptr_t end = a + ((uintptr_t)1 << PAGE_SHIFT);
        if (a < lo)
            a = (lo + 3) & ~(uintptr_t)3;
        if (end > hi)
            end = hi;
        for (; a < end; a += 4) {
            struct rt_lock *l = rt_lock_find(a);
            if (l)
                fn(l, arg);
        }
    }
}

void rt_lock_pin(struct rt_lock *l)
{
    l->pinned = true;
}

/* ---- gone locks --------------------------------------------------------------------- */

/* The gone locks of one page, in no order. Under gone_lock. */
struct gone_page {
    UT_hash_handle hh;
    uintptr_t page;
    unsigned n, cap;
    struct rt_gone_lock *e;
};
static rt_spin_t gone_lock = RT_SPIN_INIT;
static struct gone_page *gone_pages;
atomic_uint rt_gone_count;
_Atomic uint64_t rt_gone_filter[1024];

static struct gone_page *gone_page_of(uintptr_t page)
{
    struct gone_page *p;
    HASH_FIND(hh, gone_pages, &page, sizeof page, p);
    return p;
}

static struct rt_gone_lock *gone_entry(struct gone_page *p, uintptr_t addr)
{
    for (unsigned i = 0; p && i < p->n; i++)
        if (p->e[i].addr == addr)
            return &p->e[i];
    return NULL;
}

void rt_gone_set(const struct rt_gone_lock *g)
{
    uintptr_t page = g->addr >> PAGE_SHIFT;
    unsigned b = rt_gone_bit(page);
    struct gone_page *p;
    struct rt_gone_lock *e;

    rt_spin_lock(&gone_lock);
    p = gone_page_of(page);
    if (!p) {
        p = rt_alloc(sizeof *p);
        p->page = page;
        HASH_ADD(hh, gone_pages, page, sizeof p->page, p);
    }
    e = gone_entry(p, g->addr);
    if (!e) {
        if (p->n == p->cap) {
            unsigned ncap = p->cap ? p->cap * 2 : 4;
            p->e = rt_realloc(p->e, sizeof *p->e * p->cap, sizeof *p->e * ncap);
            p->cap = ncap;
        }
        e = &p->e[p->n++];
        atomic_fetch_add(&rt_gone_count, 1);
    }
    *e = *g;
    atomic_fetch_or(&rt_gone_filter[b / 64], (uint64_t)1 << (b % 64));
    rt_spin_unlock(&gone_lock);
}

bool rt_gone_find(uintptr_t addr, struct rt_gone_lock *out)
{
    struct rt_gone_lock *e;
    if (!rt_gone_maybe(addr, addr + 1))
        return false;
    rt_spin_lock(&gone_lock);
    e = gone_entry(gone_page_of(addr >> PAGE_SHIFT), addr);
    if (e)
        *out = *e;
    rt_spin_unlock(&gone_lock);
    return e != NULL;
}

void rt_gone_mark_used(uintptr_t addr)
{
    struct rt_gone_lock *e;
    rt_spin_lock(&gone_lock);
    e = gone_entry(gone_page_of(addr >> PAGE_SHIFT), addr);
    if (e)
        e->used = true;
    rt_spin_unlock(&gone_lock);
}

void rt_gone_freed(uintptr_t lo, uintptr_t hi, int thread, rt_stack_id stack)
{
    if (!rt_gone_maybe(lo, hi))
        return;
    rt_spin_lock(&gone_lock);
    for (uintptr_t page = lo >> PAGE_SHIFT; page <= (hi - 1) >> PAGE_SHIFT; page++) {
        struct gone_page *p = gone_page_of(page);
        for (unsigned i = 0; p && i < p->n; i++) {
            struct rt_gone_lock *e = &p->e[i];
            if (e->addr >= lo && e->addr < hi) {
                e->how = RT_GONE_FREED;
                e->thread = thread;
                e->stack = stack;
            }
        }
    }
    rt_spin_unlock(&gone_lock);
}

void rt_gone_forget(uintptr_t lo, uintptr_t hi)
{
    if (!rt_gone_maybe(lo, hi))
        return;
    for (uintptr_t page = lo >> PAGE_SHIFT; page <= (hi - 1) >> PAGE_SHIFT; page++) {
        unsigned b = rt_gone_bit(page), nused = 0;
        struct gone_page *p;
        if (!(atomic_load_explicit(&rt_gone_filter[b / 64], memory_order_relaxed) &
              ((uint64_t)1 << (b % 64))))
            continue;
        rt_spin_lock(&gone_lock);
        p = gone_page_of(page);
        for (unsigned i = 0; p && i < p->n; i++)
            nused += p->e[i].addr >= lo && p->e[i].addr < hi && p->e[i].used;
        uintptr_t used[nused + 1];
        nused = 0;
        for (unsigned i = 0; p && i < p->n;) {
            struct rt_gone_lock *e = &p->e[i];
            if (e->addr >= lo && e->addr < hi) {
                if (e->used)
                    used[nused++] = e->addr;
                *e = p->e[--p->n];
                atomic_fetch_sub(&rt_gone_count, 1);
                continue;
            }
            i++;
        }
        if (p && p->n == 0) {
            HASH_DEL(gone_pages, p);
            if (p->e)
                rt_free(p->e, sizeof *p->e * p->cap);
            rt_free(p, sizeof *p);
        }
        if (atomic_load(&rt_gone_count) == 0)
            for (unsigned i = 0; i < 1024; i++)
                atomic_store_explicit(&rt_gone_filter[i], 0, memory_order_relaxed);
        rt_spin_unlock(&gone_lock);
        /* the lock a reported use registered is no object: the new one
         * starts afresh (not under gone_lock: the registry has its own) */
        for (unsigned i = 0; i < nused; i++) {
            struct rt_lock *l = rt_lock_find(used[i]);
            if (l)
                rt_lock_forget(l);
        }
    }
}

void rt_locks_lock_all(void)
{
    for (int i = 0; i < NSTRIPES; i++)
        rt_spin_lock(&stripes[i].lock);
    rt_spin_lock(&free_lock);
    rt_spin_lock(&pages_lock);
    rt_spin_lock(&gone_lock);
}

void rt_locks_unlock_all(void)
{
    rt_spin_unlock(&gone_lock);
    rt_spin_unlock(&pages_lock);
    rt_spin_unlock(&free_lock);
    for (int i = NSTRIPES - 1; i >= 0; i--)
        rt_spin_unlock(&stripes[i].lock);
}
