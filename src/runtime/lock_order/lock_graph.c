/*
 * lock_graph: locks and edges, and the topological order of the graph's
 * strongly connected components (graph.h; docs/design.md §3).
 *
 * For reachability the graph keeps only the *immediate* edges, from the
 * top of an acquired chain's parent to its lock: every other edge h -> l
 * of the chain follows from them (h was held, continuously, when each lock
 * above it in the chain was taken). The components are kept in a
 * topological order as edges arrive, after Marchetti-Spaccamela, Nanni
 * and Rohnert (1996) as Pearce and Kelly present it ("A dynamic
 * topological sort algorithm for directed acyclic graphs", JEA 2006): an
 * edge that goes forward in the order costs nothing; one that goes back
 * searches forward from its target over the components placed between its
 * ends, and either moves the ones it reaches after its source or, when it
 * reaches the source, merges the components on the new cycle into one.
 */
#include "graph.h"

#include <stdio.h>
#include <string.h>

rt_spin_t lo_lock = RT_SPIN_INIT;
unsigned long long lo_steps;

unsigned long long rt_graph_search_steps(void)
{
    return lo_steps;
}

/* ---- tables: open addressing, grown at 3/4 -------------------------------------- */

struct ptab {
    void **slot;
    size_t mask, n;
};

static void ptab_grow(struct ptab *t, uint64_t (*hash_of)(const void *))
{
    size_t slots = t->slot ? (t->mask + 1) * 2 : 1024;
    void **s = rt_alloc(slots * sizeof *s);
    for (size_t i = 0; t->slot && i <= t->mask; i++) {
        size_t j;
        if (!t->slot[i])
            continue;
        for (j = hash_of(t->slot[i]) & (slots - 1); s[j]; j = (j + 1) & (slots - 1))
            ;
        s[j] = t->slot[i];
    }
    if (t->slot)
        rt_free(t->slot, (t->mask + 1) * sizeof *s);
    t->slot = s;
    t->mask = slots - 1;
}

static struct ptab pairs;

static uint64_t pair_hash(const struct lo_node *from, const struct lo_node *to)
{
    return rt_mix64((uintptr_t)from * 0x9e3779b97f4a7c15ull ^ (uintptr_t)to);
}
static uint64_t pair_hash_of(const void *p)
{
    return pair_hash(((const struct lo_pair *)p)->from, ((const struct lo_pair *)p)->to);
}

/* ---- the topological order ---------------------------------------------------------- */

static struct lo_node **order;   /* order[k]: the representative placed k-th, or NULL */
static uint32_t norder;
static size_t caporder;
static uint32_t stamp;           /* 1 .. MARK_MAX; 0: never marked */
#define MARK_MAX ((1u << 30) - 1)

/* A new traversal stamp. When the 30 bits wrap, every mark is cleared
 * (only representatives are marked, and they are all in order[]), so that
 * no old mark can equal a new stamp. */
static void next_stamp(void)
{
    if (stamp == MARK_MAX) {
        for (uint32_t i = 0; i < norder; i++)
            if (order[i])
                order[i]->mark = 0;
        stamp = 0;
    }
    stamp++;
}

static struct lo_node *next_member(const struct lo_node *comp, const struct lo_node *m);

struct frame {
    struct lo_node *comp, *member;
    struct lo_node *succ;        /* member's first successor, if not followed yet */
    struct lo_pair *p;           /* member's next out-edge to follow */
};

/* The next immediate successor of f's component to follow, NULL when all
 * were. */
static struct lo_node *frame_next(struct frame *f)
{
    for (;;) {
        if (f->succ) {
            struct lo_node *s = f->succ;
            f->succ = NULL;
            return s;
        }
        if (f->p) {
            struct lo_node *s = f->p->to;
            f->p = f->p->next_out;
            return s;
        }
        f->member = f->member ? next_member(f->comp, f->member) : NULL;
        if (!f->member)
            return NULL;
        f->succ = f->member->succ;
        f->p = lo_out(f->member);
    }
}
static struct frame *frames;
static size_t capframes;
static struct lo_node **seen, **scratch;
static size_t nseen, capseen, capscratch;

struct lo_node *lo_node_get(struct rt_lock *l)
{
    struct lo_node *n = l->graph_node;
    if (n)
        return n;
    n = lo_alloc(sizeof *n);
    rt_lock_pin(l); /* never recycled: the pointer to n stays with it */
    order = rt_grow(order, &caporder, (size_t)norder + 1, sizeof *order);
    n->ord = norder;
    order[norder++] = n;
    l->graph_node = n;
    return n;
}

struct lo_member *lo_more(struct lo_node *n)
{
    if (!n->m) {
        n->m = lo_alloc(sizeof *n->m);
        n->m->rep = n;
        n->m->next = n;
        n->m->size = 1;
    }
    return n->m;
}

