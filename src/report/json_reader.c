/* json_reader: see json_reader.h. The shapes read are the ones
 * render_json.c writes; keep the two in step. */
#include "json_reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "slurp.h"

#ifndef RACEDET_VERSION
#define RACEDET_VERSION "0.0.0"
#endif

static const char *str_or_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long_or(json_t *o, const char *key, long dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

static bool bool_or(json_t *o, const char *key, bool dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static bool hex_field(json_t *o, const char *key, uint64_t *out)
{
    const char *s = str_or_null(o, key);
    char *end;
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

static bool read_frame(json_t *o, struct rd_frame *f)
{
    json_t *line;
    memset(f, 0, sizeof *f);
    if (!json_is_object(o))
        return false;
    if (!hex_field(o, "offset", &f->offset))
        return false;
    if (!hex_field(o, "pc", &f->pc))
        f->pc = f->offset;
    f->module = rd_xstrdup(str_or_null(o, "module"));
    f->function = rd_xstrdup(str_or_null(o, "function"));
    f->file = rd_xstrdup(str_or_null(o, "file"));
    line = json_object_get(o, "line");
    if (json_is_integer(line) && json_integer_value(line) > 0 &&
        json_integer_value(line) <= INT32_MAX)
        f->line = (int)json_integer_value(line);
    f->inlined = bool_or(o, "inlined", false);
    return true;
}

/* An array of frames; false when it is not one (frames that are not
 * frames are dropped, counted in *bad). */
static bool read_frames(json_t *arr, struct rd_frame **out, size_t *n, size_t *bad)
{
    size_t i, cap = 0;
    json_t *x;
    *out = NULL;
    *n = 0;
    if (!json_is_array(arr))
        return false;
    json_array_foreach(arr, i, x) {
        struct rd_frame f;
        if (read_frame(x, &f))
            *RD_PUSH(*out, *n, cap) = f;
        else
            (*bad)++;
    }
    return true;
}

static void read_process(struct rd_model *m, json_t *o, const char *path)
{
    struct rd_process *p;
    json_t *argv = json_object_get(o, "argv"), *a, *ex = json_object_get(o, "exit");
    size_t i, cap = 0;

    p = rd_process_new();    p->pid = long_or(o, "pid", -1);
    p->ppid = long_or(o, "ppid", -1);
    p->exe = rd_xstrdup(str_or_null(o, "exe"));
    p->source = rd_xstrdup(path);
    p->finished = true;
    json_array_foreach(argv, i, a) {
        if (json_is_string(a))
            *RD_PUSH(p->argv, p->argc, cap) = rd_xstrdup(json_string_value(a));
    }
    if (json_is_object(ex)) {
        long sig = long_or(ex, "signal", 0);
        p->has_exit = true;
        p->exit_status = long_or(ex, "status", -1); /* null: not known */
        if (p->exit_status < 0)
            p->exit_status = -1;
        p->exit_how = rd_xstrdup(str_or_null(ex, "how"));
        p->exit_signal = sig > 0 && sig < 128 ? (int)sig : 0;
    }
    rd_model_add_process(m, p);
}

static bool is_finding_id(const char *s)
{
    size_t i;
    if (!s || strlen(s) != 16)
        return false;
    for (i = 0; i < 16; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* One finding; NULL (and *why set) when it is not one. */
static struct rd_finding *read_finding(json_t *o, const char **why, size_t *bad_frames)
{
    struct rd_finding *f;
    json_t *threads = json_object_get(o, "threads"), *locks = json_object_get(o, "locks");
    json_t *stacks = json_object_get(o, "stacks"), *pids = json_object_get(o, "pids");
    json_t *details = json_object_get(o, "details"), *x;
    const char *kind = str_or_null(o, "kind"), *id = str_or_null(o, "id");
    size_t i, cap;

    if (!json_is_object(o)) {
        *why = "not an object";
        return NULL;
    }
    if (!rd_kind_valid(kind)) {
        *why = "no \"kind\", or not a kind";
        return NULL;
    }
    if (!json_is_array(stacks)) {
        *why = "no \"stacks\" array";
        return NULL;
    }
    f = rd_xcalloc(1, sizeof *f);
    f->kind = rd_xstrdup(kind);
    f->id = is_finding_id(id) ? rd_xstrdup(id) : NULL; /* else computed on adding */
    f->summary = rd_xstrdup(str_or_null(o, "summary") ? str_or_null(o, "summary") : kind);
    f->pid = long_or(o, "process", -1);
    f->occurrences = long_or(o, "occurrences", 1);
    json_array_foreach(pids, i, x) {
        if (json_is_integer(x))
            *RD_PUSH(f->pids, f->npids, f->cappids) = (long)json_integer_value(x);
    }
    if (json_is_object(details))
        f->details = json_incref(details);

    cap = 0;
    json_array_foreach(threads, i, x) {
        struct rd_thread_info *t;
        json_t *cs;
        if (!json_is_object(x) || !json_is_integer(json_object_get(x, "id")))
            continue;
        t = RD_PUSH(f->threads, f->nthreads, cap);
        memset(t, 0, sizeof *t);
        t->id = long_or(x, "id", -1);
        t->name = rd_xstrdup(str_or_null(x, "name"));
        t->parent = long_or(x, "parent", -1);
        cs = json_object_get(x, "create_stack");
        if (json_is_array(cs)) {
            t->has_create = true;
            read_frames(cs, &t->create, &t->ncreate, bad_frames);
            if (t->ncreate == 0)
                t->create_unavailable =
                    rd_xstrdup(str_or_null(x, "create_stack_unavailable")
                                   ? str_or_null(x, "create_stack_unavailable")
                                   : "the document has no frames for it");
        }
    }

    cap = 0;
    json_array_foreach(locks, i, x) {
        struct rd_lock_info *l;
        if (!json_is_object(x) || !str_or_null(x, "id"))
            continue;
        l = RD_PUSH(f->locks, f->nlocks, cap);
        l->id = rd_xstrdup(str_or_null(x, "id"));
        l->kind = rd_xstrdup(str_or_null(x, "kind") ? str_or_null(x, "kind") : "unknown");
        l->type = rd_xstrdup(str_or_null(x, "type") ? str_or_null(x, "type") : "");
        l->name = rd_xstrdup(str_or_null(x, "name"));
        l->addr = rd_xstrdup(str_or_null(x, "addr"));
    }

    cap = 0;
    json_array_foreach(stacks, i, x) {
        struct rd_stack_info *s;
        if (!json_is_object(x))
            continue;
        s = RD_PUSH(f->stacks, f->nstacks, cap);
        memset(s, 0, sizeof *s);
        s->role = rd_xstrdup(str_or_null(x, "role") ? str_or_null(x, "role") : "stack");
        s->thread = long_or(x, "thread", -1);
        read_frames(json_object_get(x, "frames"), &s->frames, &s->nframes, bad_frames);
        if (s->nframes == 0)
            s->unavailable = rd_xstrdup(str_or_null(x, "unavailable")
                                            ? str_or_null(x, "unavailable")
                                            : "the document has no frames for it");
    }
    return f;
}

static void read_graph(struct rd_model *m, json_t *g, size_t *bad)
{
    json_t *locks = json_object_get(g, "locks"), *edges = json_object_get(g, "edges"), *x;
    size_t i;
    json_array_foreach(locks, i, x) {
        struct rd_graph_lock l;
        if (!json_is_object(x) || !str_or_null(x, "id")) {
            (*bad)++;
            continue;
        }
        l.id = (char *)str_or_null(x, "id");
        l.kind = (char *)(str_or_null(x, "kind") ? str_or_null(x, "kind") : "unknown");
        l.name = (char *)str_or_null(x, "name");
        l.addr = (char *)str_or_null(x, "addr");
        rd_model_add_graph_lock(m, &l);
    }
    json_array_foreach(edges, i, x) {
        struct rd_graph_edge e;
        memset(&e, 0, sizeof e);
        if (!json_is_object(x) || !str_or_null(x, "from") || !str_or_null(x, "to")) {
            (*bad)++;
            continue;
        }
        e.from = (char *)str_or_null(x, "from");
        e.to = (char *)str_or_null(x, "to");
        e.thread = long_or(x, "thread", -1);
        e.trylock = bool_or(x, "trylock", false);
        e.in_cycle = bool_or(x, "in_cycle", false);
        e.has_from_frame = read_frame(json_object_get(x, "from_frame"), &e.from_frame);
        e.has_to_frame = read_frame(json_object_get(x, "to_frame"), &e.to_frame);
        rd_model_add_graph_edge(m, &e);
        rd_frame_clear(&e.from_frame);
        rd_frame_clear(&e.to_frame);
    }
}

/* Whether a document written by racedet `version` can be read: the same
 * major version (the document's shape only grows within one). */
static bool version_ok(const char *version)
{
    const char *ours = RACEDET_VERSION;
    size_t a = strcspn(version, "."), b = strcspn(ours, ".");
    return a > 0 && a == b && strncmp(version, ours, a) == 0;
}

static bool is_blank(const char *data, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (!isspace((unsigned char)data[i]))
            return false;
    return true;
}

int rd_json_read(struct rd_model *m, const char *path, FILE *diag)
{
    return rd_slurp_parse(m, path, rd_json_parse, diag);
}

int rd_json_parse(struct rd_model *m, const char *path, const char *data, size_t len,
                  FILE *diag)
{
    json_error_t err;
    json_t *doc, *x, *procs, *findings, *graph;
    const char *tool, *version;
    size_t i, bad_frames = 0, bad_graph = 0;

    if (!diag)
        diag = stderr;
    doc = json_loadb(data, len, 0, &err);
    if (!doc) {
        if (is_blank(data, len))
            fprintf(diag, "racedet: %s: empty file, not a racedet report\n", path);
        else if (json_error_code(&err) == json_error_premature_end_of_input)
            fprintf(diag, "racedet: %s: truncated JSON (it ends at line %d, in the middle of "
                          "the document)\n", path, err.line);
        else
            fprintf(diag, "racedet: %s: not JSON (line %d, column %d: %s)\n", path, err.line,
                    err.column, err.text);
        return -1;
    }
    tool = str_or_null(doc, "tool");
    if (!json_is_object(doc) || !tool || strcmp(tool, "racedet") != 0) {
        fprintf(diag, "racedet: %s: JSON, but not a racedet report (no \"tool\": \"racedet\")\n",
                path);
        json_decref(doc);
        return -1;
    }
    version = str_or_null(doc, "version");
    if (!version || !version_ok(version)) {
        fprintf(diag, "racedet: %s: report of racedet version %s cannot be read by racedet %s\n",
                path, version ? version : "(none)", RACEDET_VERSION);
        json_decref(doc);
        return -1;
    }
    procs = json_object_get(doc, "processes");
    findings = json_object_get(doc, "findings");
    graph = json_object_get(doc, "lock_graph");
    if (!json_is_array(procs) || !json_is_array(findings)) {
        fprintf(diag, "racedet: %s: racedet report without \"processes\" and \"findings\" "
                      "arrays\n", path);
        json_decref(doc);
        return -1;
    }
    json_array_foreach(procs, i, x) {
        if (json_is_object(x))
            read_process(m, x, path);
    }
    json_array_foreach(findings, i, x) {
        const char *why = NULL;
        struct rd_finding *f = read_finding(x, &why, &bad_frames);
        if (!f) {
            fprintf(diag, "racedet: %s: finding %zu skipped: %s\n", path, i, why);
            continue;
        }
        rd_model_add_finding(m, f);
    }
    if (json_is_object(graph))
        read_graph(m, graph, &bad_graph);
    /* what suppressions took out when the document was made: kept, so a
     * re-rendered report still says it */
    json_array_foreach(json_object_get(doc, "suppressions"), i, x) {
        const char *rule = str_or_null(x, "rule"), *file = str_or_null(x, "file");
        long count = long_or(x, "count", 0);
        if (rule && count > 0)
            rd_model_add_suppressed(m, rule, file ? file : "", long_or(x, "line", 0), count);
    }
    if (bad_frames)
        fprintf(diag, "racedet: %s: %zu frames that are not frames were dropped\n", path,
                bad_frames);
    if (bad_graph)
        fprintf(diag, "racedet: %s: %zu lock graph entries skipped (not locks or edges)\n",
                path, bad_graph);
    json_decref(doc);
    return 0;
}
