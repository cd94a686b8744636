/* race_check: see race_check.h. */
#include "linked_abi.h"
#include "race_check.h"

/* What the slow path learns of one cell. */
struct seen {
    rt_cell raw;        /* as loaded (the first cell's more bit included) */
    rt_cell c;          /* without the more bit */
    bool own, ordered;
};

/* The steps of the private-memory path, inlined into it. */
#define HOT static inline __attribute__((always_inline))

/* Put cur (with node) in cell i of r, which held `old` (raw). Only the node
 * store needs the busy marker: a reader (race_report) must never pair a
 * cell with another access's node. When the node is already the right one,
 * the cell alone changes. `plain`: no compare-and-swap (our own cell, or
 * the last try). False: someone else changed the cell first. */
HOT bool put(const struct rt_shadow_ref *r, int i, rt_cell old, rt_cell cur, rt_ct_node node,
             bool plain)
{
    bool same_node = __atomic_load_n(r->node[i], __ATOMIC_RELAXED) == node;
    rt_cell first = same_node ? cur : cur | RT_CELL_BUSY;
    if (plain)
        rt_cell_store(r->cell[i], first);
    else if (!__atomic_compare_exchange_n(r->cell[i], &old, first, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_RELAXED))
        return false;
    if (!same_node) {
        __atomic_store_n(r->node[i], node, __ATOMIC_RELAXED);
        __atomic_store_n(r->cell[i], cur, __ATOMIC_RELEASE);
    }
    return true;
}

/* The node of cell i, loaded as raw: consistent with it, or false when the
 * cell changed meanwhile (the caller starts over). */
static bool node_of_cell(const struct rt_shadow_ref *r, int i, rt_cell raw, rt_ct_node *out)
{
    *out = __atomic_load_n(r->node[i], __ATOMIC_ACQUIRE);
    return __atomic_load_n(r->cell[i], __ATOMIC_ACQUIRE) == raw;
}

/* The memo's leaf of an access at pc in h's current function, or 0. */
HOT rt_ct_node leaf_memo(const struct rt_hb_thread *h, uintptr_t pc, unsigned *slot)
{
    unsigned k = *slot = (unsigned)(pc ^ pc >> 5) & (RT_HB_MEMO - 1);
    return h->leaf_memo[k].pc == pc && h->leaf_memo[k].parent == h->node ? h->leaf_memo[k].leaf
                                                                          : 0;
}

HOT void leaf_remember(struct rt_hb_thread *h, uintptr_t pc, unsigned k, rt_ct_node leaf)
{
    h->leaf_memo[k].pc = pc;
    h->leaf_memo[k].parent = h->node;
    h->leaf_memo[k].leaf = leaf;
}

/* The leaf of an access at pc in h's current function: the memo of the
 * last few, then the call tree. */
HOT rt_ct_node leaf_of(struct rt_hb_thread *h, uintptr_t pc)
{
    unsigned k;
    rt_ct_node leaf = leaf_memo(h, pc, &k);
    if (leaf)
        return leaf;
    leaf = rt_ct_child(h->ct, h->node, pc);
    leaf_remember(h, pc, k, leaf);
    return leaf;
}

/* The leaf when the memo or the thread's call-tree cache has it, else 0:
 * no call, for rt_race_word. A loop with more lines that miss the fast
 * path than the memo has entries (zstd's match finder) finds them here. */
HOT rt_ct_node leaf_known(struct rt_hb_thread *h, uintptr_t pc, unsigned *slot)
{
    rt_ct_node leaf = leaf_memo(h, pc, slot);
    if (leaf)
        return leaf;
    leaf = rt_ct_cached(h->ct, h->node, pc);
    if (leaf)
        leaf_remember(h, pc, *slot, leaf);
    return leaf;
}

/* The node of a cell whose node was `old` once `leaf` accessed bytes
 * `changed` (not all of the cell's): layers whose bytes all change say
 * nothing any more and are peeled off, and what is left gets leaf's layer
 * on top. A memo of the last few, as a sweep repeats the same steps on
 * every word. */
HOT rt_ct_node composed_memo(const struct rt_hb_thread *h, rt_ct_node old, rt_ct_node leaf,
                             uint32_t changed, unsigned *slot)
{
    unsigned k = *slot = (old ^ leaf * 3 ^ changed * 5) & (RT_HB_MEMO - 1);
    return h->compose_memo[k].old == old && h->compose_memo[k].leaf == leaf &&
                   h->compose_memo[k].changed == changed
               ? h->compose_memo[k].node
               : 0;
}

HOT void composed_remember(struct rt_hb_thread *h, rt_ct_node old, rt_ct_node leaf,
                           uint32_t changed, unsigned k, rt_ct_node node)
{
    h->compose_memo[k].old = old;
    h->compose_memo[k].leaf = leaf;
    h->compose_memo[k].changed = changed;
    h->compose_memo[k].node = node;
}

/* What is left of old once the layers whose bytes all change are peeled
 * off (composed). */
HOT rt_ct_node peeled(rt_ct_node old, rt_ct_node leaf, uint32_t changed)
{
    while (old != leaf && rt_ct_is_composite(old) && (rt_ct_pc(old) >> 32 & ~changed & 0xff) == 0)
        old = rt_ct_parent(old);
    return old;
}

/* make: build the composite when neither the memo nor the thread's
 * call-tree cache has it; else answer 0 then (no call: rt_race_word). */
