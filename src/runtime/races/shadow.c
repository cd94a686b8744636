/* shadow: see shadow.h. */
#include "shadow.h"
#include "core/core.h"
#include "race_check.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REGION_BYTES RT_SHADOW_REGION_BYTES
#define REGION_MASK ((1ul << RT_SHADOW_REGION_SHIFT) - 1)
#define PAGE 4096ul

/* Shared, so that the first read of a shadow page makes it writable at
 * once (see shadow.h); NORESERVE: only touched pages count. */
#define SHADOW_MAP (MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE)

/* In the library's bss: 64 MiB of address space, of which only the pages
 * holding entries of touched regions cost memory. */
uintptr_t rt_shadow_table[RT_SHADOW_NREGIONS];
static rt_spin_t made_lock = RT_SPIN_INIT;
static atomic_ulong nregions;
/* The regions made, for the fork child (under made_lock). */
static uintptr_t *made;
static size_t nmade, capmade;

uintptr_t rt_shadow_region_slow(uintptr_t addr)
{
    uintptr_t *slot, region, expected = 0;
    void *p;
    slot = &rt_shadow_table[addr >> RT_SHADOW_REGION_SHIFT];
    region = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (region)
        return region;
    p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, SHADOW_MAP, -1, 0);
    if (p == MAP_FAILED) {
        rt_race_out_of_memory("no address space for more shadow memory");
        return 0;
    }
    if (!__atomic_compare_exchange_n(slot, &expected, (uintptr_t)p, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        munmap(p, REGION_BYTES);
        return expected;
    }
    atomic_fetch_add(&nregions, 1);
    rt_spin_lock(&made_lock);
    if (nmade == capmade) {
        size_t ncap = capmade ? capmade * 2 : 64;
        made = rt_realloc(made, sizeof *made * capmade, sizeof *made * ncap);
        capmade = ncap;
    }
    made[nmade++] = addr >> RT_SHADOW_REGION_SHIFT;
    rt_spin_unlock(&made_lock);
    return (uintptr_t)p;
}

/* Empty the cells of word w of a region (the second only when the first
 * says it is in use: an untouched second plane stays untouched). */
static void clear_word(uintptr_t region, uintptr_t w)
{
    rt_cell *cell0 = (rt_cell *)region + w, c = rt_cell_load(cell0);
    if (c == 0)
        return;
    if (c & RT_CELL_MORE)
        rt_cell_store(rt_shadow_second(cell0, w << 3), 0);
    rt_cell_store(cell0, 0);
}

/* Bytes [lo, hi) of shadow: the whole pages go back to the OS (they read
 * as zero again; shared memory needs MADV_REMOVE for that), the parts of
 * pages at the ends are zeroed when `zero_ends` (a first-plane node says
 * nothing once its cell is empty, so those need not be). */
static void give_back(uintptr_t lo, uintptr_t hi, bool zero_ends)
{
    uintptr_t plo = (lo + PAGE - 1) & ~(PAGE - 1), phi = hi & ~(PAGE - 1);
    if (phi <= plo) {
        if (zero_ends)
            memset((void *)lo, 0, hi - lo);
        return;
    }
    if (zero_ends) {
        memset((void *)lo, 0, plo - lo);
        memset((void *)phi, 0, hi - phi);
    }
    madvise((void *)plo, phi - plo, MADV_REMOVE);
}

/* Words [w0, w1) of one region: a few one by one; many (16 pages of cells
 * or more) with their pages given back: first cells, first nodes, and the
 * second plane's pairs (edge words of a pair half in the range are
 * cleared on their own). */
static void clear_words(uintptr_t region, uintptr_t w0, uintptr_t w1)
{
    uintptr_t nodes = region + RT_SHADOW_CELLS_BYTES, pairs = region + RT_SHADOW_PLANE_BYTES;
    if ((w1 - w0) * sizeof(rt_cell) < 16 * PAGE) {
        for (uintptr_t w = w0; w < w1; w++)
            clear_word(region, w);
        return;
    }
    if (w0 & 1)
        clear_word(region, w0++);
    if (w1 & 1)
        clear_word(region, --w1);
    give_back(region + w0 * sizeof(rt_cell), region + w1 * sizeof(rt_cell), true);
    give_back(nodes + w0 * sizeof(uint32_t), nodes + w1 * sizeof(uint32_t), false);
    give_back(pairs + w0 / 2 * sizeof(struct rt_shadow_pair),
              pairs + w1 / 2 * sizeof(struct rt_shadow_pair), true);
}

void rt_shadow_reset(uintptr_t addr, uintptr_t size)
{
    uintptr_t end = addr + size, a;
    if (size == 0)
        return;
    if (end > (1ul << RT_SHADOW_ADDR_BITS) || end < addr)
        end = 1ul << RT_SHADOW_ADDR_BITS;
    addr &= ~7ul;
    for (a = addr; a < end;) {
        uintptr_t region_end = (a | REGION_MASK) + 1;
        uintptr_t stop = end < region_end ? end : region_end;
        uintptr_t region = __atomic_load_n(&rt_shadow_table[a >> RT_SHADOW_REGION_SHIFT],
                                           __ATOMIC_ACQUIRE);
        if (region)
            clear_words(region, (a & REGION_MASK) >> 3, (((stop - 1) & REGION_MASK) >> 3) + 1);
        a = stop;
    }
}

uintptr_t rt_shadow_regions(void)
{
    return atomic_load(&nregions);
}

void rt_shadow_lock_all(void)
{
    rt_spin_lock(&made_lock);
}

void rt_shadow_unlock_all(void)
{
    rt_spin_unlock(&made_lock);
}

void rt_shadow_after_fork_child(void)
{
    for (size_t k = 0; k < nmade; k++) {
        uintptr_t i = made[k], region = rt_shadow_table[i];
        /* a fresh mapping in place of the one shared with the parent;
         * if that fails, forget the region (it is made again on demand) */
        if (region && mmap((void *)region, REGION_BYTES, PROT_READ | PROT_WRITE,
                           SHADOW_MAP | MAP_FIXED, -1, 0) == MAP_FAILED) {
            munmap((void *)region, REGION_BYTES);
            rt_shadow_table[i] = 0;
        }
    }
}
