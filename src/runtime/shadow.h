/*
 * shadow: the shadow memory of the race detector (docs/design.md "Shadow
 * memory"; FastTrack, Flanagan & Freund, PLDI 2009).
 *
 * Every 8-byte word of application memory has RT_SHADOW_CELLS cells, each
 * describing one earlier access to bytes of the word:
 *
 *   epoch   32 bits  the accessing thread slot's clock at the access
 *   slot    16 bits  the accessing thread's slot (happens_before.h)
 *   mask     8 bits  which bytes of the word were accessed (mixed sizes and
 *                    overlap are bit tests)
 *   flags    8 bits  write, atomic
 *
 * and, next to the cells, the call-tree node (call_tree.h) of each cell's
 * access: its full stack, for the report. A cell with mask 0 is empty. A
 * word's shadow is one 24-byte record, [cell 0][cell 1][node 0][node 1], so
 * the check touches one place in memory.
 *
 * Layout: a two-level table. The 47-bit user address space is cut into
 * 16 MiB regions; table[addr >> 24] points at the region's shadow, mapped
 * with MAP_NORESERVE the first time the region is touched, so only the pages
 * of shadow whose application memory was accessed cost memory. Looking up a
 * cell is one load from the table and an add. Cells are read and written
 * with plain 64-bit atomic moves and no lock: two threads updating the cells
 * of one word at once may lose one update, which can only hide a race,
 * never invent one. Any thread.
 */
#ifndef RT_SHADOW_H
#define RT_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#define RT_SHADOW_CELLS 2
#define RT_SHADOW_REGION_SHIFT 24
#define RT_SHADOW_ADDR_BITS 47

#define RT_CELL_WRITE 1u
#define RT_CELL_ATOMIC 2u
#define RT_CELL_BUSY 0x80u     /* being replaced: its node is not in place yet */

/* A cell packed in 64 bits: epoch | slot << 32 | mask << 48 | flags << 56. */
typedef uint64_t rt_cell;

static inline rt_cell rt_cell_make(uint32_t epoch, uint32_t slot, uint32_t mask, uint32_t flags)
{
    return (uint64_t)epoch | ((uint64_t)(slot & 0xffff) << 32) | ((uint64_t)(mask & 0xff) << 48) |
           ((uint64_t)(flags & 0xff) << 56);
}
static inline uint32_t rt_cell_epoch(rt_cell c) { return (uint32_t)c; }
static inline uint32_t rt_cell_slot(rt_cell c) { return (uint32_t)(c >> 32) & 0xffff; }
static inline uint32_t rt_cell_mask(rt_cell c) { return (uint32_t)(c >> 48) & 0xff; }
static inline uint32_t rt_cell_flags(rt_cell c) { return (uint32_t)(c >> 56); }

/* The region table (NULL entries: never touched). rt_shadow_init must have
 * run before rt_shadow_cells is used. */
extern uintptr_t *rt_shadow_table;

#define RT_SHADOW_WORDS_PER_REGION (1ul << (RT_SHADOW_REGION_SHIFT - 3))
/* One word's shadow: its cells, then their nodes. */
struct rt_shadow_word {
    rt_cell cell[RT_SHADOW_CELLS];
    uint32_t node[RT_SHADOW_CELLS];
};
#define RT_SHADOW_REGION_BYTES (RT_SHADOW_WORDS_PER_REGION * sizeof(struct rt_shadow_word))

uintptr_t rt_shadow_region_slow(uintptr_t addr);

/* The cells of the word containing addr, or NULL when addr is outside the
 * user address space. */
static inline rt_cell *rt_shadow_cells(uintptr_t addr)
{
    uintptr_t region;
    if (__builtin_expect(addr >> RT_SHADOW_ADDR_BITS, 0))
        return 0;
    region = rt_shadow_table[addr >> RT_SHADOW_REGION_SHIFT];
    if (__builtin_expect(region == 0, 0))
        region = rt_shadow_region_slow(addr);
    return ((struct rt_shadow_word *)region +
            ((addr & ((1ul << RT_SHADOW_REGION_SHIFT) - 1)) >> 3))->cell;
}

/* The nodes of the cells returned by rt_shadow_cells. */
static inline uint32_t *rt_shadow_nodes(rt_cell *cells)
{
    return (uint32_t *)(cells + RT_SHADOW_CELLS);
}

static inline rt_cell rt_cell_load(const rt_cell *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}
static inline void rt_cell_store(rt_cell *c, rt_cell v)
{
    __atomic_store_n(c, v, __ATOMIC_RELAXED);
}

/* Reserve the region table (idempotent). */
void rt_shadow_init(void);

/* Forget every access to [addr, addr + size): freed heap, unmapped memory,
 * a new thread's stack. Whole pages of shadow are given back to the OS. */
void rt_shadow_reset(uintptr_t addr, uintptr_t size);

/* fork: the table's lock. */
void rt_shadow_lock_all(void);
void rt_shadow_unlock_all(void);

/* Bytes of shadow mapped so far (statistics). */
uintptr_t rt_shadow_regions(void);

#endif
