/* record_reader: see record_reader.h. */
#include "record_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "slurp.h"

/* The state of reading one file. */
struct reader {
    const char *path;
    long lineno;
    FILE *diag;
    struct rd_process *p;
    char err[256]; /* why the current line is rejected */
};

static void warn(struct reader *r, const char *what)
{
    if (r->diag)
        fprintf(r->diag, "racedet: %s:%ld: %s\n", r->path, r->lineno, what);
}

/* ---- typed field access; each sets r->err and returns false when wrong -- */

static bool field_long(struct reader *r, json_t *o, const char *key, bool required, long dflt,
                       long *out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(r->err, sizeof r->err, "field \"%s\" is missing", key);
            return false;
        }
        *out = dflt;
        return true;
    }
    if (!json_is_integer(v)) {
        snprintf(r->err, sizeof r->err, "field \"%s\" is not an integer", key);
        return false;
    }
    *out = (long)json_integer_value(v);
    return true;
}

/* An id: an integer >= 0 (-1 allowed when the field may say "none"). */
static bool field_id(struct reader *r, json_t *o, const char *key, bool may_be_none, long *out)
{
    if (!field_long(r, o, key, !may_be_none, -1, out))
        return false;
    if (*out < (may_be_none ? -1 : 0)) {
        snprintf(r->err, sizeof r->err, "field \"%s\" is not a valid id: %ld", key, *out);
        return false;
    }
    return true;
}

static bool field_str(struct reader *r, json_t *o, const char *key, bool required,
                      const char *dflt, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(r->err, sizeof r->err, "field \"%s\" is missing", key);
            return false;
        }
        *out = dflt;
        return true;
    }
    if (!json_is_string(v)) {
        snprintf(r->err, sizeof r->err, "field \"%s\" is not a string", key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* An address or offset: a "0x..." string (the format), or a non-negative
 * integer (accepted too). */
static bool field_addr(struct reader *r, json_t *o, const char *key, bool required,
                       uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(r->err, sizeof r->err, "field \"%s\" is missing", key);
            return false;
        }
        *out = 0;
        return true;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    if (json_is_string(v) && parse_u64(json_string_value(v), out))
        return true;
    snprintf(r->err, sizeof r->err, "field \"%s\" is not an address", key);
    return false;
}

static bool field_bool(struct reader *r, json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *out = false;
        return true;
    }
    if (!json_is_boolean(v)) {
        snprintf(r->err, sizeof r->err, "field \"%s\" is not true or false", key);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

/* An array of ids (may be missing: empty). */
static bool field_ids(struct reader *r, json_t *o, const char *key, long **out, size_t *n)
{
    json_t *v = json_object_get(o, key), *x;
    size_t i, cap = 0;
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_array(v)) {
        snprintf(r->err, sizeof r->err, "field \"%s\" is not an array", key);
        return false;
    }
    json_array_foreach(v, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) < 0) {
            snprintf(r->err, sizeof r->err, "field \"%s\" holds something that is not an id",
                     key);
            free(*out);
            *out = NULL;
            *n = 0;
            return false;
        }
        *RD_PUSH(*out, *n, cap) = (long)json_integer_value(x);
    }
    return true;
}

/* ---- one handler per record type ------------------------------------------- */

static bool on_process(struct reader *r, json_t *o)
{
    (void)o;
    snprintf(r->err, sizeof r->err, "a second process record in one file");
    return false;
}

static bool on_module(struct reader *r, json_t *o)
{
    long id;
    const char *path;
    uint64_t base;
    struct rd_rec_module *m;
    if (!field_id(r, o, "id", false, &id) || !field_str(r, o, "path", true, NULL, &path) ||
        !field_addr(r, o, "base", false, &base))
        return false;
    if (rd_process_module(r->p, id)) {
        snprintf(r->err, sizeof r->err, "module %ld is defined twice", id);
        return false;
    }
    m = rd_xcalloc(1, sizeof *m);
    m->id = id;
    m->path = rd_xstrdup(path);
    m->base = base;
    HASH_ADD(hh, r->p->modules, id, sizeof m->id, m);
    return true;
}

