/* render_sarif: see render_sarif.h. */
#include "render_sarif.h"
#include "escape.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "confirmation.h"
#include "kinds.h"
#include "location.h"
#include "mem.h"
#include "user_frame.h"

#ifndef RACEDET_VERSION
#define RACEDET_VERSION "0.0.0"
#endif

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT "%SRCROOT%"

static json_t *text_message(const char *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", rd_json_text(s));
    return o;
}

/* Percent-encode a path for a URI: everything but unreserved characters and
 * '/' becomes %XX. */
static char *uri_path(const char *path)
{
    static const char hexd[] = "0123456789ABCDEF";
    size_t n = strlen(path), i, j = 0;
    char *d = rd_xmalloc(3 * n + 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            d[j++] = (char)c;
        } else {
            d[j++] = '%';
            d[j++] = hexd[c >> 4];
            d[j++] = hexd[c & 15];
        }
    }
    d[j] = '\0';
    return d;
}

/* artifactLocation of a file: relative to %SRCROOT% when under cwd (or
 * relative already), else an absolute file:// URI. */
static json_t *artifact_location(const char *file, const char *cwd)
{
    json_t *o = json_object();
    const char *rel = rd_path_below(file, cwd);
    char *enc, *uri;
    if (rel) {
        while (rel[0] == '.' && rel[1] == '/')
            rel += 2;
        enc = uri_path(rel);
        json_object_set_new(o, "uri", json_string(enc));
        json_object_set_new(o, "uriBaseId", json_string(SRCROOT));
        free(enc);
        return o;
    }
    enc = uri_path(file);
    uri = rd_xasprintf("file://%s%s", file[0] == '/' ? "" : "/", enc);
    json_object_set_new(o, "uri", json_string(uri));
    free(uri);
    free(enc);
    return o;
}

/* physicalLocation of a frame with a source line. */
static json_t *source_location(const struct rd_frame *f, const char *cwd)
{
    json_t *pl = json_object(), *region = json_object();
    json_object_set_new(pl, "artifactLocation", artifact_location(f->file, cwd));
    json_object_set_new(region, "startLine", json_integer(f->line));
    json_object_set_new(pl, "region", region);
    return pl;
}

/* physicalLocation of a frame without a usable source line: its module and
 * address. */
static json_t *binary_location(const struct rd_frame *f)
{
    json_t *pl = json_object(), *addr = json_object();
    if (f->module)
        json_object_set_new(pl, "artifactLocation", artifact_location(f->module, NULL));
    json_object_set_new(addr, "kind", json_string("instruction"));
    if (f->module)
        json_object_set_new(addr, "offsetFromParent", json_integer((json_int_t)(f->offset & INT64_MAX)));
    else
        json_object_set_new(addr, "absoluteAddress", json_integer((json_int_t)(f->pc & INT64_MAX)));
    if (f->function)
        json_object_set_new(addr, "fullyQualifiedName", rd_json_text(f->function));
    json_object_set_new(pl, "address", addr);
    return pl;
}

/* "func (file:line, module)" */
static char *frame_text(const struct rd_frame *f)
{
    const char *fn = f->function ? f->function : "??";
    const char *mod = f->module ? rd_basename(f->module) : NULL;
    if (f->file && f->line > 0)
        return mod ? rd_xasprintf("%s (%s:%d, %s)", fn, f->file, f->line, mod)
                   : rd_xasprintf("%s (%s:%d)", fn, f->file, f->line);
    if (mod)
        return rd_xasprintf("%s (%s+0x%" PRIx64 ")", fn, mod, f->offset);
    return rd_xasprintf("%s (0x%" PRIx64 ")", fn, f->pc);
}

/* "role (thread T2 \"name\")" */
static char *stack_title(const struct rd_finding *f, const struct rd_stack_info *s)
{
    const char *role = s->role ? s->role : "stack";
    const char *name = rd_finding_thread_name(f, s->thread);
    if (s->thread < 0)
        return rd_xstrdup(role);
    if (name)
        return rd_xasprintf("%s (thread T%ld \"%s\")", role, s->thread, name);
    return rd_xasprintf("%s (thread T%ld)", role, s->thread);
}

