/* location: see location.h. */
#include "location.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "mem.h"
#include "symbolize.h"
#include "user_frame.h"

json_t *rd_location_resolve(json_t *details, struct rd_process *p,
                            const struct rd_rec_finding *rf, struct rd_symbolizer *sym)
{
    json_t *loc = json_object_get(details, "location"), *out, *nloc, *id;
    const char *kind = json_string_value(json_object_get(loc, "kind"));
    size_t i;

    if (!kind)
        return json_incref(details);
    out = json_deep_copy(details);
    nloc = json_object_get(out, "location");
    if (strcmp(kind, "global") == 0) {
        json_t *off = json_object_get(loc, "offset");
        struct rd_rec_module *m = NULL;
        id = json_object_get(loc, "module");
        if (json_is_integer(id))
            m = rd_process_module(p, (long)json_integer_value(id));
        json_object_del(nloc, "module");
        if (m) {
            json_object_set_new(nloc, "module", rd_json_text(m->path));
            if (json_is_integer(off)) {
                char *name = rd_symbolize_data(sym, m->path, (uint64_t)json_integer_value(off));
                json_object_set_new(nloc, "name", name ? rd_json_text(name) : json_null());
                free(name);
            }
        }
    } else if (strcmp(kind, "heap") == 0) {
        id = json_object_get(loc, "alloc_stack");
        json_object_del(nloc, "alloc_stack");
        for (i = 0; json_is_integer(id) && i < rf->nstacks; i++)
            if (rf->stacks[i].stack == (long)json_integer_value(id)) {
                json_object_set_new(nloc, "alloc_stack_index", json_integer((json_int_t)i));
                break;
            }
    }
    return out;
}

/* A non-negative integer member, or 0. */
static uint64_t uint_of(json_t *o, const char *key, bool *present)
{
    json_t *v = json_object_get(o, key);
    bool ok = json_is_integer(v) && json_integer_value(v) >= 0;
    if (present)
        *present = ok;
    return ok ? (uint64_t)json_integer_value(v) : 0;
}

bool rd_location_of(const struct rd_finding *f, struct rd_location *l)
{
    json_t *loc = f->details ? json_object_get(f->details, "location") : NULL;
    json_t *cur = f->details ? json_object_get(f->details, "current") : NULL, *v;
    const char *kind = json_string_value(json_object_get(loc, "kind"));
    bool has_size, has_offset;
    uint64_t idx;

    memset(l, 0, sizeof *l);
    l->thread = -1;
    if (!kind)
        return false;
    if (strcmp(kind, "global") == 0)
        l->kind = RD_LOC_GLOBAL;
    else if (strcmp(kind, "heap") == 0)
        l->kind = RD_LOC_HEAP;
    else if (strcmp(kind, "stack") == 0)
        l->kind = RD_LOC_STACK;
    else if (strcmp(kind, "fd") == 0 && json_is_integer(json_object_get(loc, "fd")))
        l->kind = RD_LOC_FD;
    else
        l->kind = RD_LOC_UNKNOWN;
    l->write = json_is_true(json_object_get(cur, "write"));
    l->atomic = json_is_true(json_object_get(cur, "atomic"));
    l->size = uint_of(cur, "size", NULL);
    l->address = json_string_value(json_object_get(f->details, "address"));
    l->fd = (long)json_integer_value(json_object_get(loc, "fd"));

    l->name = json_string_value(json_object_get(loc, "name"));
    l->module = json_string_value(json_object_get(loc, "module"));
    l->offset = uint_of(loc, "offset", NULL);
    l->block_size = uint_of(loc, "block_size", &has_size);
    l->block_offset = uint_of(loc, "block_offset", &has_offset);
    l->has_block = has_size && has_offset;
    idx = uint_of(loc, "alloc_stack_index", &has_size);
    if (has_size && idx < f->nstacks)
        l->alloc = &f->stacks[idx];
    v = json_object_get(loc, l->kind == RD_LOC_STACK ? "stack_thread" : "alloc_thread");
    if (json_is_integer(v))
        l->thread = (long)json_integer_value(v);
    return true;
}