static bool on_stack(struct reader *r, json_t *o)
{
    long id;
    json_t *frames = json_object_get(o, "frames"), *fr;
    struct rd_raw_frame *raw = NULL;
    size_t n = 0, cap = 0, i;
    struct rd_rec_stack *s;
    if (!field_id(r, o, "id", false, &id))
        return false;
    if (!json_is_array(frames)) {
        snprintf(r->err, sizeof r->err, "field \"frames\" is missing or not an array");
        return false;
    }
    json_array_foreach(frames, i, fr) {
        json_t *mod = json_array_get(fr, 0), *off = json_array_get(fr, 1);
        struct rd_raw_frame *f;
        uint64_t offset = 0;
        if (!json_is_array(fr) || !json_is_integer(mod) || json_integer_value(mod) < -1 ||
            !((json_is_integer(off) && json_integer_value(off) >= 0) ||
              (json_is_string(off) && parse_u64(json_string_value(off), &offset)))) {
            snprintf(r->err, sizeof r->err,
                     "frame %zu of stack %ld is not [module_id, offset]", i, id);
            free(raw);
            return false;
        }
        if (json_is_integer(off))
            offset = (uint64_t)json_integer_value(off);
        f = RD_PUSH(raw, n, cap);
        f->module = (long)json_integer_value(mod);
        f->offset = offset;
    }
    if (rd_process_stack(r->p, id)) {
        snprintf(r->err, sizeof r->err, "stack %ld is defined twice", id);
        free(raw);
        return false;
    }
    s = rd_xcalloc(1, sizeof *s);
    s->id = id;
    s->raw = raw;
    s->nraw = n;
    HASH_ADD(hh, r->p->stacks, id, sizeof s->id, s);
    return true;
}

static bool on_thread(struct reader *r, json_t *o)
{
    long id, parent, create_stack;
    const char *name;
    struct rd_rec_thread *t;
    if (!field_id(r, o, "id", false, &id) || !field_id(r, o, "parent", true, &parent) ||
        !field_id(r, o, "create_stack", true, &create_stack) ||
        !field_str(r, o, "name", false, "", &name))
        return false;
    if (rd_process_thread(r->p, id)) {
        snprintf(r->err, sizeof r->err, "thread %ld is defined twice", id);
        return false;
    }
    t = rd_xcalloc(1, sizeof *t);
    t->id = id;
    t->parent = parent;
    t->create_stack = create_stack;
    t->name = rd_xstrdup(name);
    HASH_ADD(hh, r->p->threads, id, sizeof t->id, t);
    return true;
}

/* A thread named after its line was written: the newest name wins. */
static bool on_thread_name(struct reader *r, json_t *o)
{
    long id;
    const char *name;
    struct rd_rec_thread *t;
    if (!field_id(r, o, "id", false, &id) || !field_str(r, o, "name", false, "", &name))
        return false;
    t = rd_process_thread(r->p, id);
    if (!t) {
        snprintf(r->err, sizeof r->err, "thread %ld is named before it is defined", id);
        return false;
    }
    free(t->name);
    t->name = rd_xstrdup(name);
    return true;
}

static bool on_lock(struct reader *r, json_t *o)
{
    long id, module, init_stack;
    const char *kind, *type;
    uint64_t addr, offset;
    struct rd_rec_lock *l;
    if (!field_id(r, o, "id", false, &id) || !field_str(r, o, "kind", true, NULL, &kind) ||
        !field_str(r, o, "type", false, "", &type) || !field_addr(r, o, "addr", true, &addr) ||
        !field_id(r, o, "module", true, &module) || !field_addr(r, o, "offset", false, &offset) ||
        !field_id(r, o, "init_stack", true, &init_stack))
        return false;
    if (rd_process_lock(r->p, id)) {
        snprintf(r->err, sizeof r->err, "lock %ld is defined twice", id);
        return false;
    }
    l = rd_xcalloc(1, sizeof *l);
    l->id = id;
    l->kind = rd_xstrdup(kind);
    l->type = rd_xstrdup(type);
    l->addr = addr;
    l->module = module;
    l->offset = offset;
    l->init_stack = init_stack;
    HASH_ADD(hh, r->p->locks, id, sizeof l->id, l);
    return true;
}

static bool on_edge(struct reader *r, json_t *o)
{
    struct rd_rec_edge e;
    memset(&e, 0, sizeof e);
    if (!field_id(r, o, "from", false, &e.from) || !field_id(r, o, "to", false, &e.to) ||
        !field_id(r, o, "thread", true, &e.thread) ||
        !field_id(r, o, "from_stack", true, &e.from_stack) ||
        !field_id(r, o, "to_stack", true, &e.to_stack) ||
        !field_bool(r, o, "trylock", &e.trylock))
        return false;
    *RD_PUSH(r->p->edges, r->p->nedges, r->p->capedges) = e;
    return true;
}

