/*
 * cycles: the contexts of the edges inside a strongly connected component,
 * and the search for a cycle that could deadlock (graph.h; docs/design.md
 * §3).
 *
 * A context d makes another, c, of the same edge redundant when d is no
 * trylock either, d's held set is a subset of c's, and d's modes are at
 * least as strong (write where c writes): any cycle that can use c can use
 * d instead, with the same locks. An edge keeps only contexts none of the
 * others makes redundant, and only those are searched.
 *
 * The search for a cycle through a new context c0 (u -> v) is a depth-first
 * search from v back to u over the contexts of the component, choosing one
 * context per edge. Its state is (lock reached, locks held by the contexts
 * chosen so far, whether the last one took that lock for writing): what is
 * left to find depends on nothing else, since a context can be chosen only
 * if its held set is disjoint from those locks, and the locks already
 * passed are among them. A state that found nothing is remembered for the
 * rest of the search and never explored again. There is no budget: the
 * search ends when it has found a cycle or tried every state.
 */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- contexts ---------------------------------------------------------------------- */

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

static size_t ctx_size(unsigned nheld)
{
    return sizeof(struct lo_ctx) + nheld * sizeof(struct lo_node *);
}

/* Does d make c redundant? Both sorted: a merge walk. */
static bool covers(const struct lo_ctx *d, const struct lo_ctx *c)
{
    unsigned i = 0, j = 0;
    if ((c->from_write && !d->from_write) || (c->to_write && !d->to_write) || d->nheld > c->nheld)
        return false;
    while (i < d->nheld) {
        if (j == c->nheld || (uintptr_t)c->held[j] > (uintptr_t)d->held[i])
            return false;
        if (c->held[j++] == d->held[i])
            i++;
    }
    return true;
}

static struct lo_node **tmp;      /* under lo_lock */
static size_t captmp;

/* The context of edge from->lock -> c->lock that chain c gives, kept in
 * the edge's list unless another makes it redundant: then NULL. */
static struct lo_ctx *add_ctx(const struct rt_chain *c, const struct rt_chain *from)
{
    struct lo_node *a = lo_node_get(from->lock), *b = lo_node_get(c->lock);
    struct lo_pair *e = lo_pair_get(a, b);
    struct lo_ctx *x, **pp;
    unsigned n = 0, k = 0;

    for (const struct rt_chain *g = c->parent; g; g = g->parent) {
        tmp = rt_grow(tmp, &captmp, n + 1, sizeof *tmp);
        tmp[n++] = lo_node_get(g->lock);
    }
    qsort(tmp, n, sizeof tmp[0], cmp_ptr);
    for (unsigned i = 0; i < n; i++) /* a lock held twice (read twice) counts once */
        if (i == 0 || tmp[i] != tmp[i - 1])
            tmp[k++] = tmp[i];
    x = rt_alloc(ctx_size(k));
    memcpy(x->held, tmp, k * sizeof tmp[0]);
    x->nheld = k;
    for (unsigned i = 0; i < k; i++)
        x->key ^= rt_mix64((uintptr_t)tmp[i]);
    x->chain = c;
    x->from = from;
    x->from_write = from->flags & RT_CHAIN_WRITE;
    x->to_write = c->flags & RT_CHAIN_WRITE;

    if (!e->in) {
        e->in = lo_alloc(sizeof *e->in);
        e->in->next = a->m->inner;
        a->m->inner = e;
    }
    for (struct lo_ctx *d = e->in->ctxs; d; d = d->next) {
        lo_steps++;
        if (covers(d, x)) {
            rt_free(x, ctx_size(x->nheld));
            return NULL;
        }
    }
    for (pp = &e->in->ctxs; *pp;) {
        struct lo_ctx *d = *pp;
        if (covers(x, d)) {
            *pp = d->next;
            rt_free(d, ctx_size(d->nheld));
        } else {
            pp = &d->next;
        }
    }
    x->next = e->in->ctxs;
    e->in->ctxs = x;
    return x;
}

/* ---- the memo of states that found nothing ------------------------------------------ */

struct memo {
    struct memo *next;           /* in its bucket */
    struct lo_node *at;
    uint64_t key;                /* hash of the held locks */
    bool w;
    unsigned n;
    struct lo_node *held[];      /* the held locks, sorted */
};

