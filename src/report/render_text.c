/* render_text: see render_text.h. */
#include "render_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "confirmation.h"
#include "location.h"
#include "mem.h"
#include "process_exit.h"
#include "snippets.h"
#include "user_frame.h"

#define C_KIND "\033[1;31m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

struct text_ctx {
    FILE *out;
    const struct rd_render_opts *o;
    /* copies of strings with control characters made harmless (see cl) */
    char *scratch[8];
    unsigned next;
};

/* s, or a copy of it with every control character as '?': records and
 * documents can come from anywhere, and a name with a newline or an escape
 * sequence must not break the report's lines or drive the terminal. The copy
 * lives until 8 more have been made. */
static const char *cl(struct text_ctx *c, const char *s)
{
    const char *p;
    char *d, *q;
    unsigned slot;
    if (!s)
        return "";
    for (p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            break;
    if (!*p)
        return s;
    slot = c->next++ % 8;
    free(c->scratch[slot]);
    d = c->scratch[slot] = rd_xstrdup(s);
    for (q = d; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = '?';
    return d;
}

static const char *on(const struct text_ctx *c, const char *code)
{
    return c->o && c->o->color ? code : "";
}

static const char *off(const struct text_ctx *c)
{
    return c->o && c->o->color ? C_OFF : "";
}

/* The source lines around the stack's first frame in the user's code:
 *       24 |     pthread_mutex_lock(&a);
 *     > 25 |     counter++;
 *       26 |     pthread_mutex_unlock(&a);                                    */
static void print_snippet(struct text_ctx *c, const struct rd_frame *v, size_t n)
{
    struct rd_snippet_line *lines;
    size_t nl, i;
    int width = 0;
    if (!c->o || !c->o->snippets)
        return;
    nl = rd_snippet_of_stack(v, n, c->o->cwd, &lines, &width);
    if (nl == 0)
        return;
    for (i = 0; i < nl; i++) {
        if (lines[i].key)
            fprintf(c->out, "    %s> %*d | %s%s\n", on(c, C_BOLD), width, lines[i].number,
                    lines[i].text, off(c));
        else
            fprintf(c->out, "    %s  %*d | %s%s\n", on(c, C_DIM), width, lines[i].number,
                    lines[i].text, off(c));
    }
    rd_snippet_free(lines, nl);
}

/* A source file as the reader wants it: relative when under the cwd. */
static const char *show_file(const struct text_ctx *c, const char *file)
{
    const char *cwd = c->o ? c->o->cwd : NULL;
    size_t n;
    if (!cwd || !*cwd || file[0] != '/')
        return file;
    n = strlen(cwd);
    if (n > 1 && cwd[n - 1] == '/')
        n--;
    if (strncmp(file, cwd, n) == 0 && file[n] == '/' && file[n + 1])
        return file + n + 1;
    return file;
}

static void print_frame(struct text_ctx *c, size_t i, const struct rd_frame *f)
{
    fprintf(c->out, "    #%zu %s", i, f->function ? cl(c, f->function) : "??");
    if (f->file) {
        fprintf(c->out, " %s", cl(c, show_file(c, f->file)));
        if (f->line > 0)
            fprintf(c->out, ":%d", f->line);
    }
    if (f->module && f->file)
        fprintf(c->out, " %s(%s)%s", on(c, C_DIM), cl(c, rd_basename(f->module)), off(c));
    else if (f->module)
        fprintf(c->out, " %s(%s+0x%" PRIx64 ")%s", on(c, C_DIM), cl(c, rd_basename(f->module)),
                f->offset, off(c));
    else
        fprintf(c->out, " %s(0x%" PRIx64 ")%s", on(c, C_DIM), f->pc, off(c));
    if (f->inlined)
        fputs(" [inlined]", c->out);
    fputc('\n', c->out);
}

static void print_frames(struct text_ctx *c, const struct rd_frame *v, size_t n,
                         const char *unavailable)
{
    size_t i;
    if (unavailable || n == 0) {
        fprintf(c->out, "    <stack unavailable: %s>\n",
                unavailable ? cl(c, unavailable) : "no frames");
        return;
    }
    for (i = 0; i < n; i++)
        print_frame(c, i, &v[i]);
}

static const struct rd_process *find_process(const struct rd_model *m, long pid)
{
    size_t i;
    for (i = 0; i < m->nprocs; i++)
        if (m->procs[i]->pid == pid)
            return m->procs[i];
    return NULL;
}

static void print_finding(struct text_ctx *c, const struct rd_model *m,
                          const struct rd_finding *f)
{
    char *where;
    size_t i;
    char *confirmation = rd_confirmation_text(f);
    fprintf(c->out, "==racedet== %s%s%s: %s%s%s\n", on(c, C_KIND), cl(c, f->kind), off(c),
            on(c, C_BOLD), cl(c, f->summary), off(c));
    if (confirmation)
        fprintf(c->out, "  %s%s%s\n", on(c, C_BOLD), cl(c, confirmation), off(c));
    free(confirmation);
    if (rd_model_nprocesses(m) > 1) {
        const struct rd_process *p = find_process(m, f->pid);
        const char *name = p && p->argc ? p->argv[0] : p && p->exe ? p->exe : "?";
        fprintf(c->out, "  in process %ld (%s)\n", f->pid, cl(c, name));
    }
    if (f->occurrences > 1) {
        fprintf(c->out, "  seen %ld times", f->occurrences);
        if (f->npids > 1) {
            fputs(", in processes ", c->out);
            for (i = 0; i < f->npids; i++)
                fprintf(c->out, "%s%ld", i ? ", " : "", f->pids[i]);
        }
        fputc('\n', c->out);
    }
    where = rd_location_text(f, c->o ? c->o->cwd : NULL);
    if (where)
        fprintf(c->out, "  location: %s\n", cl(c, where));
    free(where);
    for (i = 0; i < f->nstacks; i++) {
        const struct rd_stack_info *s = &f->stacks[i];
        const char *name = rd_finding_thread_name(f, s->thread);
        fprintf(c->out, "  %s%s%s", on(c, C_BOLD), cl(c, s->role), off(c));
        if (s->thread >= 0 && name)
            fprintf(c->out, " (thread T%ld \"%s\")", s->thread, cl(c, name));
        else if (s->thread >= 0)
            fprintf(c->out, " (thread T%ld)", s->thread);
        fputs(":\n", c->out);
        print_frames(c, s->frames, s->nframes, s->unavailable);
        if (!s->unavailable)
            print_snippet(c, s->frames, s->nframes);
    }
    for (i = 0; i < f->nthreads; i++) {
        const struct rd_thread_info *t = &f->threads[i];
        char *label = rd_thread_label(t->id, cl(c, t->name));
        if (t->has_create) {
            fprintf(c->out, "  %s created at:\n", label);
            print_frames(c, t->create, t->ncreate, t->create_unavailable);
        } else if (t->create_unavailable) {
            fprintf(c->out, "  %s: <thread unavailable: %s>\n", label,
                    cl(c, t->create_unavailable));
        } else if (t->parent < 0) {
            fprintf(c->out, "  %s is the main thread\n", label);
        } else {
            fprintf(c->out, "  %s was created by T%ld (where was not recorded)\n", label,
                    t->parent);
        }
        free(label);
    }
}

char *rd_render_summary_line(const struct rd_model *m)
{
    const char **kinds = rd_xcalloc(m->nfindings ? m->nfindings : 1, sizeof *kinds);
    size_t *counts = rd_xcalloc(m->nfindings ? m->nfindings : 1, sizeof *counts);
    size_t nk = rd_model_count_kinds(m, kinds, counts), i;
    char *s, *list = rd_xstrdup("");
    size_t nprocs = rd_model_nprocesses(m);
    const char *procs = nprocs == 1 ? "process" : "processes";
    const struct rd_process *killed = rd_model_killed_process(m);

    for (i = 0; i < nk; i++) {
        char *n = rd_xasprintf("%s%s%zu %s", list, i ? ", " : "", counts[i], kinds[i]);
        free(list);
        list = n;
    }
    if (killed) {
        /* a crashed run is never "no findings": it did not finish */
        char *sig = rd_signal_describe(killed->exit_signal);
        if (m->nfindings == 0)
            s = rd_xasprintf("racedet: %s was killed by %s; nothing found before it died, "
                             "in %zu %s", rd_process_name(killed), sig, nprocs, procs);
        else
            s = rd_xasprintf("racedet: %s was killed by %s; %zu finding%s (%s) in %zu %s",
                             rd_process_name(killed), sig, m->nfindings,
                             m->nfindings == 1 ? "" : "s", list, nprocs, procs);
        free(sig);
    } else if (m->nfindings == 0) {
        s = rd_xasprintf("racedet: no findings in %zu %s", nprocs, procs);
    } else {
        s = rd_xasprintf("racedet: %zu finding%s (%s) in %zu %s", m->nfindings,
                         m->nfindings == 1 ? "" : "s", list, nprocs, procs);
    }
    free(list);
    free(kinds);
    free(counts);
    return s;
}

char *rd_render_suppressed_line(const struct rd_model *m)
{
    long total = rd_model_nsuppressed_findings(m);
    char *s;
    size_t i;
    bool first = true;
    if (total <= 0)
        return NULL;
    s = rd_xasprintf("racedet: suppressed %ld finding%s:", total, total == 1 ? "" : "s");
    for (i = 0; i < m->nsuppressed; i++) {
        const struct rd_suppressed *x = &m->suppressed[i];
        char *n;
        if (x->count <= 0)
            continue;
        n = rd_xasprintf("%s%s %ld by %s (%s:%ld)", s, first ? "" : ",", x->count,
                         x->rule ? x->rule : "?", rd_basename(x->file ? x->file : "?"),
                         x->line);
        free(s);
        s = n;
        first = false;
    }
    return s;
}

int rd_render_text(const struct rd_model *m, FILE *out, const struct rd_render_opts *o)
{
    struct text_ctx c;
    size_t i;
    char *summary, *supp;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.o = o;
    for (i = 0; i < m->nfindings; i++) {
        print_finding(&c, m, m->findings[i]);
        fputc('\n', out);
    }
    summary = rd_render_summary_line(m);
    fprintf(out, "%s\n", summary);
    free(summary);
    supp = rd_render_suppressed_line(m);
    if (supp)
        fprintf(out, "%s\n", cl(&c, supp));
    free(supp);
    for (i = 0; i < 8; i++)
        free(c.scratch[i]);
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
