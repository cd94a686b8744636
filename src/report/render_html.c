/* render_html: see render_html.h. */
#include "render_html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "confirmation.h"
#include "escape.h"
#include "kinds.h"
#include "location.h"
#include "mem.h"
#include "process_exit.h"
#include "render_dot.h"
#include "render_text.h"
#include "snippets.h"
#include "user_frame.h"

#ifndef RACEDET_VERSION
#define RACEDET_VERSION "0.0.0"
#endif

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "margin:0 auto;max-width:70em;padding:1em 2em;color:#1f2328;background:#fff}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.5em;border-bottom:1px solid #d0d7de}"
    "code,pre,.frames{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "font-size:.9em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;"
    "padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f6f8fa}"
    ".finding{border:1px solid #d0d7de;border-left:6px solid #bf8700;border-radius:6px;"
    "padding:.3em 1em .8em;margin:1em 0}"
    ".finding.error{border-left-color:#cf222e}"
    ".kind{display:inline-block;font-family:ui-monospace,monospace;font-size:.85em;"
    "padding:.1em .5em;border-radius:1em;background:#fff8c5;color:#7d4e00;margin-right:.4em}"
    ".error .kind{background:#ffebe9;color:#a40e26}"
    ".finding h3{margin:.5em 0 .2em}.meta,.desc{color:#57606a;margin:.2em 0}"
    "details{margin:.4em 0}summary{cursor:pointer;font-weight:600}"
    ".frames{margin:.3em 0 .3em 1.5em;padding:0}.frames li{margin:.1em 0}"
    ".fn{font-weight:600}.mod{color:#57606a}.sys{color:#8c959f}.sys .fn{font-weight:400}"
    "pre.snippet{background:#f6f8fa;border-radius:6px;padding:.4em .8em;margin:.3em 0 .3em 1.5em;"
    "overflow-x:auto}pre.snippet .key{background:#fff8c5;font-weight:600;display:inline-block;"
    "min-width:100%}"
    ".graph svg{max-width:100%;height:auto}.cycle{color:#cf222e;font-weight:600}"
    ".none{color:#1a7f37;font-weight:600}";

struct html_ctx {
    FILE *out;
    const struct rd_model *m;
    const struct rd_render_opts *o;
};

static void h(struct html_ctx *c, const char *s)
{
    rd_put_html(c->out, s);
}

static const char *show_file(const struct html_ctx *c, const char *file)
{
    const char *rel = c->o ? rd_path_below(file, c->o->cwd) : NULL;
    return rel && file[0] == '/' ? rel : file;
}

static void put_frame(struct html_ctx *c, const struct rd_frame *f)
{
    FILE *out = c->out;
    fprintf(out, "<li%s><span class=\"fn\">", rd_frame_is_system(f) ? " class=\"sys\"" : "");
    h(c, f->function ? f->function : "??");
    fputs("</span>", out);
    if (f->file) {
        fputs(" <span class=\"loc\">", out);
        h(c, show_file(c, f->file));
        if (f->line > 0)
            fprintf(out, ":%d", f->line);
        fputs("</span>", out);
    }
    if (f->module) {
        fputs(" <span class=\"mod\">(", out);
        h(c, rd_basename(f->module));
        if (!f->file)
            fprintf(out, "+0x%" PRIx64, f->offset);
        fputs(")</span>", out);
    } else {
        fprintf(out, " <span class=\"mod\">(0x%" PRIx64 ")</span>", f->pc);
    }
    if (f->inlined)
        fputs(" <span class=\"mod\">[inlined]</span>", out);
    fputs("</li>\n", out);
}

static void put_snippet(struct html_ctx *c, const struct rd_frame *v, size_t n)
{
    struct rd_snippet_line *lines;
    size_t nl, i;
    int width = 0;
    if (!c->o || !c->o->snippets)
        return;
    nl = rd_snippet_of_stack(v, n, c->o->cwd, &lines, &width);
    if (nl == 0)
        return;
    fputs("<pre class=\"snippet\">", c->out);
    for (i = 0; i < nl; i++) {
        fprintf(c->out, "%s%c %*d | ", lines[i].key ? "<span class=\"key\">" : "",
                lines[i].key ? '>' : ' ', width, lines[i].number);
        h(c, lines[i].text);
        fputs(lines[i].key ? "</span>\n" : "\n", c->out);
    }
    fputs("</pre>\n", c->out);
    rd_snippet_free(lines, nl);
}

static void put_frames(struct html_ctx *c, const struct rd_frame *v, size_t n,
                       const char *unavailable)
{
    size_t i;
    if (unavailable || n == 0) {
        fputs("<p class=\"meta\">stack unavailable: ", c->out);
        h(c, unavailable ? unavailable : "no frames");
        fputs("</p>\n", c->out);
        return;
    }
    fputs("<ol class=\"frames\" start=\"0\">\n", c->out);
    for (i = 0; i < n; i++)
        put_frame(c, &v[i]);
    fputs("</ol>\n", c->out);
    put_snippet(c, v, n);
}