/* Scratch memory for one search, given back at its end. */
struct block {
    struct block *next;
    size_t size, used;
    char mem[];
};
static struct block *blocks;
static struct memo **buckets;
static size_t nbuckets, nmemo;

static void *scratch_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (!blocks || blocks->size - blocks->used < size) {
        size_t bsize = size + sizeof(struct block) > (64u << 10) ? size + sizeof(struct block)
                                                                 : (64u << 10);
        struct block *b = rt_alloc(bsize);
        b->size = bsize - sizeof *b;
        b->next = blocks;
        blocks = b;
    }
    blocks->used += size;
    return blocks->mem + blocks->used - size;
}

static void scratch_free(void)
{
    while (blocks) {
        struct block *b = blocks;
        blocks = b->next;
        rt_free(b, b->size + sizeof *b);
    }
    if (buckets)
        rt_free(buckets, nbuckets * sizeof *buckets);
    buckets = NULL;
    nbuckets = nmemo = 0;
}

/* ---- the search ---------------------------------------------------------------------- */

struct step {
    struct lo_node *at;          /* the lock reached */
    bool w;                      /* the context that reached it took it for writing */
    bool fresh;                  /* not looked at yet */
    struct lo_pair *p;           /* the next edge from `at` to try */
    struct lo_ctx *c;            /* the next context of p to try */
};

static struct step *stack;
static size_t capstack;
static struct lo_ctx **path;     /* path[i]: the context that reached stack[i] */
static size_t cappath;
static uint64_t held_key;        /* hash of the locks the chosen contexts hold */
static unsigned nheld;

static void choose(size_t i, struct lo_ctx *c)
{
    path = rt_grow(path, &cappath, i + 2, sizeof *path);
    path[i] = c;
    for (unsigned k = 0; k < c->nheld; k++)
        c->held[k]->held = true;
    held_key ^= c->key;
    nheld += c->nheld;
}

static void unchoose(struct lo_ctx *c)
{
    for (unsigned k = 0; k < c->nheld; k++)
        c->held[k]->held = false;
    held_key ^= c->key;
    nheld -= c->nheld;
}

/* Can c come next, after a context that took its source for writing (w)
 * or reading? */
static bool usable(const struct lo_ctx *c, bool w)
{
    if (!w && !c->from_write)
        return false; /* a reader would wait where a reader holds: no wait */
    for (unsigned k = 0; k < c->nheld; k++)
        if (c->held[k]->held)
            return false; /* two threads cannot both hold it */
    return true;
}

static uint64_t memo_hash(const struct lo_node *at, bool w)
{
    return rt_mix64(held_key ^ (uintptr_t)at * 0x9e3779b97f4a7c15ull ^ (w ? 1u : 0u));
}

