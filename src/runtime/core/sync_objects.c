/* sync_objects: see sync_objects.h. */
#include "sync_objects.h"
#include "rt_spin.h"

#define NSTRIPES 64
/* Locks inside one page, for forgetting the locks in freed memory quickly. */
#define PAGE_SHIFT 12

struct stripe {
    rt_spin_t lock;
    struct rt_lock *table;
    char pad[64 - sizeof(rt_spin_t) - sizeof(void *)];
};

static struct stripe stripes[NSTRIPES];
static atomic_uint_fast64_t next_id = 1;
static rt_spin_t free_lock = RT_SPIN_INIT;
static struct rt_lock *free_list;
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
    rt_spin_lock(&free_lock);
    l = free_list;
    if (l)
        free_list = l->free_next;
    rt_spin_unlock(&free_lock);
    if (!l)
        l = rt_alloc(sizeof *l);
    /* a recycled struct may still be read through stale caches: publish the
     * new identity before it can be found */
    l->addr = addr;
    l->kind = (uint8_t)kind;
    l->type = (uint8_t)type;
    l->pinned = false;
    l->written_epoch = 0;
    l->init_stack = init_stack;
    atomic_store(&l->owner, 0);
    l->depth = 0;
    atomic_store(&l->readers, 0);
    l->acq_stack = RT_NO_STACK;
    atomic_store(&l->waiters, 0);
    l->serial++;
    l->id = atomic_fetch_add(&next_id, 1);
    atomic_store(&l->live, true);
    return l;
}

struct rt_lock *rt_lock_find(uintptr_t addr)
{
    struct stripe *s = stripe_of(addr);
    struct rt_lock *l;
    rt_spin_lock(&s->lock);
    HASH_FIND(hh, s->table, &addr, sizeof addr, l);
    rt_spin_unlock(&s->lock);
    return l;
}

struct rt_lock *rt_lock_get(uintptr_t addr, int kind, int type)
{
    struct stripe *s = stripe_of(addr);
    struct rt_lock *l;
    rt_spin_lock(&s->lock);
    HASH_FIND(hh, s->table, &addr, sizeof addr, l);
    if (!l) {
        l = new_lock(addr, kind, type, RT_NO_STACK);
        HASH_ADD(hh, s->table, addr, sizeof l->addr, l);
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
    HASH_DEL(s->table, l);
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
    HASH_FIND(hh, s->table, &addr, sizeof addr, old);
    if (old)
        unlink_locked(s, old);
    HASH_ADD(hh, s->table, addr, sizeof l->addr, l);
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
    HASH_FIND(hh, s->table, &l->addr, sizeof l->addr, cur);
    if (cur != l) {
        rt_spin_unlock(&s->lock);
        return;
    }
    unlink_locked(s, l);
    rt_spin_unlock(&s->lock);
    recycle(l);
}

void rt_lock_forget_range(uintptr_t lo, uintptr_t hi)
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
                rt_lock_forget(l);
        }
    }
}

void rt_lock_pin(struct rt_lock *l)
{
    l->pinned = true;
}

void rt_locks_lock_all(void)
{
    for (int i = 0; i < NSTRIPES; i++)
        rt_spin_lock(&stripes[i].lock);
    rt_spin_lock(&free_lock);
    rt_spin_lock(&pages_lock);
}

void rt_locks_unlock_all(void)
{
    rt_spin_unlock(&pages_lock);
    rt_spin_unlock(&free_lock);
    for (int i = NSTRIPES - 1; i >= 0; i--)
        rt_spin_unlock(&stripes[i].lock);
}
