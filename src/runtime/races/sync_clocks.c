/* sync_clocks: see sync_clocks.h. */
#include "sync_clocks.h"
#include "core/core.h"

#define NBUCKETS (1u << 16)
#define NSTRIPES 256u

static struct rt_sync_clock *_Atomic buckets[NBUCKETS];
static rt_spin_t stripes[NSTRIPES];

static unsigned bucket_of(uintptr_t addr)
{
    return (unsigned)(rt_mix64(addr) & (NBUCKETS - 1));
}

struct rt_sync_clock *rt_sync_clock_get(uintptr_t addr, bool create)
{
    unsigned b = bucket_of(addr);
    struct rt_sync_clock *s;
    /* lock-free walk: entries are only ever pushed at the head */
    for (s = atomic_load_explicit(&buckets[b], memory_order_acquire); s; s = s->next)
        if (s->addr == addr)
            return s;
    if (!create)
        return NULL;
    rt_spin_lock(&stripes[b % NSTRIPES]);
    for (s = atomic_load_explicit(&buckets[b], memory_order_relaxed); s; s = s->next)
        if (s->addr == addr)
            break;
    if (!s) {
        s = rt_alloc(sizeof *s);
        s->addr = addr;
        s->next = atomic_load_explicit(&buckets[b], memory_order_relaxed);
        atomic_store_explicit(&buckets[b], s, memory_order_release);
    }
    rt_spin_unlock(&stripes[b % NSTRIPES]);
    return s;
}

void rt_sync_clocks_lock_all(void)
{
    for (unsigned i = 0; i < NSTRIPES; i++)
        rt_spin_lock(&stripes[i]);
}

void rt_sync_clocks_unlock_all(void)
{
    for (unsigned i = NSTRIPES; i-- > 0;)
        rt_spin_unlock(&stripes[i]);
}

void rt_sync_clocks_after_fork_child(void)
{
    for (unsigned b = 0; b < NBUCKETS; b++)
        for (struct rt_sync_clock *s = atomic_load_explicit(&buckets[b], memory_order_relaxed); s;
             s = s->next)
            atomic_store_explicit(&s->lock.v, 0, memory_order_relaxed);
}
