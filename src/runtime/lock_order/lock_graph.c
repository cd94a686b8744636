/* lock_graph: see lock_order.h. */
#include "lock_order.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One context in which an edge was seen. */
struct edge_ctx {
    struct edge_ctx *next;
    uint64_t *gate;          /* sorted */
    unsigned ngate;
    bool trylock, from_write, to_write;
    int thread;
    rt_stack_id from_stack, to_stack;
};

struct edge_key {
    uint64_t from, to;
};

struct node;

struct edge {
    UT_hash_handle hh;
    struct edge_key key;
    struct rt_lock *from_lock, *to_lock;
    struct node *to;
    struct edge_ctx *ctxs;
    struct edge *next_out;
};

struct node {
    UT_hash_handle hh;
    uint64_t id;
    struct edge *out;
    bool on_path;
};

struct cycle_seen {
    UT_hash_handle hh;
    uint64_t key;
};

static rt_spin_t graph_lock = RT_SPIN_INIT;
static struct edge *edges;
static struct node *nodes;
static struct cycle_seen *cycles_seen;
static unsigned cycles_reported;

/* The search is exponential in the worst case (dense graphs): it stops after
 * this many steps per new edge, and says so in the record. */
#define SEARCH_BUDGET 200000

unsigned rt_graph_cycles_reported(void)
{
    return cycles_reported;
}

static struct node *node_get(uint64_t id)
{
    struct node *n;
    HASH_FIND(hh, nodes, &id, sizeof id, n);
    if (!n) {
        n = rt_alloc(sizeof *n);
        n->id = id;
        HASH_ADD(hh, nodes, id, sizeof n->id, n);
    }
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool same_ctx(const struct edge_ctx *c, const struct rt_edge_event *e, const uint64_t *gate)
{
    return c->trylock == e->trylock && c->from_write == e->from_write &&
           c->to_write == e->to_write && c->ngate == e->ngate &&
           memcmp(c->gate, gate, sizeof *gate * e->ngate) == 0;
}

/* ---- cycle search --------------------------------------------------------- */

struct search {
    struct node *target;          /* the new edge's source */
    struct edge *path_edges[256];
    struct edge_ctx *path_ctx[256];
    unsigned len;
    unsigned long steps;
    bool cut;
};

static bool holds(const struct edge_ctx *c, uint64_t from, uint64_t id)
{
    if (from == id)
        return true;
    if (c->ngate == 0)
        return false; /* no gate array at all (and bsearch wants one) */
    return bsearch(&id, c->gate, c->ngate, sizeof id, cmp_u64) != NULL;
}

/* Could the thread of context c hold what it holds while the thread of d
 * holds its locks? Not if they share a lock. */
static bool disjoint(const struct edge_ctx *c, uint64_t cfrom, const struct edge_ctx *d, uint64_t dfrom)
{
    if (holds(c, cfrom, dfrom))
        return false;
    for (unsigned i = 0; i < d->ngate; i++)
        if (holds(c, cfrom, d->gate[i]))
            return false;
    return true;
}

static bool compatible(struct search *s, struct edge *e, struct edge_ctx *c)
{
    if (c->trylock)
        return false;
    if (s->len > 0) {
        struct edge_ctx *prev = s->path_ctx[s->len - 1];
        if (!prev->to_write && !c->from_write)
            return false; /* a reader waiting where a reader holds: no wait */
    }
    for (unsigned i = 0; i < s->len; i++)
        if (!disjoint(s->path_ctx[i], s->path_edges[i]->key.from, c, e->key.from))
            return false;
    return true;
}

static uint64_t cycle_key(struct search *s)
{
    uint64_t ids[256], h = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < s->len; i++)
        ids[i] = s->path_edges[i]->key.from;
    qsort(ids, s->len, sizeof ids[0], cmp_u64);
    for (unsigned i = 0; i < s->len; i++)
        h = rt_mix64(h ^ ids[i]);
    return h;
}