struct lo_pair *lo_pair_find(struct lo_node *from, struct lo_node *to)
{
    if (!pairs.slot)
        return NULL;
    for (size_t i = pair_hash(from, to) & pairs.mask; pairs.slot[i]; i = (i + 1) & pairs.mask) {
        struct lo_pair *p = pairs.slot[i];
        if (p->from == from && p->to == to)
            return p;
    }
    return NULL;
}

struct lo_pair *lo_pair_get(struct lo_node *from, struct lo_node *to)
{
    struct lo_pair *p;
    size_t i;
    if ((pairs.n + 1) * 4 > (pairs.mask + 1) * 3 || !pairs.slot)
        ptab_grow(&pairs, pair_hash_of);
    for (i = pair_hash(from, to) & pairs.mask; pairs.slot[i]; i = (i + 1) & pairs.mask) {
        p = pairs.slot[i];
        if (p->from == from && p->to == to)
            return p;
    }
    p = lo_alloc(sizeof *p);
    p->from = from;
    p->to = to;
    pairs.slot[i] = p;
    pairs.n++;
    return p;
}

/* The member of comp's component after m, NULL after the last. */
static struct lo_node *next_member(const struct lo_node *comp, const struct lo_node *m)
{
    if (!m->m || m->m->next == comp)
        return NULL;
    return m->m->next;
}

/* Depth-first from y over the components placed no later than ub (x's
 * place), marking each it reaches and whether it reaches x; x itself is
 * not followed (all its edges go further on, but for the new one). The
 * components reached are left in seen[], each after those it reaches.
 * Returns whether y reaches x: the new edge x -> y closes a cycle. */
static bool forward(struct lo_node *y, struct lo_node *x, uint32_t ub)
{
    size_t n = 0;
    nseen = 0;
    next_stamp();
    y->mark = stamp;
    y->reach = false;
    frames = rt_grow(frames, &capframes, 1, sizeof *frames);
    frames[n++] = (struct frame){y, y, y->succ, lo_out(y)};
    while (n > 0) {
        struct frame *f = &frames[n - 1];
        struct lo_node *z = frame_next(f);
        if (!z) {
            struct lo_node *done = f->comp;
            seen = rt_grow(seen, &capseen, nseen + 1, sizeof *seen);
            seen[nseen++] = done;
            if (--n > 0)
                frames[n - 1].comp->reach |= done->reach;
            continue;
        }
        z = lo_rep(z);
        lo_steps++;
        if (z == f->comp || z->ord > ub)
            continue;
        if (z->mark == stamp) {
            f->comp->reach |= z->reach;
            continue;
        }
        z->mark = stamp;
        z->reach = z == x;
        if (z == x) {
            f->comp->reach = true;
            continue;
        }
        frames = rt_grow(frames, &capframes, n + 1, sizeof *frames);
        frames[n++] = (struct frame){z, z, z->succ, lo_out(z)};
    }
    return y->reach;
}

/* The components reached that reach x, and x, become one. */
static struct lo_node *merge(struct lo_node *x)
{
    struct lo_node *rep = NULL;
    unsigned total = 0;
    seen = rt_grow(seen, &capseen, nseen + 1, sizeof *seen);
    seen[nseen++] = x;
    for (size_t i = 0; i < nseen; i++) {
        struct lo_node *s = seen[i], *v = s;
        if (!s->reach)
            continue;
        lo_more(s);
        do {
            v->m->old_rep = s;
        } while ((v = next_member(s, v)) != NULL);
        total += s->m->size;
        if (!rep || s->m->size > rep->m->size)
            rep = s;
    }
    for (size_t i = 0; i < nseen; i++) {
        struct lo_node *s = seen[i], *v = s, *after;
        if (!s->reach || s == rep)
            continue;
        do {
            v->m->rep = rep;
        } while ((v = next_member(s, v)) != NULL);
        after = rep->m->next; /* splice the two circular lists */
        rep->m->next = s->m->next;
        s->m->next = after;
    }
    rep->m->size = total;
    return rep;
}

/* A new immediate edge a -> b: keep the order topological. */
static void order_add(struct lo_node *a, struct lo_node *b)
{
    struct lo_node *x = lo_rep(a), *y = lo_rep(b), *merged = NULL;
    uint32_t lb, ub, k = 0;
    if (x == y || x->ord < y->ord)
        return;
    lb = y->ord;
    ub = x->ord;
    if (forward(y, x, ub))
        merged = merge(x);
    /* the region lb..ub: first what y does not reach (x among it), then
     * the new component, then what y reaches; each part in its old order */
    scratch = rt_grow(scratch, &capscratch, ub - lb + 1, sizeof *scratch);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = lb; i <= ub; i++) {
            struct lo_node *c = order[i];
            lo_steps++;
            if (!c || (c->mark == stamp && c->reach))
                continue; /* an empty place, or merged */
            if ((c->mark == stamp) == (pass == 1))
                scratch[k++] = c;
        }
        if (pass == 0 && merged)
            scratch[k++] = merged;
    }
    for (uint32_t i = 0; i < k; i++) {
        order[lb + i] = scratch[i];
        scratch[i]->ord = lb + i;
    }
    for (uint32_t i = lb + k; i <= ub; i++)
        order[i] = NULL;
    if (merged)
        lo_contexts_after_merge(merged);
}

