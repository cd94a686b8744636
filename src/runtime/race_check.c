/* race_check: see race_check.h. */
#include "race_check.h"

#define BUSY_BIT ((uint64_t)RT_CELL_BUSY << 56)

/* Put cur (with its node) in cells[i], which held `old`. Only the node
 * store needs the busy marker: a reader (race_report) must never pair a
 * cell with another access's node. When the node is already the right one,
 * the cell alone changes. `plain`: no compare-and-swap (our own cell, or
 * the last try). False: someone else changed the cell first. */
static bool put(rt_cell *cell, uint32_t *node, rt_cell old, rt_cell cur, rt_ct_node leaf,
                bool plain)
{
    bool same_node = __atomic_load_n(node, __ATOMIC_RELAXED) == leaf;
    rt_cell first = same_node ? cur : cur | BUSY_BIT;
    if (plain)
        rt_cell_store(cell, first);
    else if (!__atomic_compare_exchange_n(cell, &old, first, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_RELAXED))
        return false;
    if (!same_node) {
        __atomic_store_n(node, leaf, __ATOMIC_RELAXED);
        __atomic_store_n(cell, cur, __ATOMIC_RELEASE);
    }
    return true;
}

/* The node of cell c (loaded as c): consistent with it, or false when the
 * cell changed meanwhile (the caller starts over). */
static bool node_of_cell(rt_cell *cell, uint32_t *node, rt_cell c, rt_ct_node *out)
{
    *out = __atomic_load_n(node, __ATOMIC_ACQUIRE);
    return __atomic_load_n(cell, __ATOMIC_ACQUIRE) == c;
}

/* The common case, thread-private memory in a new epoch: every cell of the
 * word is empty or the accessing thread's own (no race is possible: program
 * order). Places cur like the general path below (plain stores into our
 * own cells, a compare-and-swap into an empty one) and
 * returns true; false when another thread's cell is there. */
_Static_assert(RT_SHADOW_CELLS == 2, "own_only handles two cells");

static inline bool own_only(rt_cell *cells, uint32_t *nodes, rt_cell cur, rt_ct_node leaf)
{
    const uint64_t slot_bits = 0xffffull << 32, mask_bits = 0xffull << 48;
    const uint64_t wr = (uint64_t)RT_CELL_WRITE << 56, at = (uint64_t)RT_CELL_ATOMIC << 56;
    const uint64_t m = cur & mask_bits;
    rt_cell c0 = rt_cell_load(&cells[0]), c1 = rt_cell_load(&cells[1]);
    bool e0 = !(c0 & mask_bits), e1 = !(c1 & mask_bits);
    bool red0, red1, wid0, wid1;
    int t;
    if (!(e0 || ((c0 ^ cur) & slot_bits) == 0) || !(e1 || ((c1 ^ cur) & slot_bits) == 0))
        return false;
    /* redundant once cur is stored: inside its bytes, no stronger */
    red0 = !e0 && (c0 & mask_bits & ~m) == 0 && (c0 & ~cur & wr) == 0 && (cur & ~c0 & at) == 0;
    red1 = !e1 && (c1 & mask_bits & ~m) == 0 && (c1 & ~cur & wr) == 0 && (cur & ~c1 & at) == 0;
    if (red0 || red1) {
        t = red0 ? 0 : 1;
        if (red0 && red1)
            rt_cell_store(&cells[1], 0);
    } else {
        /* same epoch and kind, same stack: one cell for both */
        wid0 = !e0 && ((c0 ^ cur) & ~mask_bits) == 0;
        wid1 = !e1 && ((c1 ^ cur) & ~mask_bits) == 0;
        if (wid0 && nodes[0] == leaf) {
            rt_cell_store(&cells[0], c0 | m);
            return true;
        }
        if (wid1 && nodes[1] == leaf) {
            rt_cell_store(&cells[1], c1 | m);
            return true;
        }
        if (e0 || e1) {
            t = e0 ? 0 : 1;
        } else {
            /* evict: an older epoch before this one, a read before a write */
            int k0 = ((uint32_t)c0 == (uint32_t)cur ? 4 : 0) + ((c0 & wr) ? 1 : 0);
            int k1 = ((uint32_t)c1 == (uint32_t)cur ? 4 : 0) + ((c1 & wr) ? 1 : 0);
            t = k1 < k0 ? 1 : 0;
        }
    }
    /* an empty cell may be taken by another thread at this very moment:
     * compare-and-swap, so that of two threads taking it the second sees
     * the first (both take the first empty cell); our own cells are ours */
    return put(&cells[t], &nodes[t], t ? c1 : c0, cur, leaf, t ? !e1 : !e0);
}

/* The slow path: no cell of this thread and epoch covers the access.
 *
 * Cells of the accessing thread's own slot never race with it (program
 * order) and are the common case (thread-private memory in a new epoch):
 * they are classified with a compare or two, and replaced with plain
 * stores: only this thread writes cells of its slot except to evict or
 * clear them, and an eviction racing with our store can only lose an
 * access, never make one up. Other slots' cells are checked against the
 * thread's clock (FastTrack) and taken over with a compare-and-swap. */
