/* model: see model.h. */
#include "model.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "mem.h"
#include "symbolize.h"

#define RD_MAX_OCCURRENCES 1000000000L

/* Lookups by string key into the graph arrays (which move when they grow,
 * so the hash lives outside them and holds indexes). */
struct rd_key_index {
    char *key;
    size_t idx;
    UT_hash_handle hh;
};

struct rd_model_index {
    struct rd_key_index *glocks;
    struct rd_key_index *gedges;
};

struct rd_model *rd_model_new(void)
{
    struct rd_model *m = rd_xcalloc(1, sizeof *m);
    m->index = rd_xcalloc(1, sizeof *m->index);
    return m;
}

/* ---- freeing ------------------------------------------------------------- */

static void free_key_index(struct rd_key_index **head)
{
    struct rd_key_index *e, *tmp;
    HASH_ITER(hh, *head, e, tmp) {
        HASH_DEL(*head, e);
        free(e->key);
        free(e);
    }
}

void rd_process_free(struct rd_process *p)
{
    size_t i;
    if (!p)
        return;
    struct rd_rec_module *mod, *mtmp;
    struct rd_rec_stack *st, *stmp;
    struct rd_rec_thread *th, *ttmp;
    struct rd_rec_lock *lk, *ltmp;

    HASH_ITER(hh, p->modules, mod, mtmp) {
        HASH_DEL(p->modules, mod);
        free(mod->path);
        free(mod);
    }
    HASH_ITER(hh, p->stacks, st, stmp) {
        HASH_DEL(p->stacks, st);
        free(st->raw);
        rd_frames_free(st->frames, st->nframes);
        free(st);
    }
    HASH_ITER(hh, p->threads, th, ttmp) {
        HASH_DEL(p->threads, th);
        free(th->name);
        free(th);
    }
    HASH_ITER(hh, p->locks, lk, ltmp) {
        HASH_DEL(p->locks, lk);
        free(lk->kind);
        free(lk->type);
        free(lk->name);
        free(lk);
    }
    free(p->edges);
    for (i = 0; i < p->nfindings; i++) {
        struct rd_rec_finding *f = &p->findings[i];
        size_t j;
        free(f->kind);
        free(f->summary);
        free(f->threads);
        free(f->locks);
        for (j = 0; j < f->nstacks; j++)
            free(f->stacks[j].role);
        free(f->stacks);
        if (f->details)
            json_decref(f->details);
        free(f->where);
    }
    free(p->findings);
    for (i = 0; i < p->argc; i++)
        free(p->argv[i]);
    free(p->argv);
    free(p->exe);
    free(p->exit_how);
    free(p->source);
    free(p);
}

void rd_finding_free(struct rd_finding *f)
{
    size_t i;
    if (!f)
        return;
    free(f->kind);
    free(f->id);
    free(f->summary);
    free(f->pids);
    for (i = 0; i < f->nthreads; i++) {
        free(f->threads[i].name);
        rd_frames_free(f->threads[i].create, f->threads[i].ncreate);
        free(f->threads[i].create_unavailable);
    }
    free(f->threads);
    for (i = 0; i < f->nlocks; i++) {
        free(f->locks[i].id);
        free(f->locks[i].kind);
        free(f->locks[i].type);
        free(f->locks[i].name);
        free(f->locks[i].addr);
    }
    free(f->locks);
    for (i = 0; i < f->nstacks; i++) {
        free(f->stacks[i].role);
        rd_frames_free(f->stacks[i].frames, f->stacks[i].nframes);
        free(f->stacks[i].unavailable);
    }
    free(f->stacks);
    if (f->details)
        json_decref(f->details);
    free(f);
}