/* Free what a finding being read has collected so far. */
static void drop_stackrefs(struct rd_rec_finding *f)
{
    size_t i;
    free(f->threads);
    free(f->locks);
    for (i = 0; i < f->nstacks; i++)
        free(f->stacks[i].role);
    free(f->stacks);
}

static bool on_finding(struct reader *r, json_t *o)
{
    struct rd_rec_finding f;
    const char *kind, *summary;
    json_t *stacks = json_object_get(o, "stacks"), *details = json_object_get(o, "details"), *s;
    size_t i, cap = 0;

    memset(&f, 0, sizeof f);
    if (!field_str(r, o, "kind", true, NULL, &kind) ||
        !field_str(r, o, "summary", false, NULL, &summary))
        return false;
    if (!rd_kind_valid(kind)) {
        snprintf(r->err, sizeof r->err, "field \"kind\" is not a kind (lowercase letters, "
                                        "digits and '_')");
        return false;
    }
    if (stacks && !json_is_null(stacks) && !json_is_array(stacks)) {
        snprintf(r->err, sizeof r->err, "field \"stacks\" is not an array");
        return false;
    }
    if (details && !json_is_null(details) && !json_is_object(details)) {
        snprintf(r->err, sizeof r->err, "field \"details\" is not an object");
        return false;
    }
    if (!field_ids(r, o, "threads", &f.threads, &f.nthreads))
        return false;
    if (!field_ids(r, o, "locks", &f.locks, &f.nlocks)) {
        free(f.threads);
        return false;
    }
    json_array_foreach(stacks, i, s) {
        const char *role;
        long thread, stack;
        struct rd_rec_stackref *ref;
        if (json_is_object(s) && !json_is_integer(json_object_get(s, "stack")))
            snprintf(r->err, sizeof r->err, "field \"stack\" is missing or not an id");
        if (!json_is_object(s) || !json_is_integer(json_object_get(s, "stack")) ||
            !field_str(r, s, "role", false, "stack", &role) ||
            !field_id(r, s, "thread", true, &thread) || !field_id(r, s, "stack", true, &stack)) {
            if (!json_is_object(s))
                snprintf(r->err, sizeof r->err, "stack entry %zu is not an object", i);
            else {
                char inner[sizeof r->err];
                memcpy(inner, r->err, sizeof inner);
                snprintf(r->err, sizeof r->err, "stack entry %zu: %.200s", i, inner);
            }
            drop_stackrefs(&f);
            return false;
        }
        ref = RD_PUSH(f.stacks, f.nstacks, cap);
        ref->role = rd_xstrdup(role);
        ref->thread = thread;
        ref->stack = stack;
    }
    f.kind = rd_xstrdup(kind);
    f.summary = rd_xstrdup(summary ? summary : kind);
    if (json_is_object(details))
        f.details = json_incref(details);
    f.where = rd_xasprintf("%s:%ld", r->path, r->lineno);
    *RD_PUSH(r->p->findings, r->p->nfindings, r->p->capfindings) = f;
    return true;
}

static bool on_exit_record(struct reader *r, json_t *o)
{
    long status;
    const char *how;
    if (!field_long(r, o, "status", true, 0, &status) ||
        !field_str(r, o, "how", false, "exit", &how))
        return false;
    r->p->has_exit = true;
    r->p->exit_status = status < 0 ? -1 : status; /* -1: main returned, not seen */
    free(r->p->exit_how);
    r->p->exit_how = rd_xstrdup(how);
    return true;
}

static const struct {
    const char *t;
    bool (*handle)(struct reader *r, json_t *o);
} handlers[] = {
    {"process", on_process}, {"module", on_module}, {"stack", on_stack},
    {"thread", on_thread},   {"thread_name", on_thread_name},
    {"lock", on_lock},       {"edge", on_edge},
    {"finding", on_finding}, {"exit", on_exit_record},
};

/* ---- the first line ------------------------------------------------------------ */