static void put_finding(struct html_ctx *c, const struct rd_finding *f)
{
    FILE *out = c->out;
    const struct rd_kind_info *k = rd_kind_find(f->kind);
    char *where;
    size_t i;

    fprintf(out, "<section class=\"finding%s\" id=\"finding-", k && k->error ? " error" : "");
    h(c, f->id);
    fputs("\">\n<h3><span class=\"kind\">", out);
    h(c, f->kind);
    fputs("</span>", out);
    h(c, f->summary);
    fputs("</h3>\n<p class=\"meta\">id <code>", out);
    h(c, f->id);
    fprintf(out, "</code>, process %ld", f->pid);
    if (f->occurrences > 1)
        fprintf(out, ", seen %ld times", f->occurrences);
    if (f->npids > 1) {
        fputs(" in processes ", out);
        for (i = 0; i < f->npids; i++)
            fprintf(out, "%s%ld", i ? ", " : "", f->pids[i]);
    }
    fputs("</p>\n", out);
    where = rd_location_text(f, c->o ? c->o->cwd : NULL);
    if (where) {
        fputs("<p class=\"location\">location: ", out);
        h(c, where);
        fputs("</p>\n", out);
        free(where);
    }
    {
        char *confirmation = rd_confirmation_text(f);
        if (confirmation) {
            fputs("<p class=\"meta\"><strong>", out);
            h(c, confirmation);
            fputs("</strong></p>\n", out);
            free(confirmation);
        }
    }
    if (k) {
        fputs("<p class=\"desc\">", out);
        h(c, k->brief);
        fputs(" ", out);
        h(c, k->help);
        fputs("</p>\n", out);
    }
    for (i = 0; i < f->nstacks; i++) {
        const struct rd_stack_info *s = &f->stacks[i];
        const char *name = rd_finding_thread_name(f, s->thread);
        fputs("<details class=\"stack\" open><summary>", out);
        h(c, s->role ? s->role : "stack");
        if (s->thread >= 0) {
            fprintf(out, " (thread T%ld", s->thread);
            if (name) {
                fputs(" &quot;", out);
                h(c, name);
                fputs("&quot;", out);
            }
            fputs(")", out);
        }
        fputs("</summary>\n", out);
        put_frames(c, s->frames, s->nframes, s->unavailable);
        fputs("</details>\n", out);
    }
    for (i = 0; i < f->nthreads; i++) {
        const struct rd_thread_info *t = &f->threads[i];
        char *label = rd_thread_label(t->id, t->name);
        if (t->has_create) {
            fputs("<details class=\"thread\"><summary>", out);
            h(c, label);
            fputs(" created at</summary>\n", out);
            put_frames(c, t->create, t->ncreate, t->create_unavailable);
            fputs("</details>\n", out);
        } else {
            fputs("<p class=\"meta\">", out);
            h(c, label);
            if (t->create_unavailable) {
                fputs(": thread unavailable: ", out);
                h(c, t->create_unavailable);
            } else if (t->parent < 0) {
                fputs(" is the main thread", out);
            } else {
                fprintf(out, " was created by T%ld (where was not recorded)", t->parent);
            }
            fputs("</p>\n", out);
        }
        free(label);
    }
    fputs("</section>\n", out);
}

static void put_edge_table(struct html_ctx *c)
{
    const struct rd_model *m = c->m;
    size_t i, j;
    fputs("<table class=\"edges\"><tr><th>held</th><th>then taken</th><th>thread</th>"
          "<th>taken at</th><th>held since</th></tr>\n", c->out);
    for (i = 0; i < m->ngedges; i++) {
        const struct rd_graph_edge *e = &m->gedges[i];
        const char *ends[2] = {e->from, e->to};
        fprintf(c->out, "<tr%s>", e->in_cycle ? " class=\"cycle\"" : "");
        for (j = 0; j < 2; j++) {
            const struct rd_graph_lock *l = NULL;
            size_t k;
            for (k = 0; k < m->nglocks && !l; k++)
                if (strcmp(m->glocks[k].id, ends[j]) == 0)
                    l = &m->glocks[k];
            fputs("<td>", c->out);
            if (l) {
                char *d = rd_lock_describe(l->kind, l->name, l->addr);
                h(c, d);
                free(d);
            } else {
                h(c, ends[j]);
            }
            fputs("</td>", c->out);
        }
        fprintf(c->out, "<td>T%ld%s</td><td>", e->thread, e->trylock ? " (trylock)" : "");
        if (e->has_to_frame && e->to_frame.file) {
            h(c, show_file(c, e->to_frame.file));
            fprintf(c->out, ":%d", e->to_frame.line);
        }
        fputs("</td><td>", c->out);
        if (e->has_from_frame && e->from_frame.file) {
            h(c, show_file(c, e->from_frame.file));
            fprintf(c->out, ":%d", e->from_frame.line);
        }
        fputs("</td></tr>\n", c->out);
    }
    fputs("</table>\n", c->out);
}