static void report_cycle(struct search *s)
{
    struct cycle_seen *seen;
    uint64_t key = cycle_key(s);
    struct rt_lock *locks[256];
    struct rt_thread *threads[256];
    struct rt_role_stack stacks[512];
    char roles[512][96];
    int nthreads = 0;
    struct rt_buf summary = {0};

    HASH_FIND(hh, cycles_seen, &key, sizeof key, seen);
    if (seen)
        return;
    seen = rt_alloc(sizeof *seen);
    seen->key = key;
    HASH_ADD(hh, cycles_seen, key, sizeof seen->key, seen);
    cycles_reported++;

    rt_buf_puts(&summary, "lock-order cycle ");
    for (unsigned i = 0; i < s->len; i++) {
        struct edge *e = s->path_edges[i];
        struct edge_ctx *c = s->path_ctx[i];
        struct rt_thread *t = rt_thread_by_id(c->thread);
        bool dup = false;
        locks[i] = e->from_lock;
        rt_buf_printf(&summary, "{lock:%llu} -> ", (unsigned long long)e->key.from);
        for (int k = 0; k < nthreads; k++)
            dup |= threads[k] == t;
        if (t && !dup)
            threads[nthreads++] = t;
        snprintf(roles[2 * i], sizeof roles[0], "{thread:%d} took {lock:%llu} here", c->thread,
                 (unsigned long long)e->key.from);
        snprintf(roles[2 * i + 1], sizeof roles[0],
                 "then took {lock:%llu} here, while holding {lock:%llu}",
                 (unsigned long long)e->key.to, (unsigned long long)e->key.from);
        stacks[2 * i] = (struct rt_role_stack){roles[2 * i], c->thread, c->from_stack};
        stacks[2 * i + 1] = (struct rt_role_stack){roles[2 * i + 1], c->thread, c->to_stack};
    }
    rt_buf_printf(&summary, "{lock:%llu}: threads taking them in these orders at once can deadlock",
                  (unsigned long long)s->path_edges[0]->key.from);
    rt_finding_emit("lock_order_cycle", summary.p, threads, nthreads, locks, (int)s->len, stacks,
                    (int)(2 * s->len), NULL);
    rt_buf_free(&summary);
}

static void dfs(struct search *s, struct node *at)
{
    if (s->cut)
        return;
    for (struct edge *e = at->out; e; e = e->next_out) {
        if (++s->steps > SEARCH_BUDGET) {
            s->cut = true;
            return;
        }
        if (e->to != s->target && e->to->on_path)
            continue;
        if (s->len >= 255)
            continue;
        for (struct edge_ctx *c = e->ctxs; c; c = c->next) {
            if (!compatible(s, e, c))
                continue;
            s->path_edges[s->len] = e;
            s->path_ctx[s->len] = c;
            s->len++;
            if (e->to == s->target) {
                /* closing junction: back at the first edge's source */
                if (s->path_ctx[s->len - 1]->to_write || s->path_ctx[0]->from_write)
                    report_cycle(s);
            } else {
                e->to->on_path = true;
                dfs(s, e->to);
                e->to->on_path = false;
            }
            s->len--;
            if (s->cut)
                return;
            if (e->to == s->target)
                break; /* one context closing here is enough */
        }
    }
}

static void search_cycles(struct edge *e, struct edge_ctx *c)
{
    static struct search s; /* under graph_lock; too big for small thread stacks */
    memset(&s, 0, sizeof s);
    s.target = node_get(e->key.from);
    s.path_edges[0] = e;
    s.path_ctx[0] = c;
    s.len = 1;
    s.target->on_path = true;
    if (e->to == s.target) {
        s.target->on_path = false;
        return;
    }
    e->to->on_path = true;
    dfs(&s, e->to);
    e->to->on_path = false;
    s.target->on_path = false;
    if (s.cut) {
        struct rt_buf b = {0};
        rt_buf_printf(&b, "{\"t\":\"warning\",\"text\":\"lock-order cycle search stopped after %d "
                          "steps on a dense lock graph; some cycles may be missed\"}",
                      SEARCH_BUDGET);
        rt_record_lock();
        rt_record_emit(&b);
        rt_record_unlock();
        rt_buf_free(&b);
    }
}