/* ---- the record -------------------------------------------------------------------- */

void lo_record_edge(const struct rt_chain *from, const struct rt_chain *c)
{
    struct rt_buf b = {0};
    struct rt_thread *t = rt_thread_by_id(c->thread);
    bool first = true;
    rt_record_lock();
    if (t)
        rt_record_def_thread(t);
    rt_record_def_lock(from->lock);
    rt_record_def_lock(c->lock);
    rt_record_def_stack(from->stack);
    rt_record_def_stack(c->stack);
    rt_buf_printf(&b, "{\"t\":\"edge\",\"from\":%llu,\"to\":%llu,\"thread\":%d,\"from_stack\":%d,"
                      "\"to_stack\":%d,\"gate\":[",
                  (unsigned long long)from->lock->id, (unsigned long long)c->lock->id, c->thread,
                  from->stack == RT_NO_STACK ? -1 : (int)from->stack,
                  c->stack == RT_NO_STACK ? -1 : (int)c->stack);
    for (const struct rt_chain *g = c->parent; g; g = g->parent) {
        if (g == from)
            continue;
        rt_buf_printf(&b, "%s%llu", first ? "" : ",", (unsigned long long)g->lock->id);
        first = false;
    }
    rt_buf_printf(&b, "],\"trylock\":%s,\"from_mode\":\"%s\",\"to_mode\":\"%s\"}",
                  c->flags & RT_CHAIN_TRYLOCK ? "true" : "false",
                  from->flags & RT_CHAIN_WRITE ? "write" : "read",
                  c->flags & RT_CHAIN_WRITE ? "write" : "read");
    rt_record_emit(&b);
    rt_record_unlock();
    rt_buf_free(&b);
}

/* record_lock_graph: an edge line for each pair of locks the chain is the
 * first to show. */
static void record_pairs(const struct rt_chain *c, struct lo_node *b)
{
    for (const struct rt_chain *q = c->parent; q; q = q->parent) {
        struct lo_pair *p = lo_pair_get(lo_node_get(q->lock), b);
        if (!p->recorded) {
            p->recorded = true;
            lo_record_edge(q, c);
        }
    }
}

/* ---- learning an acquired chain -------------------------------------------------------- */

/* c is acquired, with b's lock on top (graph.h: struct lo_chains). */
static void chains_add(struct lo_node *b, const struct rt_chain *c)
{
    struct lo_chains *v;
    if (!b->chains) {
        b->chains = (uintptr_t)c;
        return;
    }
    if (!(b->chains & 1)) {
        v = rt_alloc(sizeof *v + 4 * sizeof v->c[0]);
        v->cap = 4;
        v->c[v->n++] = (const struct rt_chain *)b->chains;
    } else {
        v = (struct lo_chains *)(b->chains - 1);
        if (v->n == v->cap) {
            v = rt_realloc(v, sizeof *v + v->cap * sizeof v->c[0],
                           sizeof *v + 2 * v->cap * sizeof v->c[0]);
            v->cap *= 2;
        }
    }
    v->c[v->n++] = c;
    b->chains = (uintptr_t)v | 1;
}

static void learn(struct rt_chain *c)
{
    struct lo_node *b = lo_node_get(c->lock), *a = lo_node_get(c->parent->lock);
    struct lo_pair *e;
    if (rt_options.record_lock_graph)
        record_pairs(c, b);
    if (!a->succ) {
        a->succ = b;
        order_add(a, b);
    } else if (a->succ != b && !(e = lo_pair_get(a, b))->immediate) {
        e->immediate = true;
        e->next_out = lo_more(a)->out;
        a->m->out = e;
        order_add(a, b);
    }
    if (lo_in_component(b) && !(c->flags & RT_CHAIN_TRYLOCK))
        lo_contexts_of_chain(c);
    chains_add(b, c);
}

const struct rt_chain *rt_graph_acquired(const struct rt_chain *parent, struct rt_thread *t,
                                         struct rt_lock *l, unsigned flags, rt_stack_id stack)
{
    const struct rt_chain *known = lo_chain_find(parent, l, flags);
    struct rt_chain *c;
    if (known && atomic_load_explicit(&known->acquired, memory_order_acquire))
        return known;
    rt_spin_lock(&lo_lock);
    c = lo_chain_get(parent, t, l, flags, stack);
    if (!atomic_load_explicit(&c->acquired, memory_order_relaxed)) {
        /* it may have been a path only: now the acquisition's */
        c->thread = t->id;
        c->stack = stack;
        learn(c);
        atomic_store_explicit(&c->acquired, true, memory_order_release);
    }
    rt_spin_unlock(&lo_lock);
    return c;
}

void rt_graph_lock_all(void)
{
    rt_spin_lock(&lo_lock);
}

void rt_graph_unlock_all(void)
{
    rt_spin_unlock(&lo_lock);
}