static void put_graph(struct html_ctx *c)
{
    char err[512];
    char *svg, *start;
    fputs("<h2 id=\"lock-graph\">Lock-order graph</h2>\n", c->out);
    if (c->m->ngedges == 0) {
        fputs("<p>No lock was taken while another was held.</p>\n", c->out);
        return;
    }
    fputs("<p>An edge A &rarr; B: some thread took B while holding A. Edges on a cycle "
          "(a potential deadlock) are <span class=\"cycle\">red</span>.</p>\n", c->out);
    err[0] = '\0';
    svg = rd_svg_unavailable() ? NULL : rd_lock_graph_svg(c->m, c->o, err, sizeof err);
    start = svg ? strstr(svg, "<svg") : NULL;
    if (start) {
        fputs("<div class=\"graph\">\n", c->out);
        fputs(start, c->out);
        fputs("</div>\n", c->out);
    } else {
        fputs("<p class=\"meta\">(Graphviz is not installed: the graph as a table.)</p>\n",
              c->out);
    }
    free(svg);
    put_edge_table(c);
}

int rd_render_html(const struct rd_model *m, FILE *out, const struct rd_render_opts *o)
{
    struct html_ctx c = {out, m, o};
    const char **kinds = rd_xcalloc(m->nfindings ? m->nfindings : 1, sizeof *kinds);
    size_t *counts = rd_xcalloc(m->nfindings ? m->nfindings : 1, sizeof *counts);
    size_t nk = rd_model_count_kinds(m, kinds, counts), i, j;
    char *summary = rd_render_summary_line(m);

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"racedet " RACEDET_VERSION "\">\n", out);
    fprintf(out, "<title>racedet report: %zu finding%s</title>\n<style>%s</style>\n</head>\n"
                 "<body>\n<header>\n<h1>racedet report</h1>\n",
            m->nfindings, m->nfindings == 1 ? "" : "s", css);
    fprintf(out, "<p id=\"summary\" class=\"%s\">", m->nfindings ? "" : "none");
    h(&c, summary);
    fputs("</p>\n", out);
    if (nk > 0) {
        fputs("<table class=\"counts\"><tr><th>kind</th><th>findings</th></tr>\n", out);
        for (i = 0; i < nk; i++) {
            fputs("<tr><td><code>", out);
            h(&c, kinds[i]);
            fprintf(out, "</code></td><td>%zu</td></tr>\n", counts[i]);
        }
        fputs("</table>\n", out);
    }
    if (m->nsuppressed > 0) {
        fputs("<p>Suppressions:</p>\n<table class=\"suppressions\"><tr><th>rule</th>"
              "<th>where</th><th>findings suppressed</th></tr>\n", out);
        for (i = 0; i < m->nsuppressed; i++) {
            fputs("<tr><td><code>", out);
            h(&c, m->suppressed[i].rule);
            fputs("</code></td><td>", out);
            h(&c, m->suppressed[i].file);
            fprintf(out, ":%ld</td><td>%ld</td></tr>\n", m->suppressed[i].line,
                    m->suppressed[i].count);
        }
        fputs("</table>\n", out);
    }
    fputs("<details class=\"processes\"><summary>Processes</summary>\n<ul>\n", out);
    for (i = 0; i < m->nprocs; i++) {
        const struct rd_process *p = m->procs[i];
        if (p->duplicate)
            continue;
        fprintf(out, "<li>process %ld (parent %ld): <code>", p->pid, p->ppid);
        if (p->argc == 0)
            h(&c, p->exe ? p->exe : "?");
        for (j = 0; j < p->argc; j++) {
            if (j)
                fputc(' ', out);
            h(&c, p->argv[j]);
        }
        fputs("</code>", out);
        if (p->has_exit && p->exit_signal > 0) {
            char *sig = rd_signal_describe(p->exit_signal);
            fprintf(out, ", killed by %s", sig);
            free(sig);
        } else if (p->has_exit && p->exit_status >= 0) {
            fprintf(out, ", exit status %ld", p->exit_status);
        }
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</details>\n</header>\n<main>\n<h2 id=\"findings\">Findings</h2>\n", out);
    if (m->nfindings == 0)
        fputs("<p class=\"none\">No findings.</p>\n", out);
    for (i = 0; i < m->nfindings; i++)
        put_finding(&c, m->findings[i]);
    put_graph(&c);
    fputs("</main>\n</body>\n</html>\n", out);

    free(summary);
    free(kinds);
    free(counts);
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
