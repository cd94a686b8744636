/*
 * race_check: the FastTrack check of every memory access against the
 * shadow cells of the words it touches (docs/design.md "Race check").
 *
 * An access by thread slot s at epoch e to bytes of a word races with a
 * cell when the cell is another slot's, their bytes conflict (one of them
 * wrote a byte the other accessed), not both are atomic, and the cell's
 * epoch is newer than what s knows of the cell's slot (cell.epoch >
 * vc_s[cell.slot]). Then a data_race finding is made (race_report.c).
 *
 * The access is then stored. Into a cell of the same thread and epoch (and
 * atomicity) if there is one: its bytes are added, and its node becomes a
 * composite when the lines differ (call_tree.h). Else in place of a cell it
 * makes redundant (ordered before it, bytes inside its own, no stronger);
 * else an empty cell; else in place of a cell ordered before it that
 * overlaps its bytes (that cell's other bytes are forgotten: this keeps a
 * thread sweeping an array to one cell per word, and can only hide a race,
 * never invent one); else a second cell; else the cheapest to forget is
 * evicted (again only hiding). An access covered by a cell of the same
 * thread and epoch costs one compare: the fast path.
 *
 * Called on the accessing thread with its state h; never blocks except to
 * report (record lock). Accesses are not checked while h->busy.
 */
#ifndef RT_RACE_CHECK_H
#define RT_RACE_CHECK_H

#include "happens_before.h"
#include "shadow.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void rt_race_init(void);

/* Slow paths (out of line). rt_race_word returns at once when the word's
 * second cell covers the access, and drops accesses the thread ignores
 * (the fast path, rt_race_fast, tests neither); it is also
 * exported (linked_abi.h) for the fast path linked into programs
 * (src/runtime/races/linked/). */
void rt_race_word(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                  uintptr_t pc);
void rt_race_access_split(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size,
                          unsigned kind, uintptr_t pc);
/* An access to two adjacent words of one region (cell0: the first's first
 * cell) that the fast path found not covered: cur0 for the first word's
 * bytes, cur1 for the second's; each not covered goes to rt_race_word.
 * Exported (linked_abi.h) for the fast path linked into programs. */
void rt_race_word2(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur0,
                   rt_cell cur1, uintptr_t pc);

/* Does cell c make the access cur (of `kind`) redundant? Same slot and
 * epoch, cur's accessed and written bytes among c's, and c no weaker (a
 * plain access covers an atomic one, not the reverse). Branch-free bit
 * tests on the packed cells; c's more and busy bits do not matter. For a
 * plain access (kind is a constant at every call) one mask does: c must
 * not be atomic, and cur has no bits but who and bytes. */
static inline bool rt_cell_covers(rt_cell c, rt_cell cur, unsigned kind)
{
    if (!(kind & RT_ACCESS_ATOMIC))
        return (((c ^ cur) & (RT_CELL_WHO | RT_CELL_ATOMIC)) | (cur & ~c)) == 0;
    return (((c ^ cur) & RT_CELL_WHO) | (cur & ~c & RT_CELL_BYTES) | (c & ~cur & RT_CELL_ATOMIC)) ==
           0;
}

/* The cell of an access by h now to bytes `mask` of a word (kind:
 * RT_ACCESS_WRITE, RT_ACCESS_ATOMIC): its epoch and slot are adjacent in h,
 * in the cell's order, so they are one load. */
static inline rt_cell rt_cell_of(const struct rt_hb_thread *h, uint32_t mask, unsigned kind)
{
    uint64_t base, m = mask;
    _Static_assert(__builtin_offsetof(struct rt_hb_thread, slot) ==
                       __builtin_offsetof(struct rt_hb_thread, epoch) + 4,
                   "epoch, then slot");
    __builtin_memcpy(&base, &h->epoch, sizeof base);
    return base | (m << RT_CELL_ACC_SHIFT) |
           ((kind & RT_ACCESS_WRITE) ? m << RT_CELL_WR_SHIFT : 0) |
           ((kind & RT_ACCESS_ATOMIC) ? RT_CELL_ATOMIC : 0);
}

/* Is the access cur (of `kind`) already in the cells of addr's word
 * (cell0: its first)? */
static inline bool rt_race_covered(rt_cell *cell0, uintptr_t addr, rt_cell cur, unsigned kind)
{
    rt_cell c0 = rt_cell_load(cell0);
    if (rt_cell_covers(c0, cur, kind))
        return true;
    return (c0 & RT_CELL_MORE) &&
           rt_cell_covers(rt_cell_load(rt_shadow_second(cell0, addr)), cur, kind);
}