void rd_model_free(struct rd_model *m)
{
    size_t i;
    if (!m)
        return;
    for (i = 0; i < m->nprocs; i++)
        rd_process_free(m->procs[i]);
    free(m->procs);
    HASH_CLEAR(hh, m->by_id);
    for (i = 0; i < m->nfindings; i++)
        rd_finding_free(m->findings[i]);
    free(m->findings);
    for (i = 0; i < m->nglocks; i++) {
        free(m->glocks[i].id);
        free(m->glocks[i].kind);
        free(m->glocks[i].name);
        free(m->glocks[i].addr);
    }
    free(m->glocks);
    for (i = 0; i < m->ngedges; i++) {
        free(m->gedges[i].from);
        free(m->gedges[i].to);
        rd_frame_clear(&m->gedges[i].from_frame);
        rd_frame_clear(&m->gedges[i].to_frame);
    }
    free(m->gedges);
    for (i = 0; i < m->nsuppressed; i++) {
        free(m->suppressed[i].rule);
        free(m->suppressed[i].file);
    }
    free(m->suppressed);
    if (m->explore)
        json_decref(m->explore);
    free_key_index(&m->index->glocks);
    free_key_index(&m->index->gedges);
    free(m->index);
    free(m);
}

/* ---- processes ----------------------------------------------------------- */

