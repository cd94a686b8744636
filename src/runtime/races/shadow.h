/*
 * shadow: the shadow memory of the race detector (docs/design.md "Shadow
 * memory"; FastTrack, Flanagan & Freund, PLDI 2009).
 *
 * Every 8-byte word of application memory has a cell describing earlier
 * accesses to its bytes, all by one thread in one epoch:
 *
 *   epoch   32 bits  the accessing thread slot's clock at the access
 *   slot    13 bits  the accessing thread's slot (happens_before.h)
 *   atomic   1 bit   atomic accesses
 *   more     1 bit   the word has a second cell (cell 0 only)
 *   busy     1 bit   being replaced: its node is not in place yet
 *   acc      8 bits  which bytes were accessed (mixed sizes, overlap)
 *   wr       8 bits  which of them were written
 *
 * and next to it the call-tree node (call_tree.h) of the access: its full
 * stack, for the report. One thread's accesses in one epoch share a cell;
 * when they come from different lines, the node is a composite that says
 * which bytes each line accessed (rt_ct_compose). A cell with acc 0 is
 * empty.
 *
 * A word gets a second cell only when it needs one (two threads' unordered
 * accesses, an atomic and a plain access in one epoch, a thread's accesses
 * to different bytes in different epochs): the `more` bit of the first
 * says it is there. Shadow costs 12 bytes per 8 bytes of memory until then
 * (8 for the cells of memory whose accesses are only ever checked).
 *
 * Layout: a two-level table. The 47-bit user address space is cut into
 * 16 MiB regions; table[addr >> 24] points at the region's shadow, mapped
 * the first time the region is touched. A region's shadow is two planes
 * (first cells, second cells). The first is the cells of the region's
 * words in order (8 bytes each), then their nodes (4 bytes each). So the
 * cell of an address is at a mask and an add from the region's start, and
 * the check of an access that is covered reads no more shadow than the
 * memory's own size (nodes are only read and written on the slow path).
 * The second, rarely used and then scattered, keeps a cell and its node
 * together: 24-byte pairs [cell 2k][cell 2k+1][node 2k][node 2k+1].
 * The mapping is shared anonymous memory: a page
 * read for the first time is made at once, not mapped to the zero page and
 * copied (with a TLB shootdown) at the first write. Only the pages whose
 * application memory was accessed cost memory. Cells are read and written
 * with plain 64-bit atomic moves and no lock: two threads updating the
 * cells of one word at once may lose one update, which can only hide a
 * race, never invent one. Any thread.
 */
#ifndef RT_SHADOW_H
#define RT_SHADOW_H

#include "linked_abi.h"

#include <stdbool.h>
#include <stdint.h>

#define RT_SHADOW_REGION_SHIFT 24
#define RT_SHADOW_ADDR_BITS 47

/* Flags of a cell, in place (bits 45..47). */
#define RT_CELL_ATOMIC (1ull << 45)
#define RT_CELL_MORE (1ull << 46)
#define RT_CELL_BUSY (1ull << 47)
#define RT_CELL_SLOT_BITS 13
#define RT_CELL_SLOTS (1u << RT_CELL_SLOT_BITS)
#define RT_CELL_ACC_SHIFT 48
#define RT_CELL_WR_SHIFT 56
#define RT_CELL_BYTES (0xffffull << RT_CELL_ACC_SHIFT)   /* acc and wr */
#define RT_CELL_WHO 0x1fffffffffffull                   /* epoch and slot */
_Static_assert((RT_CELL_WHO | RT_CELL_ATOMIC) == 0x3fffffffffffull, "who, then atomic");

/* Access kinds for rt_cell_make and the race check. */
#define RT_ACCESS_WRITE 1u
#define RT_ACCESS_ATOMIC 2u

typedef uint64_t rt_cell;

/* An access by slot at epoch to bytes `mask` of a word. */
static inline rt_cell rt_cell_make(uint32_t epoch, uint32_t slot, uint32_t mask, unsigned kind)
{
    rt_cell c = (uint64_t)epoch | ((uint64_t)(slot & (RT_CELL_SLOTS - 1)) << 32) |
                ((uint64_t)(mask & 0xff) << RT_CELL_ACC_SHIFT);
    if (kind & RT_ACCESS_WRITE)
        c |= (uint64_t)(mask & 0xff) << RT_CELL_WR_SHIFT;
    if (kind & RT_ACCESS_ATOMIC)
        c |= RT_CELL_ATOMIC;
    return c;
}
static inline uint32_t rt_cell_epoch(rt_cell c) { return (uint32_t)c; }
static inline uint32_t rt_cell_slot(rt_cell c) { return (uint32_t)(c >> 32) & (RT_CELL_SLOTS - 1); }
static inline uint32_t rt_cell_acc(rt_cell c) { return (uint32_t)(c >> RT_CELL_ACC_SHIFT) & 0xff; }
static inline uint32_t rt_cell_wr(rt_cell c) { return (uint32_t)(c >> RT_CELL_WR_SHIFT); }
static inline bool rt_cell_atomic(rt_cell c) { return (c & RT_CELL_ATOMIC) != 0; }
static inline bool rt_cell_empty(rt_cell c) { return rt_cell_acc(c) == 0; }

/* The region table (0 entries: never touched). Exported
 * (linked_abi.h) for the fast path linked into programs. */
#define RT_SHADOW_NREGIONS (1ul << (RT_SHADOW_ADDR_BITS - RT_SHADOW_REGION_SHIFT))
extern uintptr_t rt_shadow_table[RT_SHADOW_NREGIONS] __asm__(RT_LINKED_NAME("shadow_table"))
    __attribute__((visibility("default")));