HOT rt_ct_node composed_or_made(struct rt_hb_thread *h, rt_ct_node old, rt_ct_node leaf,
                                uint32_t changed, bool make)
{
    unsigned k;
    rt_ct_node node = composed_memo(h, old, leaf, changed, &k), base;
    if (node)
        return node;
    base = peeled(old, leaf, changed);
    node = base == leaf ? leaf
           : make       ? rt_ct_compose(h->ct, base, leaf, changed)
                        : rt_ct_compose_cached(h->ct, base, leaf, changed);
    if (node)
        composed_remember(h, old, leaf, changed, k, node);
    return node;
}

HOT rt_ct_node composed(struct rt_hb_thread *h, rt_ct_node old, rt_ct_node leaf, uint32_t changed)
{
    return composed_or_made(h, old, leaf, changed, true);
}

/* composed() out of line: rt_race_word's way when neither the memo nor the
 * thread's cache knows the composite (a word whose bytes several lines
 * write in turn, as zstd's rows of tags: more composites than the cache
 * holds), rather than the general check. */
static __attribute__((noinline)) rt_ct_node composed_call(struct rt_hb_thread *h, rt_ct_node old,
                                                          rt_ct_node leaf, uint32_t changed)
{
    return composed(h, old, leaf, changed);
}

/* composed() when the memo or the thread's call-tree cache has the node,
 * else 0: no call, for rt_race_word. */
HOT rt_ct_node composed_known(struct rt_hb_thread *h, rt_ct_node old, rt_ct_node leaf,
                              uint32_t changed)
{
    return composed_or_made(h, old, leaf, changed, false);
}

/* The bytes of cell c that the access cur adds to what c says was
 * accessed or written. */
static inline uint32_t changed_bytes(rt_cell c, rt_cell cur)
{
    return (rt_cell_acc(cur) & ~rt_cell_acc(c)) | (rt_cell_wr(cur) & ~rt_cell_wr(c));
}

/* May cur replace cell c, c being ordered before it (program order, or
 * another thread's access cur knows of)? Only when nothing c says is lost:
 * every byte c accessed cur accesses, every byte c wrote cur writes, and
 * cur is no weaker (an atomic cur does not replace a plain c: a later
 * atomic access would race with c, not with cur). Otherwise a later
 * access ordered with neither would find only cur: a read after a write
 * would hide the write from a third thread's read. */
static inline bool subsumes(rt_cell cur, rt_cell c)
{
    return ((rt_cell_acc(c) & ~rt_cell_acc(cur)) | (rt_cell_wr(c) & ~rt_cell_wr(cur))) == 0 &&
           (!rt_cell_atomic(cur) || rt_cell_atomic(c));
}

/* Does the node of cell c (old) become plain `leaf` when leaf accesses
 * bytes `changed`? When it is leaf already, or leaf now covers every byte
 * the cell says was accessed; else it becomes a composite (composed). */
static inline bool leaf_alone(rt_cell c, rt_ct_node old, rt_ct_node leaf, uint32_t changed)
{
    return old == leaf || (rt_cell_acc(c) & ~changed) == 0;
}

/* cur joins our own cell i of this epoch: its bytes are added; the node
 * says which line accessed which bytes. */
HOT void merge(struct rt_hb_thread *h, const struct rt_shadow_ref *r, int i, const struct seen *s,
               rt_cell cur, rt_ct_node leaf)
{
    rt_cell c = s->c;
    /* a free takes every byte it covers, so that its marker names them */
    uint32_t changed = rt_race_freeing ? rt_cell_acc(cur) : changed_bytes(c, cur);
    rt_cell merged = s->raw | (cur & RT_CELL_BYTES);
    rt_ct_node old = __atomic_load_n(r->node[i], __ATOMIC_RELAXED), node;
    if (changed == 0)
        return;
    node = leaf_alone(c, old, leaf, changed) ? leaf : composed(h, old, leaf, changed);
    put(r, i, s->raw, merged, node, true);
}

/* What it costs to forget cell c (non-empty) when nothing is free, the
 * least evicted: an access ordered before this one, another thread's
 * before our own (whose newer accesses are checked); in each of these, a
 * read before a write and an atomic access before a plain one (it races
 * with plain accesses only: a flag next to the data it publishes must not
 * push the data's write out). */
static inline uint32_t forget_cost(rt_cell c, bool own, bool same_epoch, bool ordered)
{
    uint32_t cost = own ? (same_epoch ? 12 : 4) : ordered ? 0 : 8;
    return cost + (rt_cell_wr(c) ? 2 : 0) + (rt_cell_atomic(c) ? 0 : 1);
}

/* The slow path: no cell of this thread and epoch covers the access.
 *
 * Cells of the accessing thread's own slot never race with it (program
 * order) and are the common case (thread-private memory); only this thread
 * writes cells of its slot except to evict or clear them, so they are
 * replaced with plain stores: an eviction racing with our store can only
 * lose an access, never make one up. Other slots' cells are checked against
 * the thread's clock (FastTrack) and taken over with a compare-and-swap. */