static json_t *thread_flow(const struct rd_finding *f, const struct rd_stack_info *s,
                           const char *cwd)
{
    json_t *tf = json_object(), *locs = json_array();
    char *title = stack_title(f, s);
    size_t i;
    json_object_set_new(tf, "message", text_message(title));
    if (s->unavailable || s->nframes == 0) {
        json_t *tfl = json_object(), *loc = json_object();
        char *why = rd_xasprintf("stack unavailable: %s",
                                 s->unavailable ? s->unavailable : "no frames");
        json_object_set_new(loc, "message", text_message(why));
        json_object_set_new(tfl, "location", loc);
        json_array_append_new(locs, tfl);
        free(why);
    }
    /* SARIF orders a thread flow in time: the outermost call first */
    for (i = s->nframes; i-- > 0;) {
        const struct rd_frame *fr = &s->frames[i];
        json_t *tfl = json_object(), *loc = json_object();
        char *t = frame_text(fr);
        if (!rd_frame_is_system(fr))
            json_object_set_new(loc, "physicalLocation", source_location(fr, cwd));
        json_object_set_new(loc, "message", text_message(t));
        json_object_set_new(tfl, "location", loc);
        if (fr->module)
            json_object_set_new(tfl, "module", rd_json_text(rd_basename(fr->module)));
        json_object_set_new(tfl, "nestingLevel", json_integer((json_int_t)(s->nframes - 1 - i)));
        if (i == 0) /* where the event itself happened */
            json_object_set_new(tfl, "importance", json_string("essential"));
        json_array_append_new(locs, tfl);
        free(t);
    }
    json_object_set_new(tf, "locations", locs);
    free(title);
    return tf;
}

static json_t *rule_json(const char *kind, const struct rd_kind_info *k)
{
    json_t *r = json_object(), *help = json_object(), *cfg = json_object(),
           *props = json_object(), *tags = json_array();
    char *text, *md;
    json_object_set_new(r, "id", rd_json_text(kind));
    if (k) {
        json_object_set_new(r, "name", json_string(k->name));
        json_object_set_new(r, "shortDescription", text_message(k->brief));
        json_object_set_new(r, "fullDescription", text_message(k->full));
        text = rd_xasprintf("%s\n\n%s", k->full, k->help);
        md = rd_xasprintf("**%s** (`%s`)\n\n%s\n\n**How to fix:** %s", k->brief, k->kind,
                          k->full, k->help);
    } else {
        text = rd_xasprintf("Findings of kind %s (not a kind this racedet knows).", kind);
        md = rd_xstrdup(text);
        json_object_set_new(r, "shortDescription", text_message(text));
        json_object_set_new(r, "fullDescription", text_message(text));
    }
    json_object_set_new(help, "text", rd_json_text(text));
    json_object_set_new(help, "markdown", rd_json_text(md));
    json_object_set_new(r, "help", help);
    json_object_set_new(cfg, "level", json_string(k && k->error ? "error" : "warning"));
    json_object_set_new(r, "defaultConfiguration", cfg);
    json_array_append_new(tags, json_string("concurrency"));
    json_array_append_new(tags, json_string("racedet"));
    json_object_set_new(props, "tags", tags);
    json_object_set_new(props, "precision", json_string("high"));
    json_object_set_new(props, "problem.severity",
                        json_string(k && k->error ? "error" : "warning"));
    json_object_set_new(r, "properties", props);
    free(text);
    free(md);
    return r;
}

/* Index of kind in rules (adding a rule for a kind racedet does not know). */
static size_t rule_index(json_t *rules, const char *kind)
{
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r) {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (id && kind && strcmp(id, kind) == 0)
            return i;
    }
    json_array_append_new(rules, rule_json(kind ? kind : "", NULL));
    return json_array_size(rules) - 1;
}