#define RT_SHADOW_REGION_MASK ((1ul << RT_SHADOW_REGION_SHIFT) - 1)
#define RT_SHADOW_WORDS_PER_REGION (1ul << (RT_SHADOW_REGION_SHIFT - 3))
#define RT_SHADOW_CELLS_BYTES (RT_SHADOW_WORDS_PER_REGION * sizeof(rt_cell))
/* the first plane: cells, then nodes; the second: pairs (below) */
#define RT_SHADOW_PLANE_BYTES (RT_SHADOW_CELLS_BYTES + RT_SHADOW_WORDS_PER_REGION * sizeof(uint32_t))
#define RT_SHADOW_REGION_BYTES (2 * RT_SHADOW_PLANE_BYTES)

uintptr_t rt_shadow_region_slow(uintptr_t addr);

/* The region of addr when it exists already, else 0: the common case,
 * with no call that would need a stack frame. */
static inline uintptr_t rt_shadow_region_mapped(uintptr_t addr)
{
    if (__builtin_expect(addr >> RT_SHADOW_ADDR_BITS, 0))
        return 0;
    return rt_shadow_table[addr >> RT_SHADOW_REGION_SHIFT];
}

/* The first cell of addr's word, in its region. */
static inline rt_cell *rt_shadow_cell_in(uintptr_t region, uintptr_t addr)
{
    return (rt_cell *)(region + (addr & RT_SHADOW_REGION_MASK & ~(uintptr_t)7));
}

/* The first cell of addr's word (its region made if new), or NULL when
 * addr is outside the user address space or no shadow can be had. */
static inline rt_cell *rt_shadow_cell(uintptr_t addr)
{
    uintptr_t region = rt_shadow_region_mapped(addr);
    if (__builtin_expect(region == 0, 0)) {
        if (addr >> RT_SHADOW_ADDR_BITS)
            return 0;
        region = rt_shadow_region_slow(addr);
        if (region == 0)
            return 0; /* no memory for it: race detection is off */
    }
    return rt_shadow_cell_in(region, addr);
}

/* addr's word's offset in its region, in bytes of the region's memory
 * (and of its first cells): the first cell cell0 of addr's word is that
 * far from the region's shadow. */
static inline uintptr_t rt_shadow_offset(uintptr_t addr)
{
    return addr & RT_SHADOW_REGION_MASK & ~(uintptr_t)7;
}

/* The node of the first cell cell0 of addr's word: the region's nodes
 * follow its cells. */
static inline uint32_t *rt_shadow_node_of(rt_cell *cell0, uintptr_t addr)
{
    return (uint32_t *)((char *)cell0 + RT_SHADOW_CELLS_BYTES - rt_shadow_offset(addr) / 2);
}

/* The second plane: pairs of words' second cells and nodes, so that a
 * word that needs a second cell (rare, scattered) costs one page there,
 * not one for its cell and another for its node. */
struct rt_shadow_pair {
    rt_cell cell[2];
    uint32_t node[2];
};

/* The second plane's pair of addr's word, whose first cell is cell0. */
static inline struct rt_shadow_pair *rt_shadow_pair_of(rt_cell *cell0, uintptr_t addr)
{
    uintptr_t offset = rt_shadow_offset(addr);
    return (struct rt_shadow_pair *)((char *)cell0 - offset + RT_SHADOW_PLANE_BYTES) + (offset >> 4);
}

/* The second cell of addr's word, whose first cell is cell0. */
static inline rt_cell *rt_shadow_second(rt_cell *cell0, uintptr_t addr)
{
    return &rt_shadow_pair_of(cell0, addr)->cell[(addr >> 3) & 1];
}

/* A word's cells and nodes: [0] in the first plane, [1] in the second. */
struct rt_shadow_ref {
    rt_cell *cell[2];
    uint32_t *node[2];
};

/* [0] of r (the common case needs no more), then [1]. */
static inline void rt_shadow_ref_first(rt_cell *cell0, uintptr_t addr, struct rt_shadow_ref *r)
{
    r->cell[0] = cell0;
    r->node[0] = rt_shadow_node_of(cell0, addr);
}

static inline void rt_shadow_ref_second(rt_cell *cell0, uintptr_t addr, struct rt_shadow_ref *r)
{
    struct rt_shadow_pair *p = rt_shadow_pair_of(cell0, addr);
    unsigned odd = (unsigned)(addr >> 3) & 1;
    r->cell[1] = &p->cell[odd];
    r->node[1] = &p->node[odd];
}

static inline rt_cell rt_cell_load(const rt_cell *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}
static inline void rt_cell_store(rt_cell *c, rt_cell v)
{
    __atomic_store_n(c, v, __ATOMIC_RELAXED);
}

/* Forget every access to [addr, addr + size): freed heap, unmapped memory,
 * a new thread's stack. Whole pages of shadow are given back to the OS. */
void rt_shadow_reset(uintptr_t addr, uintptr_t size);

/* fork: the table's lock; the child starts with empty shadow (its only
 * thread is ordered after everything the parent's threads did, so no
 * earlier access can race with it) and a shadow of its own. */
void rt_shadow_lock_all(void);
void rt_shadow_unlock_all(void);
void rt_shadow_after_fork_child(void);

/* Regions of shadow mapped so far (statistics). */
uintptr_t rt_shadow_regions(void);

#endif
