/* render_json: see render_json.h. */
#include "render_json.h"
#include "escape.h"

#include <inttypes.h>
#include <stdlib.h>

#include "mem.h"

#ifndef RACEDET_VERSION
#define RACEDET_VERSION "0.0.0"
#endif

/* A JSON string even when s is not valid UTF-8 (a path or a name from a
 * binary can be anything): then the bytes that are not ASCII become '?'. */
static json_t *str_or_null(const char *s)
{
    return s ? rd_json_text(s) : json_null();
}

static json_t *hex(uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return json_string(buf);
}

json_t *rd_frame_to_json(const struct rd_frame *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "pc", hex(f->pc));
    json_object_set_new(o, "module", str_or_null(f->module));
    json_object_set_new(o, "offset", hex(f->offset));
    json_object_set_new(o, "function", str_or_null(f->function));
    json_object_set_new(o, "file", str_or_null(f->file));
    json_object_set_new(o, "line", f->line > 0 ? json_integer(f->line) : json_null());
    json_object_set_new(o, "inlined", json_boolean(f->inlined));
    return o;
}

static json_t *frames_to_json(const struct rd_frame *v, size_t n)
{
    json_t *a = json_array();
    size_t i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, rd_frame_to_json(&v[i]));
    return a;
}

static json_t *process_to_json(const struct rd_process *p)
{
    json_t *o = json_object(), *argv = json_array();
    size_t i;
    json_object_set_new(o, "pid", json_integer(p->pid));
    json_object_set_new(o, "ppid", json_integer(p->ppid));
    json_object_set_new(o, "exe", str_or_null(p->exe));
    for (i = 0; i < p->argc; i++)
        json_array_append_new(argv, rd_json_text(p->argv[i]));
    json_object_set_new(o, "argv", argv);
    if (p->has_exit) {
        json_t *ex = json_object();
        /* null, not -1, when the status is not known */
        json_object_set_new(ex, "status",
                            p->exit_status >= 0 ? json_integer(p->exit_status) : json_null());
        json_object_set_new(ex, "how", str_or_null(p->exit_how));
        if (p->exit_signal > 0)
            json_object_set_new(ex, "signal", json_integer(p->exit_signal));
        json_object_set_new(o, "exit", ex);
    } else {
        json_object_set_new(o, "exit", json_null());
    }
    return o;
}

static json_t *finding_to_json(const struct rd_finding *f)
{
    json_t *o = json_object(), *a;
    size_t i;
    json_object_set_new(o, "kind", rd_json_text(f->kind));
    json_object_set_new(o, "id", rd_json_text(f->id ? f->id : ""));
    json_object_set_new(o, "summary", rd_json_text(f->summary ? f->summary : ""));
    json_object_set_new(o, "process", json_integer(f->pid));
    json_object_set_new(o, "occurrences", json_integer(f->occurrences));
    a = json_array();
    for (i = 0; i < f->npids; i++)
        json_array_append_new(a, json_integer(f->pids[i]));
    json_object_set_new(o, "pids", a);

    a = json_array();
    for (i = 0; i < f->nthreads; i++) {
        const struct rd_thread_info *t = &f->threads[i];
        json_t *to = json_object();
        json_object_set_new(to, "id", json_integer(t->id));
        json_object_set_new(to, "name", str_or_null(t->name));
        json_object_set_new(to, "parent", json_integer(t->parent));
        json_object_set_new(to, "create_stack", t->has_create
                                                    ? frames_to_json(t->create, t->ncreate)
                                                    : json_null());
        if (t->create_unavailable)
            json_object_set_new(to, "create_stack_unavailable",
                                rd_json_text(t->create_unavailable));
        json_array_append_new(a, to);
    }
    json_object_set_new(o, "threads", a);

    a = json_array();
    for (i = 0; i < f->nlocks; i++) {
        const struct rd_lock_info *l = &f->locks[i];
        json_t *lo = json_object();
        json_object_set_new(lo, "id", rd_json_text(l->id));
        json_object_set_new(lo, "kind", str_or_null(l->kind));
        json_object_set_new(lo, "type", str_or_null(l->type));
        json_object_set_new(lo, "name", str_or_null(l->name));
        json_object_set_new(lo, "addr", str_or_null(l->addr));
        json_array_append_new(a, lo);
    }
    json_object_set_new(o, "locks", a);

    a = json_array();
    for (i = 0; i < f->nstacks; i++) {
        const struct rd_stack_info *s = &f->stacks[i];
        json_t *so = json_object();
        json_object_set_new(so, "role", rd_json_text(s->role ? s->role : ""));
        json_object_set_new(so, "thread", json_integer(s->thread));
        json_object_set_new(so, "frames", frames_to_json(s->frames, s->nframes));
        if (s->unavailable)
            json_object_set_new(so, "unavailable", rd_json_text(s->unavailable));
        json_array_append_new(a, so);
    }
    json_object_set_new(o, "stacks", a);
    json_object_set_new(o, "details", f->details ? json_deep_copy(f->details) : json_object());
    return o;
}