static json_t *result_json(const struct rd_finding *f, json_t *rules, const char *cwd)
{
    json_t *res = json_object(), *locs = json_array(), *related = json_array(),
           *flows = json_array(), *flow = json_object(), *tfs = json_array(),
           *fp = json_object(), *props = json_object(), *pids = json_array();
    const struct rd_kind_info *k = rd_kind_find(f->kind);
    const struct rd_frame *primary = NULL;
    char *where = rd_location_text(f, cwd);
    size_t i, primary_stack = (size_t)-1;
    long next_id = 1;

    json_object_set_new(res, "ruleId", rd_json_text(f->kind));
    json_object_set_new(res, "ruleIndex", json_integer((json_int_t)rule_index(rules, f->kind)));
    json_object_set_new(res, "level", json_string(k && k->error ? "error" : "warning"));
    {
        /* where the memory is belongs in what code scanning shows, and so
         * does a lock-order cycle's confirmation (racedet explore) */
        const char *summary = f->summary ? f->summary : f->kind;
        char *confirmation = rd_confirmation_text(f);
        char *text = where && confirmation ? rd_xasprintf("%s; %s (%s)", summary, where, confirmation)
                     : where               ? rd_xasprintf("%s; %s", summary, where)
                     : confirmation        ? rd_xasprintf("%s (%s)", summary, confirmation)
                                           : NULL;
        json_object_set_new(res, "message", text_message(text ? text : summary));
        if (where)
            json_object_set_new(props, "location", rd_json_text(where));
        free(text);
        free(where);
        free(confirmation);
    }

    for (i = 0; i < f->nstacks && !primary; i++) {
        primary = rd_user_frame(f->stacks[i].frames, f->stacks[i].nframes, cwd);
        if (primary)
            primary_stack = i;
    }
    if (primary) {
        json_t *loc = json_object();
        json_object_set_new(loc, "physicalLocation", source_location(primary, cwd));
        json_array_append_new(locs, loc);
    } else {
        /* no frame in the user's code: the first frame there is, as binary */
        for (i = 0; i < f->nstacks; i++)
            if (f->stacks[i].nframes > 0) {
                json_t *loc = json_object();
                json_object_set_new(loc, "physicalLocation",
                                    binary_location(&f->stacks[i].frames[0]));
                json_array_append_new(locs, loc);
                break;
            }
    }
    json_object_set_new(res, "locations", locs);

    for (i = 0; i < f->nstacks; i++) {
        const struct rd_stack_info *s = &f->stacks[i];
        const struct rd_frame *uf;
        json_t *loc;
        char *title;
        if (i == primary_stack)
            continue;
        uf = rd_user_frame(s->frames, s->nframes, cwd);
        if (!uf)
            continue;
        loc = json_object();
        title = stack_title(f, s);
        json_object_set_new(loc, "id", json_integer(next_id++));
        json_object_set_new(loc, "physicalLocation", source_location(uf, cwd));
        json_object_set_new(loc, "message", text_message(title));
        json_array_append_new(related, loc);
        free(title);
    }
    if (json_array_size(related) > 0)
        json_object_set_new(res, "relatedLocations", related);
    else
        json_decref(related);

    for (i = 0; i < f->nstacks; i++)
        json_array_append_new(tfs, thread_flow(f, &f->stacks[i], cwd));
    if (json_array_size(tfs) > 0) {
        json_object_set_new(flow, "threadFlows", tfs);
        json_array_append_new(flows, flow);
        json_object_set_new(res, "codeFlows", flows);
    } else {
        json_decref(tfs);
        json_decref(flow);
        json_decref(flows);
    }

    json_object_set_new(fp, "racedetFindingId/v1", rd_json_text(f->id));
    json_object_set_new(res, "partialFingerprints", fp);
    if (f->occurrences >= 1)
        json_object_set_new(res, "occurrenceCount", json_integer(f->occurrences));
    json_object_set_new(props, "id", rd_json_text(f->id));
    json_object_set_new(props, "process", json_integer(f->pid));
    for (i = 0; i < f->npids; i++)
        json_array_append_new(pids, json_integer(f->pids[i]));
    json_object_set_new(props, "pids", pids);
    if (f->details && json_object_get(f->details, "explore"))
        json_object_set(props, "explore", json_object_get(f->details, "explore"));
    json_object_set_new(res, "properties", props);
    return res;
}