struct rd_process *rd_process_new(void)
{
    struct rd_process *p = rd_xcalloc(1, sizeof *p);
    p->pid = -1;
    p->ppid = -1;
    return p;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void rd_model_add_process(struct rd_model *m, struct rd_process *p)
{
    size_t i;
    for (i = 0; i < m->nprocs && !p->duplicate; i++) {
        const struct rd_process *q = m->procs[i];
        if (q->pid == p->pid && q->ppid == p->ppid && same_str(q->exe, p->exe) &&
            !(q->from_records && p->from_records && q->time_ns != p->time_ns))
            p->duplicate = true;
    }
    *RD_PUSH(m->procs, m->nprocs, m->capprocs) = p;
}

struct rd_rec_module *rd_process_module(struct rd_process *p, long id)
{
    struct rd_rec_module *x;
    HASH_FIND(hh, p->modules, &id, sizeof id, x);
    return x;
}

struct rd_rec_stack *rd_process_stack(struct rd_process *p, long id)
{
    struct rd_rec_stack *x;
    HASH_FIND(hh, p->stacks, &id, sizeof id, x);
    return x;
}

struct rd_rec_thread *rd_process_thread(struct rd_process *p, long id)
{
    struct rd_rec_thread *x;
    HASH_FIND(hh, p->threads, &id, sizeof id, x);
    return x;
}

struct rd_rec_lock *rd_process_lock(struct rd_process *p, long id)
{
    struct rd_rec_lock *x;
    HASH_FIND(hh, p->locks, &id, sizeof id, x);
    return x;
}

struct proc_order {
    struct rd_process *p;
    size_t pos;
};

static int proc_order_cmp(const void *a, const void *b)
{
    const struct proc_order *x = a, *y = b;
    if (x->p->time_ns != y->p->time_ns)
        return x->p->time_ns < y->p->time_ns ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void rd_model_sort_processes(struct rd_model *m)
{
    struct proc_order *o;
    size_t i, n = 0;
    if (m->nprocs < 2)
        return;
    /* only the processes from records move, among the slots they hold */
    o = rd_xcalloc(m->nprocs, sizeof *o);
    for (i = 0; i < m->nprocs; i++)
        if (m->procs[i]->from_records) {
            o[n].p = m->procs[i];
            o[n].pos = i;
            n++;
        }
    qsort(o, n, sizeof *o, proc_order_cmp);
    for (i = 0, n = 0; i < m->nprocs; i++)
        if (m->procs[i]->from_records)
            m->procs[i] = o[n++].p;
    free(o);
}

/* ---- small descriptions -------------------------------------------------- */

bool rd_kind_valid(const char *kind)
{
    size_t i;
    if (!kind || !*kind)
        return false;
    for (i = 0; kind[i]; i++)
        if (i >= 64 || !((kind[i] >= 'a' && kind[i] <= 'z') ||
                         (kind[i] >= '0' && kind[i] <= '9') || kind[i] == '_'))
            return false;
    return true;
}

char *rd_lock_describe(const char *kind, const char *name, const char *addr)
{
    if (name && *name)
        return rd_xasprintf("%s `%s`", kind ? kind : "lock", name);
    return rd_xasprintf("%s %s", kind ? kind : "lock", addr ? addr : "at an unknown address");
}

char *rd_thread_label(long id, const char *name)
{
    if (name && *name)
        return rd_xasprintf("T%ld (%s)", id, name);
    return rd_xasprintf("T%ld", id);
}

const char *rd_finding_thread_name(const struct rd_finding *f, long id)
{
    size_t i;
    for (i = 0; i < f->nthreads; i++)
        if (f->threads[i].id == id)
            return f->threads[i].name;
    return NULL;
}

size_t rd_model_nprocesses(const struct rd_model *m)
{
    size_t i, n = 0;
    for (i = 0; i < m->nprocs; i++)
        n += !m->procs[i]->duplicate;
    return n;
}

size_t rd_model_count_kinds(const struct rd_model *m, const char **kinds, size_t *counts)
{
    size_t nk = 0, i, j;
    for (i = 0; i < m->nfindings; i++) {
        const char *k = m->findings[i]->kind;
        for (j = 0; j < nk && strcmp(kinds[j], k) != 0; j++)
            ;
        if (j == nk) {
            /* insert sorted */
            size_t at = 0;
            while (at < nk && strcmp(kinds[at], k) < 0)
                at++;
            memmove(&kinds[at + 1], &kinds[at], (nk - at) * sizeof *kinds);
            memmove(&counts[at + 1], &counts[at], (nk - at) * sizeof *counts);
            kinds[at] = k;
            counts[at] = 1;
            nk++;
        } else {
            counts[j]++;
        }
    }
    return nk;
}

void rd_model_add_suppressed(struct rd_model *m, const char *rule, const char *file, long line,
                             long count)
{
    struct rd_suppressed *s;
    size_t i;
    for (i = 0; i < m->nsuppressed; i++) {
        s = &m->suppressed[i];
        if (s->line == line && same_str(s->rule, rule) && same_str(s->file, file)) {
            s->count += count;
            return;
        }
    }
    s = RD_PUSH(m->suppressed, m->nsuppressed, m->capsuppressed);
    s->rule = rd_xstrdup(rule);
    s->file = rd_xstrdup(file);
    s->line = line;
    s->count = count;
}

long rd_model_nsuppressed_findings(const struct rd_model *m)
{
    long n = 0;
    size_t i;
    for (i = 0; i < m->nsuppressed; i++)
        n += m->suppressed[i].count;
    return n;
}

/* ---- finding ids and deduplication ---------------------------------------- */

static char *stack_key(const struct rd_stack_info *s)
{
    const struct rd_frame *f;
    if (s->unavailable || s->nframes == 0)
        return rd_xstrdup("?");
    f = &s->frames[0];
    if (f->file && f->line > 0)
        return rd_xasprintf("%s@%s:%d", f->function ? f->function : "??", rd_basename(f->file),
                            f->line);
    if (f->module)
        return rd_xasprintf("%s+0x%" PRIx64, rd_basename(f->module), f->offset);
    return rd_xasprintf("0x%" PRIx64, f->pc);
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void rd_finding_compute_id(const struct rd_finding *f, char out[17])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    char **keys = rd_xcalloc(f->nstacks ? f->nstacks : 1, sizeof *keys);
    size_t i;
    for (i = 0; i < f->nstacks; i++)
        keys[i] = stack_key(&f->stacks[i]);
    qsort(keys, f->nstacks, sizeof *keys, str_ptr_cmp);
    h = fnv1a(h, f->kind ? f->kind : "");
    h = fnv1a(h, "\n");
    for (i = 0; i < f->nstacks; i++) {
        h = fnv1a(h, keys[i]);
        h = fnv1a(h, "\n");
        free(keys[i]);
    }
    free(keys);
    snprintf(out, 17, "%016" PRIx64, h);
}

static void add_pid(struct rd_finding *f, long pid)
{
    size_t i;
    for (i = 0; i < f->npids; i++)
        if (f->pids[i] == pid)
            return;
    *RD_PUSH(f->pids, f->npids, f->cappids) = pid;
}

struct rd_finding *rd_model_add_finding(struct rd_model *m, struct rd_finding *f)
{
    struct rd_finding *kept;
    size_t i;
    if (!f->id) {
        char id[17];
        rd_finding_compute_id(f, id);
        f->id = rd_xstrdup(id);
    }
    if (f->occurrences < 1)
        f->occurrences = 1;
    if (f->occurrences > RD_MAX_OCCURRENCES)
        f->occurrences = RD_MAX_OCCURRENCES;
    if (f->npids == 0)
        add_pid(f, f->pid);
    HASH_FIND_STR(m->by_id, f->id, kept);
    if (!kept) {
        HASH_ADD_KEYPTR(hh, m->by_id, f->id, strlen(f->id), f);
        *RD_PUSH(m->findings, m->nfindings, m->capfindings) = f;
        return f;
    }
    /* saturate: counts come from documents, which can say anything */
    kept->occurrences = kept->occurrences > RD_MAX_OCCURRENCES - f->occurrences
                            ? RD_MAX_OCCURRENCES
                            : kept->occurrences + f->occurrences;
    for (i = 0; i < f->npids; i++)
        add_pid(kept, f->pids[i]);
    rd_finding_free(f);
    return kept;
}

/* ---- lock graph ------------------------------------------------------------ */

static struct rd_key_index *index_find(struct rd_key_index *head, const char *key)
{
    struct rd_key_index *e;
    HASH_FIND_STR(head, key, e);
    return e;
}

static void index_add(struct rd_key_index **head, char *key, size_t idx)
{
    struct rd_key_index *e = rd_xcalloc(1, sizeof *e);
    e->key = key;
    e->idx = idx;
    HASH_ADD_KEYPTR(hh, *head, e->key, strlen(e->key), e);
}

void rd_model_add_graph_lock(struct rd_model *m, const struct rd_graph_lock *l)
{
    struct rd_graph_lock *n;
    if (!l->id || index_find(m->index->glocks, l->id))
        return;
    n = RD_PUSH(m->glocks, m->nglocks, m->capglocks);
    n->id = rd_xstrdup(l->id);
    n->kind = rd_xstrdup(l->kind);
    n->name = rd_xstrdup(l->name);
    n->addr = rd_xstrdup(l->addr);
    index_add(&m->index->glocks, rd_xstrdup(l->id), m->nglocks - 1);
}

void rd_model_add_graph_edge(struct rd_model *m, const struct rd_graph_edge *e)
{
    struct rd_graph_edge *n;
    struct rd_key_index *x;
    char *key;
    if (!e->from || !e->to)
        return;
    key = rd_xasprintf("%s>%s@%ld", e->from, e->to, e->thread);
    x = index_find(m->index->gedges, key);
    if (x) {
        m->gedges[x->idx].in_cycle |= e->in_cycle;
        free(key);
        return;
    }
    n = RD_PUSH(m->gedges, m->ngedges, m->capgedges);
    *n = *e;
    n->from = rd_xstrdup(e->from);
    n->to = rd_xstrdup(e->to);
    if (e->has_from_frame)
        rd_frame_copy(&n->from_frame, &e->from_frame);
    else
        memset(&n->from_frame, 0, sizeof n->from_frame);
    if (e->has_to_frame)
        rd_frame_copy(&n->to_frame, &e->to_frame);
    else
        memset(&n->to_frame, 0, sizeof n->to_frame);
    index_add(&m->index->gedges, key, m->ngedges - 1);
}

/* ---- resolving a process read from records --------------------------------- */

/* The stack, symbolized on first use. */
static struct rd_rec_stack *symbolized_stack(struct rd_process *p, long id)
{
    struct rd_rec_stack *st = id >= 0 ? rd_process_stack(p, id) : NULL;
    struct rd_frame *v = NULL;
    size_t n = 0, cap = 0, i, j;
    bool warned = false;
    if (!st || st->symbolized)
        return st;
    st->symbolized = true;
    for (i = 0; i < st->nraw; i++) {
        const struct rd_raw_frame *r = &st->raw[i];
        struct rd_rec_module *mod = r->module >= 0 ? rd_process_module(p, r->module) : NULL;
        const struct rd_frame *sf;
        size_t ns;
        if (!mod) {
            struct rd_frame *f = RD_PUSH(v, n, cap);
            memset(f, 0, sizeof *f);
            f->pc = f->offset = r->offset;
            if (r->module != -1 && !warned && p->warn) {
                fprintf(p->warn, "racedet: %s: stack %ld refers to undefined module %ld\n",
                        p->source, st->id, r->module);
                warned = true;
            }
            continue;
        }
        ns = rd_symbolize_code(p->sym, mod->path, r->offset, &sf);
        for (j = 0; j < ns; j++) {
            struct rd_frame *f = RD_PUSH(v, n, cap);
            rd_frame_copy(f, &sf[j]);
            f->pc = mod->base + r->offset;
        }
    }
    st->frames = v;
    st->nframes = n;
    return st;
}

/* The lock, its global's name looked up on first use. */
static struct rd_rec_lock *named_lock(struct rd_process *p, long id)
{
    struct rd_rec_lock *l = rd_process_lock(p, id);
    struct rd_rec_module *mod;
    if (!l || l->named)
        return l;
    l->named = true;
    if (!l->name && l->module >= 0 && (mod = rd_process_module(p, l->module)) != NULL)
        l->name = rd_symbolize_data(p->sym, mod->path, l->offset);
    return l;
}

static char *hex(uint64_t v)
{
    return rd_xasprintf("0x%" PRIx64, v);
}

static char *lock_id(const struct rd_process *p, long id)
{
    return rd_xasprintf("%ld:%ld", p->pid, id);
}

static char *describe_rec_lock(struct rd_process *p, long id)
{
    struct rd_rec_lock *l = named_lock(p, id);
    char *addr, *d;
    if (!l)
        return rd_xasprintf("lock #%ld", id);
    addr = hex(l->addr);
    d = rd_lock_describe(l->kind, l->name, addr);
    free(addr);
    return d;
}

struct strbuf {
    char *s;
    size_t n, cap;
};

static void sb_add(struct strbuf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        b->cap = (b->n + len + 1) * 2;
        b->s = rd_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static bool has_long(const long *v, size_t n, long x)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* Replace {lock:N} and {thread:N} in a summary or a stack role; anything
 * else is copied as it is. */
static char *resolve_template(struct rd_process *p, const struct rd_rec_finding *rf,
                              const char *text, FILE *warn /* NULL: quiet */)
{
    struct strbuf b = {0};
    const char *s = text ? text : "";
    sb_add(&b, "", 0);
    while (*s) {
        const char *open = strchr(s, '{');
        const char *close;
        bool is_lock = false, is_thread = false;
        char *end;
        long id = 0;
        if (!open) {
            sb_add(&b, s, strlen(s));
            break;
        }
        sb_add(&b, s, (size_t)(open - s));
        close = strchr(open, '}');
        if (close) {
            if (strncmp(open, "{lock:", 6) == 0)
                is_lock = true;
            else if (strncmp(open, "{thread:", 8) == 0)
                is_thread = true;
        }
        if (is_lock || is_thread) {
            const char *num = open + (is_lock ? 6 : 8);
            id = strtol(num, &end, 10);
            if (end == num || end != close)
                is_lock = is_thread = false;
        }
        if (is_lock) {
            char *d = describe_rec_lock(p, id);
            if (!rd_process_lock(p, id) && warn && !has_long(rf->locks, rf->nlocks, id))
                fprintf(warn, "racedet: %s: finding refers to undefined lock %ld\n", rf->where,
                        id);
            sb_add(&b, d, strlen(d));
            free(d);
        } else if (is_thread) {
            struct rd_rec_thread *t = rd_process_thread(p, id);
            char *d = rd_thread_label(id, t ? t->name : NULL);
            sb_add(&b, d, strlen(d));
            free(d);
        } else {
            sb_add(&b, open, 1);
            s = open + 1;
            continue;
        }
        s = close + 1;
    }
    return b.s;
}

/* Copy a record stack's frames into dst; on failure set *why. */
static void take_stack(struct rd_process *p, long id, struct rd_frame **frames, size_t *n,
                       char **why)
{
    struct rd_rec_stack *st = symbolized_stack(p, id);
    *frames = NULL;
    *n = 0;
    *why = NULL;
    if (!st) {
        *why = id < 0 ? rd_xstrdup("no stack was recorded")
                      : rd_xasprintf("stack %ld is not defined in %s", id, p->source);
        return;
    }
    if (st->nframes == 0) {
        *why = rd_xasprintf("stack %ld has no frames", id);
        return;
    }
    *frames = rd_frames_dup(st->frames, st->nframes);
    *n = st->nframes;
}


static void resolve_thread(struct rd_process *p, long id, struct rd_thread_info *ti,
                           const char *where, FILE *warn)
{
    struct rd_rec_thread *t = rd_process_thread(p, id);
    memset(ti, 0, sizeof *ti);
    ti->id = id;
    ti->parent = -1;
    if (!t) {
        ti->create_unavailable = rd_xasprintf("thread %ld is not defined in %s", id, p->source);
        if (warn)
            fprintf(warn, "racedet: %s: finding refers to undefined thread %ld\n", where, id);
        return;
    }
    ti->name = t->name && *t->name ? rd_xstrdup(t->name) : NULL;
    ti->parent = t->parent;
    if (t->create_stack < 0)
        return; /* the main thread, or one made before racedet was there */
    ti->has_create = true;
    take_stack(p, t->create_stack, &ti->create, &ti->ncreate, &ti->create_unavailable);
    if (ti->create_unavailable && warn)
        fprintf(warn, "racedet: %s: creation stack of T%ld unavailable: %s\n", where, id,
                ti->create_unavailable);
}

static struct rd_finding *resolve_finding(struct rd_process *p, const struct rd_rec_finding *rf,
                                          struct rd_symbolizer *sym, FILE *warn)
{
    struct rd_finding *f = rd_xcalloc(1, sizeof *f);
    long *tids = NULL;
    size_t ntids = 0, captids = 0, i;

    f->kind = rd_xstrdup(rf->kind);
    f->summary = resolve_template(p, rf, rf->summary, warn);
    f->pid = p->pid;
    f->occurrences = 1;
    if (rf->details)
        f->details = rd_location_resolve(rf->details, p, rf, sym);

    /* threads: the finding's own list, then any other thread a stack names */
    for (i = 0; i < rf->nthreads; i++)
        if (!has_long(tids, ntids, rf->threads[i]))
            *RD_PUSH(tids, ntids, captids) = rf->threads[i];
    for (i = 0; i < rf->nstacks; i++)
        if (rf->stacks[i].thread >= 0 && !has_long(tids, ntids, rf->stacks[i].thread))
            *RD_PUSH(tids, ntids, captids) = rf->stacks[i].thread;
    f->threads = rd_xcalloc(ntids ? ntids : 1, sizeof *f->threads);
    for (i = 0; i < ntids; i++)
        resolve_thread(p, tids[i], &f->threads[i], rf->where, warn);
    f->nthreads = ntids;
    free(tids);

    f->locks = rd_xcalloc(rf->nlocks ? rf->nlocks : 1, sizeof *f->locks);
    for (i = 0; i < rf->nlocks; i++) {
        struct rd_rec_lock *l = named_lock(p, rf->locks[i]);
        struct rd_lock_info *li = &f->locks[i];
        li->id = lock_id(p, rf->locks[i]);
        if (l) {
            li->kind = rd_xstrdup(l->kind);
            li->type = rd_xstrdup(l->type);
            li->name = rd_xstrdup(l->name);
            li->addr = hex(l->addr);
        } else {
            li->kind = rd_xstrdup("unknown");
            li->type = rd_xstrdup("");
            if (warn)
                fprintf(warn, "racedet: %s: finding refers to undefined lock %ld\n", rf->where,
                        rf->locks[i]);
        }
    }
    f->nlocks = rf->nlocks;

    f->stacks = rd_xcalloc(rf->nstacks ? rf->nstacks : 1, sizeof *f->stacks);
    for (i = 0; i < rf->nstacks; i++) {
        struct rd_stack_info *si = &f->stacks[i];
        si->role = resolve_template(p, rf, rf->stacks[i].role ? rf->stacks[i].role : "stack",
                                    NULL);
        si->thread = rf->stacks[i].thread;
        take_stack(p, rf->stacks[i].stack, &si->frames, &si->nframes, &si->unavailable);
        if (si->unavailable && warn)
            fprintf(warn, "racedet: %s: stack \"%s\" of this %s finding unavailable: %s\n",
                    rf->where, si->role, f->kind, si->unavailable);
    }
    f->nstacks = rf->nstacks;
    return f;
}

static void mark_cycles(struct rd_process *p)
{
    size_t i, j, k;
    for (i = 0; i < p->nfindings; i++) {
        const struct rd_rec_finding *rf = &p->findings[i];
        if (strcmp(rf->kind, "lock_order_cycle") != 0 || rf->nlocks < 2)
            continue;
        for (j = 0; j < rf->nlocks; j++) {
            long from = rf->locks[j], to = rf->locks[(j + 1) % rf->nlocks];
            for (k = 0; k < p->nedges; k++)
                if (p->edges[k].from == from && p->edges[k].to == to)
                    p->edges[k].in_cycle = true;
        }
    }
}

static void add_graph_lock_of(struct rd_model *m, struct rd_process *p, long id)
{
    struct rd_rec_lock *l = named_lock(p, id);
    struct rd_graph_lock g;
    g.id = lock_id(p, id);
    g.kind = l ? l->kind : "unknown";
    g.name = l ? l->name : NULL;
    g.addr = l ? hex(l->addr) : NULL;
    rd_model_add_graph_lock(m, &g);
    free(g.id);
    free(g.addr);
}

static void first_frame(struct rd_process *p, long stack, bool *has, struct rd_frame *f)
{
    struct rd_rec_stack *st = symbolized_stack(p, stack);
    *has = st && st->nframes > 0;
    if (*has)
        *f = st->frames[0]; /* shallow: rd_model_add_graph_edge copies */
    else
        memset(f, 0, sizeof *f);
}

static void build_graph(struct rd_model *m, struct rd_process *p)
{
    size_t i;
    for (i = 0; i < p->nedges; i++) {
        const struct rd_rec_edge *e = &p->edges[i];
        struct rd_graph_edge g;
        memset(&g, 0, sizeof g);
        add_graph_lock_of(m, p, e->from);
        add_graph_lock_of(m, p, e->to);
        g.from = lock_id(p, e->from);
        g.to = lock_id(p, e->to);
        g.thread = e->thread;
        g.trylock = e->trylock;
        g.in_cycle = e->in_cycle;
        first_frame(p, e->from_stack, &g.has_from_frame, &g.from_frame);
        first_frame(p, e->to_stack, &g.has_to_frame, &g.to_frame);
        rd_model_add_graph_edge(m, &g);
        free(g.from);
        free(g.to);
    }
}

void rd_model_finish(struct rd_model *m, struct rd_symbolizer *sym, FILE *warn)
{
    size_t i, j;
    for (i = 0; i < m->nprocs; i++) {
        struct rd_process *p = m->procs[i];
        if (!p->from_records || p->finished)
            continue;
        p->finished = true;
        p->sym = sym;
        p->warn = warn;
        mark_cycles(p);
        build_graph(m, p);
        for (j = 0; j < p->nfindings; j++)
            rd_model_add_finding(m, resolve_finding(p, &p->findings[j], sym, warn));
        p->sym = NULL;
        p->warn = NULL;
    }
}