static __attribute__((noinline)) void general(struct rt_hb_thread *h, rt_cell *cells,
                                               uint32_t *nodes, uintptr_t word, rt_cell cur,
                                               uintptr_t pc, rt_ct_node leaf)
{
    const uint32_t m = rt_cell_mask(cur), f = rt_cell_flags(cur), me = h->slot;
    const bool w = f & RT_CELL_WRITE, a = f & RT_CELL_ATOMIC;

    for (int attempt = 0;; attempt++) {
        int target = -1, empty = -1, race = -1, victim = -1, widen = -1, victim_cost = 99;
        unsigned replace = 0;
        rt_cell c[RT_SHADOW_CELLS];
        bool own[RT_SHADOW_CELLS];

        for (int i = 0; i < RT_SHADOW_CELLS; i++) {
            uint32_t cm, ce, cf, cost;
            bool ordered;
            c[i] = __atomic_load_n(&cells[i], __ATOMIC_ACQUIRE);
            own[i] = false;
            cm = rt_cell_mask(c[i]);
            if (cm == 0) {
                if (empty < 0)
                    empty = i;
                continue;
            }
            cf = rt_cell_flags(c[i]);
            ce = rt_cell_epoch(c[i]);
            own[i] = rt_cell_slot(c[i]) == me;
            if (own[i]) {
                ordered = true;
                if (ce == h->epoch && (cf & ~RT_CELL_BUSY) == f && widen < 0)
                    widen = i;  /* same thread, epoch, kind: maybe one cell for both */
                cost = ce != h->epoch ? 2 : 6;
            } else {
                if (cf & RT_CELL_BUSY) {
                    /* another thread is putting its node in place */
                    __builtin_ia32_pause();
                    i--;
                    continue;
                }
                ordered = ce <= rt_vc_get(&h->vc, rt_cell_slot(c[i]));
                if (!ordered && race < 0 && (cm & m) && (w || (cf & RT_CELL_WRITE)) &&
                    !(a && (cf & RT_CELL_ATOMIC)))
                    race = i;
                cost = ordered ? 0 : 4;
            }
            /* redundant once cur is stored: inside cur's bytes, no stronger */
            if ((cm & ~m) == 0 && (w || !(cf & RT_CELL_WRITE)) && (!a || (cf & RT_CELL_ATOMIC)) &&
                (ordered || i == race)) {
                replace |= 1u << i;
                if (target < 0)
                    target = i;
            }
            /* if nothing is free, evict what costs least to forget: an
             * access ordered before this one, a read before a write, another
             * thread's before our own (whose newer accesses are checked) */
            cost += (cf & RT_CELL_WRITE) ? 1 : 0;
            if (cost < (uint32_t)victim_cost) {
                victim = i;
                victim_cost = (int)cost;
            }
        }
        if (race >= 0) {
            rt_ct_node prev_node;
            if (!node_of_cell(&cells[race], &nodes[race], c[race], &prev_node))
                continue;
            rt_race_report(h, word, cur, pc, c[race], prev_node);
        }
        if (widen >= 0 && (target < 0 || target == widen) &&
            __atomic_load_n(&nodes[widen], __ATOMIC_RELAXED) == leaf) {
            /* our own cell with our own node: widen its bytes */
            rt_cell_store(&cells[widen], c[widen] | ((uint64_t)m << 48));
            replace &= ~(1u << widen);
        } else {
            if (target < 0)
                target = empty;
            if (target < 0)
                target = victim;
            if (!put(&cells[target], &nodes[target], c[target], cur, leaf,
                     own[target] || attempt >= 4))
                continue;
            replace &= ~(1u << target);
        }
        for (int i = 0; replace; i++, replace >>= 1)
            if (replace & 1)
                rt_cell_store(&cells[i], 0);
        return;
    }
}

void rt_race_word(struct rt_hb_thread *h, rt_cell *cells, uintptr_t word, rt_cell cur,
                  uintptr_t pc)
{
    uint32_t *nodes = rt_shadow_nodes(cells);
    rt_ct_node leaf;
    if (h->busy)
        return;
    leaf = rt_ct_child(h->ct, h->node, pc);
    if (!own_only(cells, nodes, cur, leaf))
        general(h, cells, nodes, word, cur, pc, leaf);
}

void rt_race_access_split(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size,
                          unsigned flags, uintptr_t pc)
{
    uintptr_t end = addr + size;
    while (addr < end) {
        uintptr_t word = addr & ~(uintptr_t)7;
        unsigned off = (unsigned)(addr - word);
        unsigned n = (unsigned)(end - addr < 8 - off ? end - addr : 8 - off);
        rt_cell *cells = rt_shadow_cells(addr), cur;
        bool done = false;
        if (!cells)
            return;
        cur = rt_cell_of(h, ((1u << n) - 1) << off, flags);
        for (int i = 0; i < RT_SHADOW_CELLS && !done; i++)
            done = rt_cell_covers(rt_cell_load(&cells[i]), cur);
        if (!done)
            rt_race_word(h, cells, word, cur, pc);
        addr += n;
    }
}