/* The locks held by path[0..n-1], sorted, in tmp. */
static void held_now(size_t n)
{
    unsigned k = 0;
    tmp = rt_grow(tmp, &captmp, nheld + 1, sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        for (unsigned j = 0; j < path[i]->nheld; j++)
            tmp[k++] = path[i]->held[j];
    qsort(tmp, k, sizeof tmp[0], cmp_ptr);
}

static bool memo_has(const struct lo_node *at, bool w, size_t n)
{
    bool listed = false;
    if (!buckets)
        return false;
    for (struct memo *m = buckets[memo_hash(at, w) & (nbuckets - 1)]; m; m = m->next) {
        if (m->at != at || m->w != w || m->key != held_key || m->n != nheld)
            continue;
        if (!listed)
            held_now(n);
        listed = true;
        if (memcmp(m->held, tmp, nheld * sizeof tmp[0]) == 0)
            return true;
    }
    return false;
}

static void memo_add(struct lo_node *at, bool w, size_t n)
{
    struct memo *m;
    size_t b;
    if (nmemo + 1 > nbuckets) {
        size_t nb = nbuckets ? nbuckets * 2 : 1024;
        struct memo **bk = rt_alloc(nb * sizeof *bk);
        for (size_t i = 0; i < nbuckets; i++) {
            while (buckets[i]) {
                m = buckets[i];
                buckets[i] = m->next;
                b = rt_mix64(m->key ^ (uintptr_t)m->at * 0x9e3779b97f4a7c15ull ^ (m->w ? 1u : 0u)) &
                    (nb - 1);
                m->next = bk[b];
                bk[b] = m;
            }
        }
        if (buckets)
            rt_free(buckets, nbuckets * sizeof *buckets);
        buckets = bk;
        nbuckets = nb;
    }
    held_now(n);
    m = scratch_alloc(sizeof *m + nheld * sizeof m->held[0]);
    m->at = at;
    m->w = w;
    m->key = held_key;
    m->n = nheld;
    memcpy(m->held, tmp, nheld * sizeof tmp[0]);
    b = memo_hash(at, w) & (nbuckets - 1);
    m->next = buckets[b];
    buckets[b] = m;
    nmemo++;
}

static void report_cycle(struct lo_ctx **cycle, size_t len);

/* Look for a cycle through the new context c0 and report the first one
 * found. */
static void search(struct lo_ctx *c0)
{
    struct lo_node *target = lo_node_get(c0->from->lock);
    size_t n = 1;

    stack = rt_grow(stack, &capstack, 1, sizeof *stack);
    choose(0, c0);
    stack[0] = (struct step){.at = lo_node_get(c0->chain->lock), .w = c0->to_write, .fresh = true};
    while (n > 0) {
        struct step *s = &stack[n - 1];
        if (s->fresh) {
            struct lo_pair *back = lo_pair_find(s->at, target);
            s->fresh = false;
            lo_steps++;
            if (memo_has(s->at, s->w, n)) {
                unchoose(path[--n]);
                continue;
            }
            for (struct lo_ctx *c = back && back->in ? back->in->ctxs : NULL; c; c = c->next) {
                lo_steps++;
                /* closing at target, which c takes and c0's thread holds:
                 * a read taken where a read is held does not wait */
                if (usable(c, s->w) && (c->to_write || c0->from_write)) {
                    path = rt_grow(path, &cappath, n + 1, sizeof *path);
                    path[n] = c;
                    report_cycle(path, n + 1);
                    while (n > 0)
                        unchoose(path[--n]);
                    goto out;
                }
            }
            s->p = s->at->m->inner;
            s->c = s->p ? s->p->in->ctxs : NULL;
        }
        {
            struct lo_ctx *next = NULL;
            struct lo_node *to = NULL;
            while (s->p && !next) {
                struct lo_ctx *c = s->c;
                if (!c || s->p->to == target || s->p->to->held) {
                    s->p = s->p->in->next;
                    s->c = s->p ? s->p->in->ctxs : NULL;
                    continue;
                }
                s->c = c->next;
                lo_steps++;
                if (usable(c, s->w)) {
                    next = c;
                    to = s->p->to;
                }
            }
            if (next) {
                choose(n, next);
                stack = rt_grow(stack, &capstack, n + 1, sizeof *stack);
                stack[n++] = (struct step){.at = to, .w = next->to_write, .fresh = true};
            } else { /* every way on from here tried: remember it */
                memo_add(s->at, s->w, n);
                unchoose(path[--n]);
            }
        }
    }
out:
    scratch_free();
}

/* ---- the finding ------------------------------------------------------------------- */

struct cycle_seen {
    UT_hash_handle hh;
    uint64_t key;
};
static struct cycle_seen *cycles_seen;
static unsigned cycles_reported;

unsigned rt_graph_cycles_reported(void)
{
    return cycles_reported;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A cycle is reported once per set of locks. */
static bool seen_before(struct lo_ctx **cycle, size_t len)
{
    uint64_t *ids = rt_alloc(len * sizeof *ids), key = 0x9e3779b97f4a7c15ull;
    struct cycle_seen *seen;
    for (size_t i = 0; i < len; i++)
        ids[i] = cycle[i]->from->lock->id;
    qsort(ids, len, sizeof ids[0], cmp_u64);
    for (size_t i = 0; i < len; i++)
        key = rt_mix64(key ^ ids[i]);
    rt_free(ids, len * sizeof *ids);
    HASH_FIND(hh, cycles_seen, &key, sizeof key, seen);
    if (seen)
        return true;
    seen = rt_alloc(sizeof *seen);
    seen->key = key;
    HASH_ADD(hh, cycles_seen, key, sizeof seen->key, seen);
    return false;
}

static void report_cycle(struct lo_ctx **cycle, size_t len)
{
    struct rt_lock **locks;
    struct rt_thread **threads;
    struct rt_role_stack *stacks;
    char (*roles)[96];
    int nthreads = 0;
    struct rt_buf summary = {0};

    if (seen_before(cycle, len))
        return;
    cycles_reported++;
    locks = rt_alloc(len * sizeof *locks);
    threads = rt_alloc(len * sizeof *threads);
    stacks = rt_alloc(2 * len * sizeof *stacks);
    roles = rt_alloc(2 * len * sizeof *roles);
    rt_buf_puts(&summary, "lock-order cycle ");
    for (size_t i = 0; i < len; i++) {
        const struct rt_chain *from = cycle[i]->from, *c = cycle[i]->chain;
        struct rt_thread *t = rt_thread_by_id(c->thread);
        bool dup = false;
        locks[i] = from->lock;
        rt_buf_printf(&summary, "{lock:%llu} -> ", (unsigned long long)from->lock->id);
        for (int k = 0; k < nthreads; k++)
            dup |= threads[k] == t;
        if (t && !dup)
            threads[nthreads++] = t;
        snprintf(roles[2 * i], sizeof roles[0], "{thread:%d} took {lock:%llu} here", from->thread,
                 (unsigned long long)from->lock->id);
        snprintf(roles[2 * i + 1], sizeof roles[0],
                 "then {thread:%d} took {lock:%llu} here, while holding {lock:%llu}", c->thread,
                 (unsigned long long)c->lock->id, (unsigned long long)from->lock->id);
        stacks[2 * i] = (struct rt_role_stack){roles[2 * i], from->thread, from->stack};
        stacks[2 * i + 1] = (struct rt_role_stack){roles[2 * i + 1], c->thread, c->stack};
    }
    rt_buf_printf(&summary, "{lock:%llu}: threads taking them in these orders at once can deadlock",
                  (unsigned long long)cycle[0]->from->lock->id);
    /* then its edges, for the lock graph of the report; none for a finding
     * that repeats another's stacks (it is not written) */
    if (rt_finding_emit("lock_order_cycle", summary.p, threads, nthreads, locks, (int)len, stacks,
                        (int)(2 * len), NULL)) {
        for (size_t i = 0; i < len; i++) {
            if (!cycle[i]->recorded) {
                cycle[i]->recorded = true;
                lo_record_edge(cycle[i]->from, cycle[i]->chain);
            }
        }
    }
    rt_buf_free(&summary);
    rt_free(locks, len * sizeof *locks);
    rt_free(threads, len * sizeof *threads);
    rt_free(stacks, 2 * len * sizeof *stacks);
    rt_free(roles, 2 * len * sizeof *roles);
}

/* ---- contexts arriving --------------------------------------------------------------- */

void lo_contexts_after_merge(struct lo_node *rep)
{
    struct lo_node *b = rep;
    do {
        for (unsigned i = 0, nc = lo_node_nchains(b); i < nc; i++) {
            const struct rt_chain *c = lo_node_chain(b, i);
            if (c->flags & RT_CHAIN_TRYLOCK)
                continue;
            for (const struct rt_chain *q = c->parent; q; q = q->parent) {
                struct lo_node *a = lo_node_get(q->lock);
                lo_steps++;
                if (lo_rep(a) == rep && a->m->old_rep != b->m->old_rep)
                    add_ctx(c, q);
            }
        }
        b = b->m->next;
    } while (b != rep);
}

void lo_contexts_of_chain(const struct rt_chain *c)
{
    struct lo_node *b = lo_node_get(c->lock);
    for (const struct rt_chain *q = c->parent; q; q = q->parent) {
        struct lo_node *a = lo_node_get(q->lock);
        struct lo_ctx *x;
        lo_steps++;
        if (lo_rep(a) != lo_rep(b) || a == b)
            continue;
        x = add_ctx(c, q);
        if (x)
            search(x);
    }
}
