/* shadow: see shadow.h. */
#include "shadow.h"
#include "rt_alloc.h"
#include "rt_spin.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NREGIONS (1ul << (RT_SHADOW_ADDR_BITS - RT_SHADOW_REGION_SHIFT))
#define REGION_BYTES RT_SHADOW_REGION_BYTES

/* NULL until rt_shadow_init (called when the engine is enabled, before
 * any access is checked). */
uintptr_t *rt_shadow_table;
static rt_spin_t init_lock = RT_SPIN_INIT;
static atomic_ulong nregions;

void rt_shadow_init(void)
{
    void *p;
    if (rt_shadow_table != NULL)
        return;
    rt_spin_lock(&init_lock);
    if (rt_shadow_table == NULL) {
        p = mmap(NULL, NREGIONS * sizeof(uintptr_t), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            rt_fatal("cannot reserve the shadow table");
        __atomic_store_n(&rt_shadow_table, (uintptr_t *)p, __ATOMIC_RELEASE);
    }
    rt_spin_unlock(&init_lock);
}

uintptr_t rt_shadow_region_slow(uintptr_t addr)
{
    uintptr_t *slot, region, expected = 0;
    void *p;
    if (rt_shadow_table == NULL)
        rt_shadow_init();
    slot = &rt_shadow_table[addr >> RT_SHADOW_REGION_SHIFT];
    region = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (region)
        return region;
    p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        rt_fatal("out of memory (shadow)");
    if (!__atomic_compare_exchange_n(slot, &expected, (uintptr_t)p, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        munmap(p, REGION_BYTES);
        return expected;
    }
    atomic_fetch_add(&nregions, 1);
    return (uintptr_t)p;
}

static void clear(struct rt_shadow_word *p, size_t nwords)
{
    uintptr_t lo = (uintptr_t)p, hi = lo + nwords * sizeof *p;
    uintptr_t plo = (lo + 4095) & ~4095ul, phi = hi & ~4095ul;
    if (phi > plo && phi - plo >= 16 * 4096) {
        /* whole pages back to the OS: they read as zero (empty) again */
        memset(p, 0, plo - lo);
        madvise((void *)plo, phi - plo, MADV_DONTNEED);
        memset((void *)phi, 0, hi - phi);
    } else {
        /* only cells that hold something: writing zeros to untouched
         * shadow would make the OS commit pages that read as zero anyway */
        for (struct rt_shadow_word *e = p + nwords; p < e; p++)
            for (int i = 0; i < RT_SHADOW_CELLS; i++)
                if (rt_cell_load(&p->cell[i]))
                    rt_cell_store(&p->cell[i], 0);
    }
}

void rt_shadow_reset(uintptr_t addr, uintptr_t size)
{
    uintptr_t end = addr + size, a;
    if (size == 0 || rt_shadow_table == NULL)
        return;
    if (end > (1ul << RT_SHADOW_ADDR_BITS) || end < addr)
        end = 1ul << RT_SHADOW_ADDR_BITS;
    addr &= ~7ul;
    for (a = addr; a < end;) {
        uintptr_t region_end = (a | ((1ul << RT_SHADOW_REGION_SHIFT) - 1)) + 1;
        uintptr_t stop = end < region_end ? end : region_end;
        uintptr_t region = __atomic_load_n(&rt_shadow_table[a >> RT_SHADOW_REGION_SHIFT],
                                           __ATOMIC_ACQUIRE);
        if (region) {
            uintptr_t w0 = (a & ((1ul << RT_SHADOW_REGION_SHIFT) - 1)) >> 3;
            uintptr_t w1 = (((stop - 1) & ((1ul << RT_SHADOW_REGION_SHIFT) - 1)) >> 3) + 1;
            clear((struct rt_shadow_word *)region + w0, w1 - w0);
        }
        a = stop;
    }
}

uintptr_t rt_shadow_regions(void)
{
    return atomic_load(&nregions);
}

void rt_shadow_lock_all(void)
{
    rt_spin_lock(&init_lock);
}

void rt_shadow_unlock_all(void)
{
    rt_spin_unlock(&init_lock);
}