static void check(struct rt_hb_thread *h, const struct rt_shadow_ref *r, uintptr_t word,
                  rt_cell cur, rt_ct_node leaf)
{
    const uint32_t acc = rt_cell_acc(cur), wr = rt_cell_wr(cur), me = h->slot;
    const bool atomic = rt_cell_atomic(cur);

    for (int attempt = 0;; attempt++) {
        struct seen s[2];
        int n, race = -1, mine = -1, empty = -1, victim = -1, victim_cost = 99;
        unsigned redundant = 0;
        bool busy = false;

        s[0].raw = __atomic_load_n(r->cell[0], __ATOMIC_ACQUIRE);
        s[0].c = s[0].raw & ~RT_CELL_MORE;
        n = (s[0].raw & RT_CELL_MORE) ? 2 : 1;
        if (n == 2) {
            s[1].raw = __atomic_load_n(r->cell[1], __ATOMIC_ACQUIRE);
            s[1].c = s[1].raw;
        }
        for (int i = 0; i < n; i++) {
            rt_cell c = s[i].c;
            uint32_t cacc = rt_cell_acc(c), cwr = rt_cell_wr(c), cost;
            bool same_epoch = false;
            s[i].own = s[i].ordered = false;
            if (cacc == 0) {
                if (empty < 0)
                    empty = i;
                continue;
            }
            s[i].own = rt_cell_slot(c) == me;
            if (s[i].own) {
                same_epoch = rt_cell_epoch(c) == h->epoch;
                s[i].ordered = true;
                if (same_epoch && rt_cell_atomic(c) == atomic && mine < 0 && !(c & RT_CELL_BUSY))
                    mine = i;
            } else {
                if (c & RT_CELL_BUSY) {
                    busy = true;   /* another thread is putting its node in place */
                    break;
                }
                s[i].ordered = rt_cell_epoch(c) <= rt_vc_get(&h->vc, rt_cell_slot(c));
                if (!s[i].ordered && race < 0 && ((cwr & acc) | (cacc & wr)) &&
                    !(atomic && rt_cell_atomic(c)))
                    race = i;
            }
            /* redundant once cur is stored: inside cur's bytes, no stronger */
            if ((cacc & ~acc) == 0 && (cwr & ~wr) == 0 && (!atomic || rt_cell_atomic(c)) &&
                (s[i].ordered || i == race))
                redundant |= 1u << i;
            /* if nothing is free, evict what costs least to forget */
            cost = forget_cost(c, s[i].own, same_epoch, s[i].ordered);
            if (cost < (uint32_t)victim_cost) {
                victim = i;
                victim_cost = (int)cost;
            }
        }
        if (busy) {
            __builtin_ia32_pause();
            continue;
        }
        if (race >= 0) {
            rt_ct_node prev_node;
            if (!node_of_cell(r, race, s[race].raw, &prev_node))
                continue;
            rt_race_report(h, word, cur, leaf, s[race].c, prev_node);
        }
        if (mine >= 0) {
            merge(h, r, mine, &s[mine], cur, leaf);
            redundant &= ~(1u << mine);
        } else {
            int t = redundant ? __builtin_ctz(redundant) : empty >= 0 ? empty : n == 1 ? 1 : victim;
            if (t == 1) {
                /* cur goes first, where the fast path looks (this thread is
                 * the one likely to come back); the first cell's access
                 * moves to the second, which the first's more bit announces.
                 * Until cur is in place, the copy is unseen or a duplicate. */
                rt_ct_node node0;
                rt_cell old1 = n == 2 ? s[1].raw : __atomic_load_n(r->cell[1], __ATOMIC_RELAXED);
                if (!node_of_cell(r, 0, s[0].raw, &node0) ||
                    !put(r, 1, old1, s[0].c, node0, attempt >= 4) ||
                    !put(r, 0, s[0].raw, cur | RT_CELL_MORE, leaf, s[0].own || attempt >= 4))
                    continue;
            } else {
                rt_cell more = t == 0 ? (s[0].raw & RT_CELL_MORE) : 0;
                if (!put(r, t, s[t].raw, cur | more, leaf, s[t].own || attempt >= 4))
                    continue;
            }
            redundant &= ~(1u << t);
        }
        for (int i = 0; redundant; i++, redundant >>= 1)
            if (redundant & 1)
                rt_cell_store(r->cell[i], i == 0 ? (s[0].raw & RT_CELL_MORE) : 0);
        return;
    }
}

/* The common cases, with the word's only cell (check() does the rest):
 * - our own (thread-private memory; no race is possible: program order).
 *   Same epoch: cur joins it; an older epoch that cur subsumes: cur takes
 *   it over.
 * - empty, or another thread's ordered before this access that cur
 *   subsumes (memory handed over, or touched first): cur takes it over,
 *   with a compare-and-swap as that thread may be storing too.
 * True when done. */
HOT bool only_cell(struct rt_hb_thread *h, const struct rt_shadow_ref *r, rt_cell cur,
                   rt_ct_node leaf)
{
    struct seen s;
    s.raw = rt_cell_load(r->cell[0]);
    s.c = s.raw;
    if (s.raw & (RT_CELL_MORE | RT_CELL_BUSY))
        return false;
    if (rt_cell_empty(s.raw))
        return put(r, 0, s.raw, cur, leaf, false);
    if (rt_cell_slot(s.raw) != h->slot) {
        if (rt_cell_epoch(s.raw) > rt_vc_get(&h->vc, rt_cell_slot(s.raw)) || !subsumes(cur, s.raw))
            return false;
        return put(r, 0, s.raw, cur, leaf, false);
    }
    if (rt_cell_epoch(s.raw) == h->epoch) {
        if (rt_cell_atomic(s.raw) != rt_cell_atomic(cur))
            return false;
        merge(h, r, 0, &s, cur, leaf);
        return true;
    }
    if (!subsumes(cur, s.raw))
        return false;
    put(r, 0, s.raw, cur, leaf, true);
    return true;
}