static int read_process(struct reader *r, json_t *o)
{
    long version, pid, ppid;
    const char *exe, *t;
    json_t *argv = json_object_get(o, "argv"), *a, *tn = json_object_get(o, "time_ns");
    size_t i, cap = 0;

    if (!json_is_object(o) || !field_str(r, o, "t", true, NULL, &t) || strcmp(t, "process") != 0) {
        fprintf(r->diag, "racedet: %s: not a racedet record file (its first line is not a "
                         "process record)\n", r->path);
        return -1;
    }
    if (!field_long(r, o, "version", true, 0, &version)) {
        fprintf(r->diag, "racedet: %s: the process record has no format version\n", r->path);
        return -1;
    }
    if (version != RD_RECORD_VERSION) {
        fprintf(r->diag, "racedet: %s: record format version %ld is not supported (this racedet "
                         "reads version %d)\n", r->path, version, RD_RECORD_VERSION);
        return -1;
    }
    if (!field_long(r, o, "pid", true, 0, &pid) || !field_long(r, o, "ppid", false, -1, &ppid) ||
        !field_str(r, o, "exe", false, NULL, &exe)) {
        fprintf(r->diag, "racedet: %s:1: bad process record: %s\n", r->path, r->err);
        return -1;
    }
    r->p->pid = pid;
    r->p->ppid = ppid;
    r->p->exe = rd_xstrdup(exe);
    if (json_is_integer(tn))
        r->p->time_ns = (int64_t)json_integer_value(tn);
    json_array_foreach(argv, i, a) {
        if (json_is_string(a))
            *RD_PUSH(r->p->argv, r->p->argc, cap) = rd_xstrdup(json_string_value(a));
    }
    return 0;
}

/* ---- the file ------------------------------------------------------------------ */

int rd_records_parse(struct rd_model *m, const char *path, const char *data, size_t size,
                     FILE *diag)
{
    struct reader r;
    const char *line;
    size_t len, pos = 0;
    bool complete, have_process = false;
    int rc = 0;

    memset(&r, 0, sizeof r);
    r.path = path;
    r.diag = diag ? diag : stderr;
    r.p = rd_process_new();
    r.p->from_records = true;
    r.p->source = rd_xstrdup(path);

    while (rd_next_line(data, size, &pos, &line, &len, &complete)) {
        json_t *o;
        json_error_t jerr;
        const char *t;
        size_t i;
        r.lineno++;
        if (!complete) {
            if (!have_process)
                break; /* reported below as not a record file */
            warn(&r, "the last line is truncated (the program died while writing it?); "
                     "ignored");
            break;
        }
        o = json_loadb(line, len, 0, &jerr);
        if (!have_process) {
            rc = read_process(&r, o);
            json_decref(o);
            if (rc < 0)
                break;
            have_process = true;
            continue;
        }
        if (len == 0) {
            json_decref(o);
            continue;
        }
        if (!o) {
            char what[300];
            snprintf(what, sizeof what, "not a JSON record (%s, column %d); skipped", jerr.text,
                     jerr.column);
            warn(&r, what);
            continue;
        }
        if (!json_is_object(o) || !json_is_string(json_object_get(o, "t"))) {
            warn(&r, "not a record (no \"t\" field); skipped");
            json_decref(o);
            continue;
        }
        t = json_string_value(json_object_get(o, "t"));
        for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
            if (strcmp(t, handlers[i].t) == 0) {
                r.err[0] = '\0';
                if (!handlers[i].handle(&r, o)) {
                    char what[400];
                    snprintf(what, sizeof what, "bad %s record: %s; skipped", t, r.err);
                    warn(&r, what);
                }
                break;
            }
        }
        /* an unknown t: a newer runtime's record, skipped in silence */
        json_decref(o);
    }
    if (rc == 0 && !have_process) {
        fprintf(r.diag, "racedet: %s: %s\n", path,
                r.lineno == 0 ? "empty record file (the program wrote nothing)"
                              : "not a racedet record file (its first line is not a complete "
                                "process record)");
        rc = -1;
    }
    if (rc < 0) {
        rd_process_free(r.p);
        return -1;
    }
    rd_model_add_process(m, r.p);
    return 0;
}

int rd_records_read(struct rd_model *m, const char *path, FILE *diag)
{
    return rd_slurp_parse(m, path, rd_records_parse, diag);
}

bool rd_records_sniff_bytes(const char *data, size_t size)
{
    const char *line;
    size_t len, pos = 0;
    bool complete, yes = false;
    if (rd_next_line(data, size, &pos, &line, &len, &complete) && len > 0) {
        json_t *o = json_loadb(line, len, JSON_DISABLE_EOF_CHECK, NULL);
        json_t *t = json_object_get(o, "t");
        yes = json_is_string(t) && strcmp(json_string_value(t), "process") == 0;
        json_decref(o);
    }
    return yes;
}

bool rd_records_sniff(const char *path)
{
    size_t len;
    char *data = rd_slurp_input(path, NULL, &len, NULL);
    bool yes = data && rd_records_sniff_bytes(data, len);
    free(data);
    return yes;
}
