/*
 * race_check: the FastTrack check of every memory access against the
 * shadow cells of the words it touches (docs/design.md "Race check").
 *
 * An access by thread slot s at epoch e to bytes `mask` of a word races
 * with a cell when their bytes overlap, the cell is another slot's, at
 * least one of the two is a write, not both are atomic, and the cell's
 * epoch is newer than what s knows of the cell's slot (cell.epoch >
 * vc_s[cell.slot]). Then a data_race finding is made (race_report.c). The
 * access is then stored in a cell: one that it makes redundant (same
 * thread, or ordered before it, with bytes inside the access's, and no
 * stronger: a read never replaces a write, an atomic access never replaces
 * a plain one), else an empty one, else a read is evicted (which can only
 * hide a race). An access covered by a cell of the same thread and epoch is
 * redundant and costs one compare: the fast path.
 *
 * Called on the accessing thread with its state h; never blocks except to
 * report (record lock). Accesses are not checked while h->busy.
 */
#ifndef RT_RACE_CHECK_H
#define RT_RACE_CHECK_H

#include "happens_before.h"
#include "shadow.h"

#include <stdbool.h>
#include <stdint.h>

void rt_race_init(void);

/* Slow paths (out of line). */
void rt_race_word(struct rt_hb_thread *h, rt_cell *cells, uintptr_t word, rt_cell cur,
                  uintptr_t pc);
void rt_race_access_split(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size,
                          unsigned flags, uintptr_t pc);

/* Does cell c make the access cur redundant? Same slot and epoch, bytes
 * inside c's, and c no weaker (a write covers a read; a plain access covers
 * an atomic one). Branch-free bit tests on the packed cells. */
static inline bool rt_cell_covers(rt_cell c, rt_cell cur)
{
    const uint64_t same = 0xffffffffffffull;                       /* epoch, slot */
    const uint64_t need = (0xffull << 48) | ((uint64_t)RT_CELL_WRITE << 56);
    const uint64_t atomic = (uint64_t)RT_CELL_ATOMIC << 56;
    return (((c ^ cur) & same) | (~c & cur & need) | (c & ~cur & atomic)) == 0;
}

/* The cell of an access by h now: its epoch and slot are adjacent in h, in
 * the cell's order, so they are one load. */
static inline rt_cell rt_cell_of(const struct rt_hb_thread *h, uint32_t mask, uint32_t flags)
{
    uint64_t base;
    _Static_assert(__builtin_offsetof(struct rt_hb_thread, slot) ==
                       __builtin_offsetof(struct rt_hb_thread, epoch) + 4,
                   "epoch, then slot");
    __builtin_memcpy(&base, &h->epoch, sizeof base);
    return base | ((uint64_t)mask << 48) | ((uint64_t)flags << 56);
}

/* One access of `size` (1..8) bytes at addr; flags RT_CELL_WRITE/ATOMIC. */
static inline __attribute__((always_inline)) void rt_race_access(struct rt_hb_thread *h,
                                                                 uintptr_t addr, unsigned size,
                                                                 unsigned flags, uintptr_t pc)
{
    unsigned off = (unsigned)(addr & 7);
    rt_cell *cells, cur;
    if (__builtin_expect(off + size > 8, 0)) {
        rt_race_access_split(h, addr, size, flags, pc);
        return;
    }
    cells = rt_shadow_cells(addr);
    if (__builtin_expect(cells == 0, 0))
        return;
    cur = rt_cell_of(h, ((1u << size) - 1) << off, flags);
    if (rt_cell_covers(rt_cell_load(&cells[0]), cur) || rt_cell_covers(rt_cell_load(&cells[1]), cur))
        return;
    rt_race_word(h, cells, addr & ~(uintptr_t)7, cur, pc);
}

/* Any number of bytes (memcpy, read_range, 16-byte accesses). */
static inline void rt_race_range(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size,
                                 unsigned flags, uintptr_t pc)
{
    if (size == 0)
        return;
    rt_race_access_split(h, addr, size, flags, pc);
}

/* Report data: how many races were reported (tests). */
unsigned rt_race_count(void);

/* Turn reporting off/on (tests that only look at the count). */
extern bool rt_race_report_enabled;

/* fork: the report's dedup table lock. */
void rt_race_lock_all(void);
void rt_race_unlock_all(void);

/* What race_report.c needs from the check. */
void rt_race_report(struct rt_hb_thread *h, uintptr_t word, rt_cell cur, uintptr_t pc,
                    rt_cell prev, rt_ct_node prev_node);

#endif