static inline bool pending_hit(struct rt_hb_thread *h, uintptr_t word, rt_cell cur, rt_ct_node leaf);

/* h's held-back words as bits of a mask (pending words, below): one test
 * tells almost every access that its word is not among them. */
static inline uint64_t pending_bit(uintptr_t word)
{
    return 1ull << ((word >> 3) & 63);
}

HOT bool pending_maybe(const struct rt_hb_thread *h, uintptr_t word)
{
    return (h->pending_mask & pending_bit(word)) != 0;
}

/* Entry i is free again. */
static void pending_forget(struct rt_hb_thread *h, unsigned i)
{
    h->pending[i].word = 0;
    h->pending_mask = 0;
    for (unsigned k = 0; k < RT_HB_PENDING; k++)
        if (h->pending[k].word)
            h->pending_mask |= pending_bit(h->pending[k].word);
}

/* The check of one access by h to a word, with its node: held back
 * accesses to the word first, then the word's only cell, then all. */
HOT void word_general(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                      rt_ct_node leaf)
{
    struct rt_shadow_ref r;
    if (pending_maybe(h, word) && pending_hit(h, word, cur, leaf))
        return;
    rt_shadow_ref_first(cell0, word, &r);
    if (only_cell(h, &r, cur, leaf))
        return;
    rt_shadow_ref_second(cell0, word, &r);
    check(h, &r, word, cur, leaf);
}

/* Everything rt_race_word does not do on its own. */
static __attribute__((noinline)) void race_word_full(struct rt_hb_thread *h, rt_cell *cell0,
                                                     uintptr_t word, rt_cell cur, uintptr_t pc)
{
    rt_cell c0 = rt_cell_load(cell0);
    if ((c0 & RT_CELL_MORE) && rt_cell_covers(rt_cell_load(rt_shadow_second(cell0, word)), cur,
                                              rt_cell_atomic(cur) ? RT_ACCESS_ATOMIC : 0))
        return;
    if (h->busy || rt_hb_ignores(h, rt_cell_wr(cur) != 0) ||
        !__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED))
        return;
    word_general(h, cell0, word, cur, leaf_of(h, pc));
}

/* rt_race_word's first cell, this thread's own of an older epoch and of
 * cur's atomicity, says something cur does not (a thread's first access in
 * a new epoch to a word it accessed otherwise before: zstd's match tables);
 * the second, c1 (0 when there is none), is empty, our own of an older
 * epoch, or another thread's ordered before cur. No race is possible, and
 * this is what check() decides there, without its general loop: cur goes
 * first; the first cell's access moves to the second, unless that holds
 * something cur does not subsume and is no dearer to forget than it
 * (forget_cost), when cur takes the first cell's place. A cell that
 * changed meanwhile (another thread evicting) sends it to word_general. */
static __attribute__((noinline)) void own_displaced(struct rt_hb_thread *h, rt_cell *cell0,
                                                    uintptr_t word, rt_cell cur, rt_cell c0,
                                                    rt_cell c1, rt_ct_node leaf)
{
    struct rt_shadow_ref r;
    rt_ct_node node0;
    rt_shadow_ref_first(cell0, word, &r);
    rt_shadow_ref_second(cell0, word, &r);
    if ((c0 & RT_CELL_MORE) && rt_cell_acc(c1) && !subsumes(cur, c1)) {
        bool own1 = rt_cell_slot(c1) == h->slot;
        if (forget_cost(c0, true, false, true) <= forget_cost(c1, own1, false, true)) {
            put(&r, 0, c0, cur | RT_CELL_MORE, leaf, true);
            return;
        }
    }
    if (!(c0 & RT_CELL_MORE))
        c1 = __atomic_load_n(r.cell[1], __ATOMIC_RELAXED);
    /* the copy goes first: until cur is in place it is unseen or a duplicate */
    if (!node_of_cell(&r, 0, c0, &node0) || !put(&r, 1, c1, c0 & ~RT_CELL_MORE, node0, false)) {
        word_general(h, cell0, word, cur, leaf);
        return;
    }
    put(&r, 0, c0, cur | RT_CELL_MORE, leaf, true);
}

/* rt_race_word's only cell, another thread's of cur's atomicity ordered
 * before cur (memory handed over, or a table another thread's job filled):
 * no race is possible, and this is what check() decides there. cur takes
 * the cell when it subsumes it; else the old access moves to the second
 * cell and cur goes first. Compare-and-swaps, as that thread may be
 * storing too; one that fails sends it to word_general. */
static __attribute__((noinline)) void handed_over(struct rt_hb_thread *h, rt_cell *cell0,
                                                  uintptr_t word, rt_cell cur, rt_cell c0,
                                                  rt_ct_node leaf)
{
    struct rt_shadow_ref r;
    rt_ct_node node0;
    rt_shadow_ref_first(cell0, word, &r);
    if (subsumes(cur, c0)) {
        if (!put(&r, 0, c0, cur, leaf, false))
            word_general(h, cell0, word, cur, leaf);
        return;
    }
    rt_shadow_ref_second(cell0, word, &r);
    if (!node_of_cell(&r, 0, c0, &node0) ||
        !put(&r, 1, __atomic_load_n(r.cell[1], __ATOMIC_RELAXED), c0, node0, false) ||
        !put(&r, 0, c0, cur | RT_CELL_MORE, leaf, false))
        word_general(h, cell0, word, cur, leaf);
}