/* "main src/a.c:40", or "?? (prog+0x1234)" for a frame without a line. */
static char *frame_words(const struct rd_frame *fr, const char *cwd)
{
    const char *fn = fr->function ? fr->function : "??";
    const char *file = rd_path_below(fr->file, cwd);
    if (fr->file && fr->line > 0)
        return rd_xasprintf("%s %s:%d", fn, file ? file : fr->file, fr->line);
    if (fr->module)
        return rd_xasprintf("%s (%s+0x%" PRIx64 ")", fn, rd_basename(fr->module), fr->offset);
    return rd_xasprintf("%s (0x%" PRIx64 ")", fn, fr->pc);
}

/* ", allocated by T1 at main src/a.c:40" */
static char *allocated_by(const struct rd_finding *f, const struct rd_location *l,
                          const char *cwd)
{
    const struct rd_frame *fr = NULL;
    char *who, *where, *s;
    if (l->alloc && l->alloc->nframes > 0) {
        fr = rd_user_frame(l->alloc->frames, l->alloc->nframes, cwd);
        if (!fr)
            fr = &l->alloc->frames[0];
    }
    if (l->thread < 0 && !fr)
        return rd_xstrdup("");
    who = l->thread >= 0 ? rd_thread_label(l->thread, rd_finding_thread_name(f, l->thread)) : NULL;
    where = fr ? frame_words(fr, cwd) : NULL;
    s = rd_xasprintf(", allocated%s%s%s%s", who ? " by " : "", who ? who : "",
                     where ? " at " : "", where ? where : "");
    free(who);
    free(where);
    return s;
}

char *rd_location_text(const struct rd_finding *f, const char *cwd)
{
    struct rd_location l;
    char *access, *where, *s;
    if (!rd_location_of(f, &l))
        return NULL;
    if (l.kind == RD_LOC_FD)
        return rd_xasprintf("%s of file descriptor %ld", l.write ? "close" : "use", l.fd);
    if (l.size > 0)
        access = rd_xasprintf("%s%s of %" PRIu64 " byte%s %s ", l.atomic ? "atomic " : "",
                              l.write ? "write" : "read", l.size, l.size == 1 ? "" : "s",
                              l.write ? "to" : "from");
    else
        access = rd_xstrdup(l.write ? "write to " : "read from ");

    switch (l.kind) {
    case RD_LOC_GLOBAL: {
        char *in = l.module ? rd_xasprintf(" (%s+0x%" PRIx64 ")", rd_basename(l.module), l.offset)
                            : rd_xstrdup("");
        where = l.name ? rd_xasprintf("global `%s`%s", l.name, in)
                       : rd_xasprintf("a global%s", in);
        free(in);
        break;
    }
    case RD_LOC_HEAP: {
        char *by = allocated_by(f, &l, cwd);
        if (l.has_block)
            where = rd_xasprintf("a heap block of %" PRIu64 " byte%s at offset %" PRIu64 "%s",
                                 l.block_size, l.block_size == 1 ? "" : "s", l.block_offset, by);
        else
            where = rd_xasprintf("a heap block%s", by);
        free(by);
        break;
    }
    case RD_LOC_STACK:
        if (l.thread >= 0) {
            char *who = rd_thread_label(l.thread, rd_finding_thread_name(f, l.thread));
            where = rd_xasprintf("the stack of %s", who);
            free(who);
        } else {
            where = rd_xstrdup("a thread's stack");
        }
        break;
    default:
        where = rd_xasprintf("%s (not in a global, a heap block or a thread stack racedet knows)",
                             l.address ? l.address : "memory");
        break;
    }
    s = rd_xasprintf("%s%s", access, where);
    free(access);
    free(where);
    return s;
}
