/* race_check: see race_check.h. */
#include "race_check.h"

static bool racing(rt_cell c, uint32_t m, bool w, bool a, bool ordered)
{
    uint32_t cf = rt_cell_flags(c);
    if (!(rt_cell_mask(c) & m) || ordered)
        return false;
    if (!w && !(cf & RT_CELL_WRITE))
        return false;               /* read / read */
    if (a && (cf & RT_CELL_ATOMIC))
        return false;               /* atomic / atomic */
    return true;
}

/* Publish our cell in place of `old`. Two threads checking one word at the
 * same moment could each miss the other's cell; a compare-and-swap makes
 * the later one see the change and check again (the word's cells are only
 * ever replaced this way, so one of the two always sees the other). */
static bool publish(rt_cell *cell, rt_cell old, rt_cell cur, bool last_try)
{
    if (last_try) {
        rt_cell_store(cell, cur);
        return true;
    }
    return __atomic_compare_exchange_n(cell, &old, cur, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

/* A cell and its node, consistent with each other: a cell being replaced
 * is marked busy until its new node is in place. */
static rt_cell load_cell(rt_cell *cell, uint32_t *node, uint32_t *node_out)
{
    for (;;) {
        rt_cell c = __atomic_load_n(cell, __ATOMIC_ACQUIRE);
        if (rt_cell_flags(c) & RT_CELL_BUSY) {
            __builtin_ia32_pause();
            continue;
        }
        *node_out = __atomic_load_n(node, __ATOMIC_RELAXED);
        if (__atomic_load_n(cell, __ATOMIC_ACQUIRE) == c)
            return c;
    }
}

void rt_race_word(struct rt_hb_thread *h, rt_cell *cells, uintptr_t word, rt_cell cur,
                  uintptr_t pc)
{
    uint32_t *nodes = rt_shadow_node_of(word);
    uint32_t m = rt_cell_mask(cur), f = rt_cell_flags(cur);
    bool w = f & RT_CELL_WRITE, a = f & RT_CELL_ATOMIC;
    rt_ct_node leaf;

    if (h->busy)
        return;
    leaf = rt_ct_child(h->ct, h->node, pc);
    for (int attempt = 0;; attempt++) {
        int target = -1, empty = -1, race = -1, victim = -1, widen = -1, victim_cost = 0;
        bool replace[RT_SHADOW_CELLS] = {0};
        rt_cell c[RT_SHADOW_CELLS];
        uint32_t node_of[RT_SHADOW_CELLS];
        bool last_try = attempt >= 4;

        for (int i = 0; i < RT_SHADOW_CELLS; i++) {
            uint32_t cm, cs, ce, cf;
            bool same, ordered;
            c[i] = load_cell(&cells[i], &nodes[i], &node_of[i]);
            cm = rt_cell_mask(c[i]);
            if (cm == 0) {
                if (empty < 0)
                    empty = i;
                continue;
            }
            cs = rt_cell_slot(c[i]);
            ce = rt_cell_epoch(c[i]);
            cf = rt_cell_flags(c[i]);
            same = cs == h->slot;
            ordered = same || ce <= rt_vc_get(&h->vc, cs);
            /* covered: the same thread already did at least this in this epoch */
            if (same && ce == h->epoch && (cm & m) == m && ((cf & RT_CELL_WRITE) || !w) &&
                (!(cf & RT_CELL_ATOMIC) || a))
                return;
            if (race < 0 && racing(c[i], m, w, a, ordered))
                race = i;
            if ((cm & ~m) == 0 && (w || !(cf & RT_CELL_WRITE)) && (!a || (cf & RT_CELL_ATOMIC)) &&
                (ordered || i == race)) {
                replace[i] = true;
                if (target < 0)
                    target = i;
            }
            /* if nothing is free, evict what costs least to forget: an
             * access ordered before this one, a read before a write, another
             * thread's before our own (whose newer accesses are checked) */
            {
                int cost = (!same && ordered) ? 0 : same && ce != h->epoch ? 2 : !same ? 4 : 6;
                cost += (cf & RT_CELL_WRITE) ? 1 : 0;
                if (victim < 0 || cost < victim_cost) {
                    victim = i;
                    victim_cost = cost;
                }
            }
            /* the same thread, epoch and kind of access next to it: one cell
             * for both (loops, ranges), if the stack is the same too */
            if (same && ce == h->epoch && cf == f && widen < 0)
                widen = i;
        }
        if (race >= 0)
            rt_race_report(h, word, cur, pc, c[race], node_of[race]);
        if (widen >= 0 && node_of[widen] == leaf && (target < 0 || target == widen)) {
            /* our own cell: no other thread can lose a race to this store */
            rt_cell_store(&cells[widen], c[widen] | ((uint64_t)m << 48));
            for (int i = 0; i < RT_SHADOW_CELLS; i++)
                if (replace[i] && i != widen)
                    rt_cell_store(&cells[i], 0);
            return;
        }
        if (target < 0)
            target = empty;
        if (target < 0)
            target = victim;
        /* replacing our own older cell needs no compare-and-swap: another
         * thread checking the word now sees that cell and judges against it */
        if (!publish(&cells[target], c[target], cur | ((uint64_t)RT_CELL_BUSY << 56),
                     last_try || (rt_cell_mask(c[target]) && rt_cell_slot(c[target]) == h->slot)))
            continue;
        nodes[target] = leaf;
        __atomic_store_n(&cells[target], cur, __ATOMIC_RELEASE);
        for (int i = 0; i < RT_SHADOW_CELLS; i++)
            if (replace[i] && i != target)
                rt_cell_store(&cells[i], 0);
        return;
    }
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
        cur = rt_cell_make(h->epoch, h->slot, ((1u << n) - 1) << off, flags);
        for (int i = 0; i < RT_SHADOW_CELLS && !done; i++)
            done = rt_cell_covers(rt_cell_load(&cells[i]), cur);
        if (!done)
            rt_race_word(h, cells, word, cur, pc);
        addr += n;
    }
}