/* ---- pending words ----------------------------------------------------------------
 *
 * A thread's first access in a new epoch to part of a word whose only cell
 * says more than it (the thread's own cell of an older epoch: a sweep that
 * reads and writes an array half a word at a time; another thread's,
 * ordered before it: memory handed over) needs a second cell until this
 * epoch's accesses say all the old cell says, which a sweep does a few
 * accesses later. Storing that second cell costs a page of the second
 * plane for every 2.7 KiB swept, and two more cache lines per word. So the
 * accesses are held back instead, in the thread's state (h->pending, as
 * one cell and node), and put in the first cell once they subsume the old
 * one (a plain store over our own cell, a compare-and-swap over
 * another's). Whoever else accesses the word meanwhile
 * sees the old cell: unordered with it, the race is reported against it
 * (a true race, its line true); ordered after it, what they do changes the
 * first cell (FastTrack: an epoch another thread knows is over, so no
 * access of theirs is covered by the old cell), the compare-and-swap
 * fails, and the general check of the held-back accesses, with their node,
 * finds any race with them. Nothing is held across a change of the
 * thread's clock (rt_race_settle, before every release and acquire), so
 * that check decides what it would have decided at the accesses. A word
 * whose shadow was reset meanwhile (freed, unmapped) forgets them. */

/* Entry i of h's held-back words goes to the shadow now: the way the
 * access would have gone when the word still holds the old cell, else the
 * general check. Called with h->busy raised (a signal handler's accesses
 * must not move the entries under us). */
static __attribute__((noinline)) void pending_flush(struct rt_hb_thread *h, unsigned i)
{
    rt_cell *cell0 = h->pending[i].cell0, raw, cur = h->pending[i].cur,
            expected = h->pending[i].expected;
    uintptr_t word = h->pending[i].word;
    rt_ct_node node = h->pending[i].node;
    bool own = h->pending[i].own, freeing = rt_race_freeing;
    pending_forget(h, i);
    rt_race_freeing = false; /* when a free meets the word: its accesses are not the free */
    raw = rt_cell_load(cell0);
    if (raw == expected) {
        if (h->pending_credit > -64)
            h->pending_credit -= 8; /* held back for nothing */
        if (own)
            own_displaced(h, cell0, word, cur, raw, 0, node);
        else
            handed_over(h, cell0, word, cur, raw, node);
    } else if (raw != 0) {
        word_general(h, cell0, word, cur, node);
    }
    rt_race_freeing = freeing;
}

/* Is holding back worth it for h now? Not while its held-back accesses
 * mostly went to the shadow without settling (a table read in a new epoch
 * here and there, as zstd's match tables, rather than a sweep): those
 * cost more than the second cell they end in. A credit, up for each
 * settle, down eight for each waste, and up one for each access not held
 * back, so that a thread whose pattern changes tries again. */
HOT bool pending_worth(struct rt_hb_thread *h)
{
    if (h->pending_credit >= 0)
        return true;
    h->pending_credit++;
    return false;
}

/* Hold back h's access cur (node leaf) to a word whose only cell c0 it
 * does not subsume and cannot race with (own: c0 is h's own). */
static __attribute__((noinline)) void pending_hold(struct rt_hb_thread *h, rt_cell *cell0,
                                                   uintptr_t word, rt_cell c0, rt_cell cur,
                                                   rt_ct_node leaf, bool own)
{
    unsigned i = 0;
    h->busy++;
    while (i < RT_HB_PENDING && h->pending[i].word)
        i++;
    if (i == RT_HB_PENDING) { /* all taken: one, in turn, goes to the shadow */
        i = h->pending_next++ % RT_HB_PENDING;
        pending_flush(h, i);
    }
    h->pending[i].word = word;
    h->pending[i].cell0 = cell0;
    h->pending[i].expected = c0;
    h->pending[i].cur = cur;
    h->pending[i].node = leaf;
    h->pending[i].own = own;
    h->pending_mask |= pending_bit(word);
    h->busy--;
}

/* h's access cur (node leaf) to a word it holds accesses of: joined to
 * them (true), put in the first cell with them once they subsume the old
 * cell. False when the word has none, or they had to go to the shadow
 * first (the old cell changed, another epoch or atomicity, a free): the
 * caller then checks cur as usual. */
HOT bool pending_hit(struct rt_hb_thread *h, uintptr_t word, rt_cell cur, rt_ct_node leaf)
{
    unsigned i = 0;
    bool done = false;
    while (h->pending[i].word != word)
        if (++i == RT_HB_PENDING)
            return false;
    h->busy++;
    if (h->pending[i].word == word) { /* again: a signal handler may have flushed it */
        rt_cell held = h->pending[i].cur, expected = h->pending[i].expected;
        rt_cell *cell0 = h->pending[i].cell0;
        if (rt_cell_load(cell0) == expected && !rt_race_freeing &&
            ((held ^ cur) & (RT_CELL_WHO | RT_CELL_ATOMIC)) == 0) {
            uint32_t changed = changed_bytes(held, cur);
            rt_ct_node old = h->pending[i].node, node = old;
            if (changed)
                node = leaf_alone(held, old, leaf, changed) ? leaf : composed(h, old, leaf, changed);
            if (node) {
                struct rt_shadow_ref r;
                held |= cur & RT_CELL_BYTES;
                h->pending[i].cur = held;
                h->pending[i].node = node;
                done = true;
                rt_shadow_ref_first(cell0, word, &r);
                /* our own cell: a plain store, as for any own cell (an
                 * eviction racing with it can only lose an access) */
                if (changed && subsumes(held, expected)) {
                    if (put(&r, 0, expected, held, node, h->pending[i].own)) {
                        pending_forget(h, i);
                        if (h->pending_credit < 64)
                            h->pending_credit++;
                    } else {
                        pending_flush(h, i); /* changed since we looked */
                    }
                }
            }
        }
        if (!done)
            pending_flush(h, i);
    }
    h->busy--;
    return done;
}