static json_t *graph_to_json(const struct rd_model *m)
{
    json_t *g = json_object(), *locks = json_array(), *edges = json_array();
    size_t i;
    for (i = 0; i < m->nglocks; i++) {
        const struct rd_graph_lock *l = &m->glocks[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", rd_json_text(l->id));
        json_object_set_new(o, "kind", str_or_null(l->kind));
        json_object_set_new(o, "name", str_or_null(l->name));
        json_object_set_new(o, "addr", str_or_null(l->addr));
        json_array_append_new(locks, o);
    }
    for (i = 0; i < m->ngedges; i++) {
        const struct rd_graph_edge *e = &m->gedges[i];
        json_t *o = json_object();
        json_object_set_new(o, "from", rd_json_text(e->from));
        json_object_set_new(o, "to", rd_json_text(e->to));
        json_object_set_new(o, "thread", json_integer(e->thread));
        json_object_set_new(o, "from_frame",
                            e->has_from_frame ? rd_frame_to_json(&e->from_frame) : json_null());
        json_object_set_new(o, "to_frame",
                            e->has_to_frame ? rd_frame_to_json(&e->to_frame) : json_null());
        json_object_set_new(o, "trylock", json_boolean(e->trylock));
        json_object_set_new(o, "in_cycle", json_boolean(e->in_cycle));
        json_array_append_new(edges, o);
    }
    json_object_set_new(g, "locks", locks);
    json_object_set_new(g, "edges", edges);
    return g;
}

json_t *rd_report_to_json(const struct rd_model *m)
{
    json_t *doc = json_object(), *procs = json_array(), *findings = json_array();
    size_t i;
    json_object_set_new(doc, "tool", json_string("racedet"));
    json_object_set_new(doc, "version", json_string(RACEDET_VERSION));
    for (i = 0; i < m->nprocs; i++)
        if (!m->procs[i]->duplicate)
            json_array_append_new(procs, process_to_json(m->procs[i]));
    json_object_set_new(doc, "processes", procs);
    for (i = 0; i < m->nfindings; i++)
        json_array_append_new(findings, finding_to_json(m->findings[i]));
    json_object_set_new(doc, "findings", findings);
    json_object_set_new(doc, "lock_graph", graph_to_json(m));
    {
        json_t *supp = json_array();
        for (i = 0; i < m->nsuppressed; i++) {
            const struct rd_suppressed *x = &m->suppressed[i];
            json_t *o = json_object();
            json_object_set_new(o, "rule", rd_json_text(x->rule ? x->rule : ""));
            json_object_set_new(o, "file", rd_json_text(x->file ? x->file : ""));
            json_object_set_new(o, "line", json_integer(x->line));
            json_object_set_new(o, "count", json_integer(x->count));
            json_array_append_new(supp, o);
        }
        json_object_set_new(doc, "suppressions", supp);
    }
    if (m->explore)
        json_object_set(doc, "explore", m->explore);
    return doc;
}

int rd_render_json(const struct rd_model *m, FILE *out, const struct rd_render_opts *o)
{
    json_t *doc = rd_report_to_json(m);
    int rc = json_dumpf(doc, out, JSON_INDENT(2));
    json_decref(doc);
    if (rc != 0 || fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