static json_t *run_properties(const struct rd_model *m)
{
    json_t *props = json_object(), *procs = json_array(), *supp = json_array();
    size_t i, j;
    for (i = 0; i < m->nprocs; i++) {
        const struct rd_process *p = m->procs[i];
        json_t *o, *argv;
        if (p->duplicate)
            continue;
        o = json_object();
        argv = json_array();
        json_object_set_new(o, "pid", json_integer(p->pid));
        json_object_set_new(o, "exe", rd_json_text(p->exe));
        for (j = 0; j < p->argc; j++)
            json_array_append_new(argv, rd_json_text(p->argv[j]));
        json_object_set_new(o, "argv", argv);
        json_array_append_new(procs, o);
    }
    json_object_set_new(props, "processes", procs);
    for (i = 0; i < m->nsuppressed; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "rule", rd_json_text(m->suppressed[i].rule));
        json_object_set_new(o, "file", rd_json_text(m->suppressed[i].file));
        json_object_set_new(o, "line", json_integer(m->suppressed[i].line));
        json_object_set_new(o, "count", json_integer(m->suppressed[i].count));
        json_array_append_new(supp, o);
    }
    json_object_set_new(props, "suppressions", supp);
    if (m->explore)
        json_object_set(props, "explore", m->explore);
    return props;
}

json_t *rd_report_to_sarif(const struct rd_model *m, const char *cwd)
{
    json_t *log = json_object(), *runs = json_array(), *run = json_object(),
           *tool = json_object(), *driver = json_object(), *rules = json_array(),
           *results = json_array(), *inv = json_array(), *inv0 = json_object();
    size_t i;

    json_object_set_new(log, "$schema", json_string(SARIF_SCHEMA));
    json_object_set_new(log, "version", json_string("2.1.0"));

    json_object_set_new(driver, "name", json_string("racedet"));
    json_object_set_new(driver, "fullName", json_string("racedet " RACEDET_VERSION
                                                        ": race and deadlock detector"));
    json_object_set_new(driver, "version", json_string(RACEDET_VERSION));
    json_object_set_new(driver, "semanticVersion", json_string(RACEDET_VERSION));
    for (i = 0; i < rd_nkinds; i++)
        json_array_append_new(rules, rule_json(rd_kinds[i].kind, &rd_kinds[i]));
    for (i = 0; i < m->nfindings; i++)
        json_array_append_new(results, result_json(m->findings[i], rules, cwd));
    json_object_set_new(driver, "rules", rules);
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);

    json_object_set_new(inv0, "executionSuccessful", json_true());
    json_array_append_new(inv, inv0);
    json_object_set_new(run, "invocations", inv);

    if (cwd && cwd[0] == '/') {
        json_t *bases = json_object(), *root = json_object();
        char *enc = uri_path(cwd);
        size_t n = strlen(enc);
        char *uri = rd_xasprintf("file://%s%s", enc, n && enc[n - 1] == '/' ? "" : "/");
        json_object_set_new(root, "uri", json_string(uri));
        json_object_set_new(bases, SRCROOT, root);
        json_object_set_new(run, "originalUriBaseIds", bases);
        free(uri);
        free(enc);
    }
    json_object_set_new(run, "results", results);
    json_object_set_new(run, "properties", run_properties(m));
    json_array_append_new(runs, run);
    json_object_set_new(log, "runs", runs);
    return log;
}

int rd_render_sarif(const struct rd_model *m, FILE *out, const struct rd_render_opts *o)
{
    json_t *log = rd_report_to_sarif(m, o ? o->cwd : NULL);
    int rc = json_dumpf(log, out, JSON_INDENT(2));
    json_decref(log);
    if (rc != 0 || fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