void rt_race_settle_slow(struct rt_hb_thread *h)
{
    h->busy++;
    for (unsigned i = 0; i < RT_HB_PENDING; i++)
        if (h->pending[i].word)
            pending_flush(h, i);
    h->busy--;
}

void rt_race_pending_drop(struct rt_hb_thread *h)
{
    for (unsigned i = 0; i < RT_HB_PENDING; i++)
        h->pending[i].word = 0;
    h->pending_mask = 0;
}

/* Is cell c (not empty) ordered before h's access now: h's own (program
 * order), or another thread's of an epoch h knows of (FastTrack)? */
HOT bool ordered_before(const struct rt_hb_thread *h, rt_cell c)
{
    return rt_cell_slot(c) == h->slot || rt_cell_epoch(c) <= rt_vc_get(&h->vc, rt_cell_slot(c));
}

/* May cur (of another slot than the word's first cell) take the place of
 * the word's second cell c1 as well: empty, or ordered before cur and
 * subsumed by it (check() would find it redundant)? */
HOT bool ordered_inside(const struct rt_hb_thread *h, rt_cell c1, rt_cell cur)
{
    if (!rt_cell_acc(c1))
        return true;
    return !(c1 & RT_CELL_BUSY) && subsumes(cur, c1) && ordered_before(h, c1);
}

/* Can the word's second cell c1 not race with cur, and is it not a cell
 * cur would join (this thread's of this epoch and atomicity)? Empty, or
 * ordered before cur and not being replaced. */
HOT bool ordered_aside(const struct rt_hb_thread *h, rt_cell c1, rt_cell cur)
{
    if (!rt_cell_acc(c1))
        return true;
    if (c1 & RT_CELL_BUSY)
        return false;
    if (rt_cell_slot(c1) == h->slot)
        return rt_cell_epoch(c1) != h->epoch || ((c1 ^ cur) & RT_CELL_ATOMIC);
    return ordered_before(h, c1);
}

/* rt_race_word's two cells, the first another thread's, both ordered
 * before cur (ordered_aside), cur not subsuming both: what check() decides
 * there, without its loop. A cell cur subsumes is replaced (the first
 * before the second); else the cheaper to forget (forget_cost; the first
 * on a tie). cur goes first: in the first cell's place, or with the first
 * cell's access moved to the second. A cell that changed meanwhile sends
 * it to word_general. */
static __attribute__((noinline)) void two_ordered(struct rt_hb_thread *h, rt_cell *cell0,
                                                  uintptr_t word, rt_cell cur, rt_cell c0,
                                                  rt_cell c1, rt_ct_node leaf)
{
    struct rt_shadow_ref r;
    rt_ct_node node0;
    bool own1 = rt_cell_slot(c1) == h->slot, first;
    rt_shadow_ref_first(cell0, word, &r);
    rt_shadow_ref_second(cell0, word, &r);
    if (subsumes(cur, c0))
        first = true;
    else if (!rt_cell_acc(c1) || subsumes(cur, c1))
        first = false;
    else
        first = forget_cost(c0, false, false, true) <=
                forget_cost(c1, own1, own1 && rt_cell_epoch(c1) == h->epoch, true);
    if (first) {
        if (!put(&r, 0, c0, cur | RT_CELL_MORE, leaf, false))
            word_general(h, cell0, word, cur, leaf);
        else if (rt_cell_acc(c1) && subsumes(cur, c1))
            __atomic_compare_exchange_n(r.cell[1], &c1, 0, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED);
        return;
    }
    if (!node_of_cell(&r, 0, c0, &node0) || !put(&r, 1, c1, c0 & ~RT_CELL_MORE, node0, false) ||
        !put(&r, 0, c0, cur | RT_CELL_MORE, leaf, false))
        word_general(h, cell0, word, cur, leaf);
}

/* rt_race_word's two cells, the first another thread's, both ordered
 * before cur and subsumed by it (a slot of a queue written again after its
 * reader took it): cur takes the first, and the second, which the first no
 * longer announces, is emptied. What check() decides there. A first cell
 * that changed meanwhile sends it to word_general. */