/* One access of `size` (1..8) bytes at addr; kind RT_ACCESS_WRITE/ATOMIC. */
static inline __attribute__((always_inline)) void rt_race_access(struct rt_hb_thread *h,
                                                                 uintptr_t addr, unsigned size,
                                                                 unsigned kind, uintptr_t pc)
{
    unsigned off = (unsigned)(addr & 7);
    rt_cell *cell0, cur;
    if (__builtin_expect(off + size > 8, 0)) {
        rt_race_access_split(h, addr, size, kind, pc);
        return;
    }
    cell0 = rt_shadow_cell(addr);
    if (__builtin_expect(cell0 == 0, 0))
        return;
    cur = rt_cell_of(h, ((1u << size) - 1) << off, kind);
    if (rt_race_covered(cell0, addr, cur, kind))
        return;
    rt_race_word(h, cell0, addr & ~(uintptr_t)7, cur, pc);
}

/* The ways out of rt_race_fast: the whole check of one access (thread
 * state made if missing, ignored accesses dropped, accesses across words
 * split, shadow made), and rt_race_word. */
typedef void rt_race_whole_fn(uintptr_t addr, unsigned size, unsigned kind, uintptr_t pc);
typedef void rt_race_word_fn(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                             uintptr_t pc);
typedef void rt_race_word2_fn(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word,
                              rt_cell cur0, rt_cell cur1, uintptr_t pc);

/* The byte bits of a plain access, as in a cell, by [write][log2 of its
 * size][offset in its word]: one load in the fast path instead of shifts.
 * An access that would cross its word (only a misaligned pointer passed
 * as aligned, undefined behaviour) keeps the bytes inside it. */
#define RT_BYTES_(m) ((uint64_t)((m) & 0xff) << RT_CELL_ACC_SHIFT)
#define RT_BYTES_W_(m) (RT_BYTES_(m) | (uint64_t)((m) & 0xff) << RT_CELL_WR_SHIFT)
#define RT_BYTES_ROW_(f, n)                                                                  \
    { f(n), f(n << 1), f(n << 2), f(n << 3), f(n << 4), f(n << 5), f(n << 6), f(n << 7) }
#define RT_BYTES_SIZES_(f)                                                                   \
    { RT_BYTES_ROW_(f, 0x1u), RT_BYTES_ROW_(f, 0x3u), RT_BYTES_ROW_(f, 0xfu), RT_BYTES_ROW_(f, 0xffu) }
static const uint64_t rt_access_bytes[2][4][8] = {RT_BYTES_SIZES_(RT_BYTES_),
                                                  RT_BYTES_SIZES_(RT_BYTES_W_)};

/* The check of a compiler-instrumented access of `size` bytes at addr by h
 * (the calling thread's state, maybe NULL), run billions of times.
 * `aligned`: the compiler promises natural alignment (so a plain access of
 * up to 8 bytes stays in its word). The common case: an access inside one
 * word whose shadow exists, already covered by a cell of this thread and
 * epoch. Every other way out is a tail call (whole, word and word2 are
 * constants at each call), so that it needs no stack frame; a second cell
 * and ignored accesses (both rare) are looked at by rt_race_word, not
 * here. An access across two words of one region (unaligned reads of
 * byte streams, 16-byte accesses) is checked against both first cells
 * here too (rt_race_fast2); three words, or two regions, go to whole.
 * Addresses from 2^47 up (no user access reaches them without a fault)
 * index the region table modulo its size rather than cost a test. */
static inline __attribute__((always_inline)) void rt_race_fast2(struct rt_hb_thread *h,
                                                              uintptr_t addr, unsigned size,
                                                              unsigned kind, uintptr_t region,
                                                              uintptr_t pc,
                                                              rt_race_whole_fn *whole,
                                                              rt_race_word2_fn *word2)
{
    unsigned off = (unsigned)(addr & 7);
    uint32_t m = ((1u << size) - 1) << off;   /* off + size <= 16: the bytes of both words */
    uint64_t lo = m & 0xff, hi = (m >> 8) & 0xff, base = rt_cell_of(h, 0, kind);
    rt_cell *cell0, cur0, cur1;
    if (__builtin_expect(off + size > 16 ||
                             (addr & RT_SHADOW_REGION_MASK) >= RT_SHADOW_REGION_MASK - 7,
                         0)) {
        whole(addr, size, kind, pc);   /* three words, or the second in the next region */
        return;
    }
    cell0 = rt_shadow_cell_in(region, addr);
    cur0 = base | lo << RT_CELL_ACC_SHIFT | ((kind & RT_ACCESS_WRITE) ? lo << RT_CELL_WR_SHIFT : 0);
    cur1 = base | hi << RT_CELL_ACC_SHIFT | ((kind & RT_ACCESS_WRITE) ? hi << RT_CELL_WR_SHIFT : 0);
    if (rt_cell_covers(rt_cell_load(cell0), cur0, kind) &&
        rt_cell_covers(rt_cell_load(cell0 + 1), cur1, kind))
        return;
    word2(h, cell0, addr & ~(uintptr_t)7, cur0, cur1, pc);
}