/* ---- adding edges ------------------------------------------------------- */

static void record_edge(const struct rt_edge_event *ev, const struct edge_ctx *c)
{
    struct rt_buf b = {0};
    rt_record_lock();
    rt_record_def_thread(ev->thread);
    rt_record_def_lock(ev->from);
    rt_record_def_lock(ev->to);
    rt_record_def_stack(c->from_stack);
    rt_record_def_stack(c->to_stack);
    rt_buf_printf(&b, "{\"t\":\"edge\",\"from\":%llu,\"to\":%llu,\"thread\":%d,\"from_stack\":%d,"
                      "\"to_stack\":%d,\"gate\":[",
                  (unsigned long long)ev->from->id, (unsigned long long)ev->to->id, c->thread,
                  c->from_stack == RT_NO_STACK ? -1 : (int)c->from_stack,
                  c->to_stack == RT_NO_STACK ? -1 : (int)c->to_stack);
    for (unsigned i = 0; i < c->ngate; i++)
        rt_buf_printf(&b, "%s%llu", i ? "," : "", (unsigned long long)c->gate[i]);
    rt_buf_printf(&b, "],\"trylock\":%s,\"from_mode\":\"%s\",\"to_mode\":\"%s\"}",
                  c->trylock ? "true" : "false", c->from_write ? "write" : "read",
                  c->to_write ? "write" : "read");
    rt_record_emit(&b);
    rt_record_unlock();
    rt_buf_free(&b);
}

void rt_graph_add_edge(const struct rt_edge_event *ev)
{
    struct edge_key key = {ev->from->id, ev->to->id};
    struct edge *e;
    struct edge_ctx *c;
    uint64_t gate[ev->ngate + 1];

    memcpy(gate, ev->gate, sizeof gate[0] * ev->ngate);
    qsort(gate, ev->ngate, sizeof gate[0], cmp_u64);

    rt_spin_lock(&graph_lock);
    HASH_FIND(hh, edges, &key, sizeof key, e);
    if (!e) {
        struct node *from = node_get(key.from);
        e = rt_alloc(sizeof *e);
        e->key = key;
        e->from_lock = ev->from;
        e->to_lock = ev->to;
        e->to = node_get(key.to);
        rt_lock_pin(ev->from);
        rt_lock_pin(ev->to);
        e->next_out = from->out;
        from->out = e;
        HASH_ADD(hh, edges, key, sizeof e->key, e);
    }
    for (c = e->ctxs; c; c = c->next) {
        if (same_ctx(c, ev, gate)) {
            rt_spin_unlock(&graph_lock);
            return;
        }
    }
    c = rt_alloc(sizeof *c);
    c->ngate = ev->ngate;
    if (ev->ngate) {
        c->gate = rt_alloc(sizeof gate[0] * ev->ngate);
        memcpy(c->gate, gate, sizeof gate[0] * ev->ngate);
    }
    c->trylock = ev->trylock;
    c->from_write = ev->from_write;
    c->to_write = ev->to_write;
    c->thread = ev->thread->id;
    c->from_stack = ev->from_stack;
    c->to_stack = ev->to_stack;
    /* append: the first context seen stays first (its stacks are reported) */
    {
        struct edge_ctx **tail = &e->ctxs;
        while (*tail)
            tail = &(*tail)->next;
        *tail = c;
    }
    if (rt_record_keeps_graph())
        record_edge(ev, c);
    if (!c->trylock)
        search_cycles(e, c);
    rt_spin_unlock(&graph_lock);
}

void rt_graph_lock_all(void)
{
    rt_spin_lock(&graph_lock);
}

void rt_graph_unlock_all(void)
{
    rt_spin_unlock(&graph_lock);
}