static __attribute__((noinline)) void hands_both_over(struct rt_hb_thread *h, rt_cell *cell0,
                                                      uintptr_t word, rt_cell cur, rt_cell c0,
                                                      rt_cell c1, rt_ct_node leaf)
{
    struct rt_shadow_ref r;
    rt_shadow_ref_first(cell0, word, &r);
    if (!put(&r, 0, c0, cur, leaf, false)) {
        word_general(h, cell0, word, cur, leaf);
        return;
    }
    __atomic_compare_exchange_n(rt_shadow_second(cell0, word), &c1, 0, false, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
}

/* The quick cases of an access to a word, its leaf known: true when done,
 * false for the general check (word_general). The most common: the word's
 * first cell is this thread's own (private memory), of the same atomicity,
 * and the memos know the nodes. Same epoch: cur joins it (merge); an older
 * epoch that cur subsumes: cur takes it over. A second cell does not stop
 * it when it cannot race with cur: empty, this thread's own (program
 * order), or another thread's ordered before cur (memory handed over: a
 * buffer another thread filled, read here bit by bit, keeps that write in
 * the second cell). It is emptied when the first now says all it said.
 * Also: an empty first cell, another thread's ordered ones (handed_over,
 * hands_both_over, two_ordered) and held-back accesses (pending words).
 * rt_race_word's way once the memos know the leaf, and a range's words'
 * first try (word_slow). */
HOT bool word_quick(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                    rt_ct_node leaf)
{
    const rt_cell slot_mask = (RT_CELL_SLOTS - 1ull) << 32;
    rt_cell c0 = rt_cell_load(cell0), c1 = 0, merged, *second = 0;
    struct rt_shadow_ref r;
    rt_ct_node old, node;
    if ((c0 & RT_CELL_BUSY) || ((c0 ^ cur) & RT_CELL_ATOMIC))
        return false;
    if (c0 == 0) { /* memory nobody accessed since it was made */
        rt_shadow_ref_first(cell0, word, &r);
        return put(&r, 0, 0, cur, leaf, false);
    }
    /* held-back accesses exist only for words whose only cell is another
     * thread's ordered one or our own of an older epoch, as below: where
     * the cell changed, they join what cur leaves when they settle */
    if (!rt_cell_acc(c0))
        return false;
    if ((c0 ^ cur) & slot_mask) {
        if (!ordered_before(h, c0))
            return false;
        if (c0 & RT_CELL_MORE) {
            second = rt_shadow_second(cell0, word);
            c1 = rt_cell_load(second);
            if (subsumes(cur, c0) && ordered_inside(h, c1, cur))
                hands_both_over(h, cell0, word, cur, c0, c1, leaf);
            else if (ordered_aside(h, c1, cur))
                two_ordered(h, cell0, word, cur, c0, c1, leaf);
            else
                return false;
            return true;
        }
        if (pending_maybe(h, word) && pending_hit(h, word, cur, leaf))
            return true;
        /* a read cannot subsume a write: held back, it would only wait */
        if (!subsumes(cur, c0) && !(rt_cell_wr(c0) && !rt_cell_wr(cur)) && pending_worth(h))
            pending_hold(h, cell0, word, c0, cur, leaf, false);
        else
            handed_over(h, cell0, word, cur, c0, leaf);
        return true;
    }
    if (c0 & RT_CELL_MORE) {
        second = rt_shadow_second(cell0, word);
        c1 = rt_cell_load(second);
        if (rt_cell_acc(c1) && ((c1 & RT_CELL_BUSY) || !ordered_before(h, c1)))
            return false;
    }
    rt_shadow_ref_first(cell0, word, &r);
    old = __atomic_load_n(r.node[0], __ATOMIC_RELAXED);
    if (rt_cell_epoch(c0) == rt_cell_epoch(cur)) {
        uint32_t changed = changed_bytes(c0, cur);
        if (changed == 0)
            return true;
        merged = c0 | (cur & RT_CELL_BYTES);
        node = leaf_alone(c0, old, leaf, changed) ? leaf : composed_known(h, old, leaf, changed);
        if (node == 0 && (node = composed_call(h, old, leaf, changed)) == 0)
            return false;   /* the tree is full */
    } else {
        if (!(c0 & RT_CELL_MORE) && pending_maybe(h, word) && pending_hit(h, word, cur, leaf))
            return true;
        if (!subsumes(cur, c0)) {
            /* a second cell of ours of this epoch is check()'s to join */
            if (rt_cell_acc(c1) && !((c1 ^ cur) & slot_mask) &&
                rt_cell_epoch(c1) == rt_cell_epoch(cur))
                return false;
            if (!(c0 & RT_CELL_MORE) && pending_worth(h))
                pending_hold(h, cell0, word, c0, cur, leaf, true);
            else
                own_displaced(h, cell0, word, cur, c0, c1, leaf);
            return true;
        }
        merged = cur | (c0 & RT_CELL_MORE);
        node = leaf;
    }
    put(&r, 0, c0, merged, node, true);
    /* a second cell (ordered before cur) the first now holds says nothing more */
    if (rt_cell_acc(c1) && subsumes(merged, c1))
        __atomic_compare_exchange_n(second, &c1, 0, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return true;
}

void rt_race_word(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                  uintptr_t pc)
{
    rt_ct_node leaf;
    unsigned k;
    if (h->busy || rt_hb_ignores(h, rt_cell_wr(cur) != 0) || !(leaf = leaf_known(h, pc, &k)) ||
        !word_quick(h, cell0, word, cur, leaf))
        race_word_full(h, cell0, word, cur, pc);
}

/* A word of a range (range, range_word): the quick cases first, as for a
 * single access, then the general check. A free takes the general check
 * (its marker goes on every byte it covers, covered or not). */
static __attribute__((noinline)) void word_slow(struct rt_hb_thread *h, rt_cell *cell0,
                                                uintptr_t word, rt_cell cur, rt_ct_node leaf)
{
    if (rt_race_freeing || !word_quick(h, cell0, word, cur, leaf))
        word_general(h, cell0, word, cur, leaf);
}

void rt_race_word_exported(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                           uintptr_t pc) __asm__(RT_LINKED_NAME("race_word"))
    __attribute__((alias("rt_race_word"), visibility("default")));

void rt_race_word2(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur0,
                   rt_cell cur1, uintptr_t pc)
{
    unsigned kind = rt_cell_atomic(cur0) ? RT_ACCESS_ATOMIC : 0;
    if (!rt_cell_covers(rt_cell_load(cell0), cur0, kind))
        rt_race_word(h, cell0, word, cur0, pc);
    if (!rt_cell_covers(rt_cell_load(cell0 + 1), cur1, kind))
        rt_race_word(h, cell0 + 1, word + 8, cur1, pc);
}
void rt_race_word2_exported(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur0,
                            rt_cell cur1, uintptr_t pc) __asm__(RT_LINKED_NAME("race_word2"))
    __attribute__((alias("rt_race_word2"), visibility("default")));

/* Bytes [addr, addr + n) of one word (n <= 8, not crossing it). A free
 * (`all`) is recorded even where the thread's own cell covers it, so that
 * its marker leaf replaces the earlier line. */
static void range_word(struct rt_hb_thread *h, uintptr_t addr, unsigned n, unsigned kind,
                       uintptr_t pc, rt_ct_node *leaf, bool all)
{
    uintptr_t word = addr & ~(uintptr_t)7;
    rt_cell *cell0 = rt_shadow_cell(addr), cur;
    if (!cell0)
        return;
    cur = rt_cell_of(h, ((1u << n) - 1) << (addr - word), kind);
    if (!all && rt_race_covered(cell0, addr, cur, kind))
        return;
    if (*leaf == RT_CT_ROOT)
        *leaf = leaf_of(h, pc);
    word_slow(h, cell0, word, cur, *leaf);
}

/* A range: its partial words one by one, its whole words walking the
 * cells of each region in order, with one cell value and one leaf for
 * all. `leaf` is the node to record (RT_CT_ROOT: the leaf of pc, made when
 * first needed); `all` checks and records every word, covered or not. */
static void range(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size, unsigned kind,
                  uintptr_t pc, rt_ct_node leaf, bool all)
{
    uintptr_t end = addr + size, full_end = end & ~(uintptr_t)7;
    rt_cell cur;
    if (h->busy || end < addr || !__atomic_load_n(&rt_hb_enabled, __ATOMIC_RELAXED))
        return;
    if (addr & 7) {
        unsigned n = (unsigned)(8 - (addr & 7));
        if (n > size)
            n = (unsigned)size;
        range_word(h, addr, n, kind, pc, &leaf, all);
        addr += n;
    }
    cur = rt_cell_of(h, 0xff, kind);
    while (addr < full_end) {
        uintptr_t region_end = (addr | ((1ul << RT_SHADOW_REGION_SHIFT) - 1)) + 1;
        uintptr_t stop = full_end < region_end ? full_end : region_end;
        rt_cell *cell0 = rt_shadow_cell(addr);
        if (!cell0)
            return;
        for (; addr < stop; addr += 8, cell0++) {
            if (all || !rt_race_covered(cell0, addr, cur, kind)) {
                if (leaf == RT_CT_ROOT)
                    leaf = leaf_of(h, pc);
                word_slow(h, cell0, addr, cur, leaf);
            }
        }
    }
    if (addr < end)
        range_word(h, addr, (unsigned)(end - addr), kind, pc, &leaf, all);
}

void rt_race_access_split(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size,
                          unsigned kind, uintptr_t pc)
{
    range(h, addr, size, kind, pc, RT_CT_ROOT, false);
}

__thread bool rt_race_freeing;

void rt_race_free(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size, uintptr_t pc)
{
    if (h->busy || size == 0 || rt_hb_ignores(h, true)) /* a free is a write */
        return;
    if (size > RT_RACE_FREE_BYTES)
        size = RT_RACE_FREE_BYTES;
    rt_race_freeing = true;
    range(h, addr, size, RT_ACCESS_WRITE, pc, rt_ct_child(h->ct, leaf_of(h, pc), RT_CT_FREE_PC),
          true);
    rt_race_freeing = false;
}

void rt_race_alloc(struct rt_hb_thread *h, uintptr_t addr, uintptr_t size, uintptr_t pc)
{
    if (h->busy || size == 0 || rt_hb_ignores(h, true))
        return;
    if (size > RT_RACE_FREE_BYTES)
        size = RT_RACE_FREE_BYTES;
    range(h, addr, size, RT_ACCESS_WRITE, pc, RT_CT_ROOT, true);
}

/* Does cell c say another thread than h's slot accessed the word? */
static inline bool cell_of_other(rt_cell c, const struct rt_hb_thread *h)
{
    return !rt_cell_empty(c) && rt_cell_slot(c) != h->slot;
}

static bool word_shared(const struct rt_hb_thread *h, uintptr_t word)
{
    uintptr_t region = rt_shadow_region_mapped(word);
    rt_cell *cell0, c;
    if (!region)
        return false; /* nobody accessed anything near it */
    cell0 = rt_shadow_cell_in(region, word);
    c = rt_cell_load(cell0);
    if (cell_of_other(c, h))
        return true;
    return (c & RT_CELL_MORE) && cell_of_other(rt_cell_load(rt_shadow_second(cell0, word)), h);
}

bool rt_race_location_shared(const struct rt_hb_thread *h, uintptr_t addr, uintptr_t size)
{
    for (uintptr_t word = addr & ~(uintptr_t)7; word < addr + size; word += 8)
        if (word_shared(h, word))
            return true;
    return false;
}