static inline __attribute__((always_inline)) void rt_race_fast(struct rt_hb_thread *h,
                                                             uintptr_t addr, unsigned size,
                                                             unsigned kind, bool aligned,
                                                             uintptr_t pc,
                                                             rt_race_whole_fn *whole,
                                                             rt_race_word_fn *word,
                                                             rt_race_word2_fn *word2)
{
    unsigned off = (unsigned)(addr & 7);
    uintptr_t region = 0;
    rt_cell *cell0, cur;
    if (__builtin_expect(h == NULL || size > 16 ||
                             (region = rt_shadow_table[(addr >> RT_SHADOW_REGION_SHIFT) &
                                                       (RT_SHADOW_NREGIONS - 1)]) == 0,
                         0)) {
        whole(addr, size, kind, pc);
        return;
    }
    if ((!aligned || size > 8) && off + size > 8) {
        rt_race_fast2(h, addr, size, kind, region, pc, whole, word2);
        return;
    }
    cell0 = rt_shadow_cell_in(region, addr);
    cur = rt_cell_of(h, 0, kind) |
          rt_access_bytes[(kind & RT_ACCESS_WRITE) != 0][__builtin_ctz(size) & 3][off];
    if (rt_cell_covers(rt_cell_load(cell0), cur, kind))
        return;
    word(h, cell0, addr & ~(uintptr_t)7, cur, pc);   /* which looks at a second cell */
}

/* Any number of bytes (memcpy, read_range, 16-byte accesses). */
static inline void rt_race_range(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size,
                                 unsigned kind, uintptr_t pc)
{
    if (size == 0)
        return;
    rt_race_access_split(h, addr, size, kind, pc);
}

/* A free of [addr, addr + size): a write of the block by the freeing
 * thread (an unordered earlier access by another thread races with it),
 * recorded under a marker leaf (RT_CT_FREE_PC below the free's own call
 * path) so that a later unordered access by another thread is reported as
 * a use of freed memory, with the free's stack; not while the thread
 * ignores its writes (AnnotateIgnoreWritesBegin). Only the first
 * RT_RACE_FREE_BYTES of a block are checked and marked, as ThreadSanitizer
 * does (it takes 1 KiB): a huge block freed would otherwise cost shadow
 * for all of it. Call it before the block goes back to the allocator. */
#define RT_RACE_FREE_BYTES 4096u
void rt_race_free(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size, uintptr_t pc);

/* A new block [addr, addr + size) (malloc, calloc, realloc, ...), its
 * shadow just reset: a write of its first RT_RACE_FREE_BYTES by the
 * allocating thread, as ThreadSanitizer takes an allocation: another
 * thread that uses the block with nothing ordering it after the allocation
 * (a pointer handed over through a relaxed atomic) races with it. Not
 * while the thread ignores its writes. */
void rt_race_alloc(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size, uintptr_t pc);

/* h's held-back accesses (race_check.c, "pending words") go to the shadow:
 * before h's clock changes (every release and acquire), on h's own thread.
 * rt_race_pending_drop forgets them (a fork child: its shadow is new). */
void rt_race_settle_slow(struct rt_hb_thread *h);
static inline void rt_race_settle(struct rt_hb_thread *h)
{
    if (__builtin_expect(h->pending_mask != 0, 0))
        rt_race_settle_slow(h);
}
void rt_race_pending_drop(struct rt_hb_thread *h);

/* Race detection cannot get the memory it needs (shadow, call tree): it
 * stops for the rest of the run, says so once, and the program and the
 * lock analysis go on. Any thread. */
void rt_race_out_of_memory(const char *what);

/* The leaf pc that marks a free (never a code address). */
#define RT_CT_FREE_PC ((uintptr_t)1)

/* Report data: how many races were reported (tests). */
unsigned rt_race_count(void);
/* The earlier access of the last race found (tests): its line's pc, kind
 * (RT_ACCESS_*) and size. Not synchronised: for single-threaded tests. */
struct rt_race_previous {
    uintptr_t pc;
    unsigned kind, size;
    bool freed;             /* it was a free (pc: the free's call) */
    uintptr_t current_pc;   /* the later access's line (a free's call) */
};
struct rt_race_previous rt_race_last_previous(void);

/* Races on bytes of [addr, addr + size) are expected by the program
 * (AnnotateBenignRaceSized): they are neither counted nor reported, from
 * now on and for good. Any thread. */
void rt_race_benign(uintptr_t addr, uintptr_t size);

/* Turn reporting off/on (tests that only look at the count). */
extern bool rt_race_report_enabled;

/* fork: the report's dedup table lock. */
void rt_race_lock_all(void);
void rt_race_unlock_all(void);

/* What race_report.c needs from the check. */
void rt_race_report(struct rt_hb_thread *h, uintptr_t word, rt_cell cur, rt_ct_node cur_node,
                    rt_cell prev, rt_ct_node prev_node);
/* Set while the calling thread's access being checked is a free. */
extern __thread bool rt_race_freeing;

/* Has a thread other than h's slot accessed a word of [addr, addr+size)
 * (the shadow holds a cell of it)? What racedet explore's memory points
 * ask: a thread's private memory is never a point. */
bool rt_race_location_shared(const struct rt_hb_thread *h, uintptr_t addr, uintptr_t size);

#endif
