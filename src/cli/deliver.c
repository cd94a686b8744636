/* deliver: see cli.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"
#include "render_text.h"
#include "snippets.h"
#include "suppressions.h"
#include "symbolize.h"

/* The source root, resolved (realpath: snippets.h compares resolved
 * paths), or NULL with errno set. */
static char *source_root(const struct rd_options *o)
{
    struct stat st;
    char *root = realpath(*o->source_root ? o->source_root : ".", NULL);
    if (root && (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))) {
        free(root);
        errno = ENOTDIR;
        return NULL;
    }
    return root;
}

static int check_format(const struct rd_options *o)
{
    char names[256];
    const struct rd_renderer *r = rd_renderer_find(o->format);
    const char *why;
    if (!r) {
        rd_renderer_names(names, sizeof names);
        fprintf(stderr, "racedet: --format %s is not available in this build (it renders: %s)\n",
                o->format, names);
        return -1;
    }
    why = r->unavailable ? r->unavailable() : NULL;
    if (why) {
        fprintf(stderr, "racedet: --format %s: %s\n", o->format, why);
        return -1;
    }
    return 0;
}

int cli_check_report_options(const struct rd_options *o)
{
    char *root;
    if (check_format(o) < 0)
        return -1;
    if (*o->source_root) {
        root = source_root(o);
        if (!root) {
            fprintf(stderr, "racedet: --source-root %s: %s\n", o->source_root, strerror(errno));
            return -1;
        }
        free(root);
    }
    return 0;
}

int cli_load_suppressions(const struct rd_options *o, struct rd_suppressions **out)
{
    *out = NULL;
    if (!o->suppressions || !*o->suppressions)
        return 0;
    *out = rd_suppressions_new();
    if (rd_suppressions_load(*out, o->suppressions, stderr) < 0) {
        rd_suppressions_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* --color: always / never / auto (a terminal, and NO_COLOR not set). */
static bool want_color(const struct rd_options *o, FILE *stream)
{
    const char *no_color = getenv("NO_COLOR");
    if (strcmp(o->color, "always") == 0)
        return true;
    if (strcmp(o->color, "never") == 0)
        return false;
    if (no_color && *no_color)
        return false;
    return isatty(fileno(stream)) == 1;
}

static int render_to(const struct rd_renderer *r, struct rd_model *m, FILE *f,
                     const struct rd_options *o, const char *cwd)
{
    struct rd_render_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.color = want_color(o, f);
    ro.cwd = cwd;
    ro.snippets = o->snippets;
    errno = 0;
    return r->render(m, f, &ro);
}

/* "racedet: writing the report to X failed[: why]" */
static void say_failed(const char *where, int err)
{
    if (err)
        fprintf(stderr, "racedet: writing the report to %s failed: %s\n", where, strerror(err));
    else
        fprintf(stderr, "racedet: writing the report to %s failed\n", where);
}

/* Render the finished model in format r to -o or its default stream. */
static int write_report(const struct rd_renderer *r, struct rd_model *m,
                        const struct rd_options *o, const char *cwd)
{
    const struct rd_renderer *text = rd_renderer_find("text");
    struct cli_output out;
    int rc, err;

    if (!*o->output) {
        FILE *stream = r->machine ? stdout : stderr;
        if (render_to(r, m, stream, o, cwd) < 0) {
            say_failed(stream == stdout ? "standard output" : "standard error", errno);
            return -1;
        }
        return 0;
    }

    if (cli_output_open(&out, o->output) != 0) {
        fprintf(stderr, "racedet: cannot write the report to %s: %s\n", o->output,
                strerror(errno));
        render_to(text, m, stderr, o, cwd);
        return -1;
    }
    rc = render_to(r, m, out.f, o, cwd);
    err = errno;
    if (cli_output_close(&out, rc == 0) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    if (rc < 0) {
        say_failed(o->output, err);
        render_to(text, m, stderr, o, cwd);
        return -1;
    }
    {
        char *line = rd_render_summary_line(m);
        char *supp_line = rd_render_suppressed_line(m);
        fprintf(stderr, "%s; report written to %s\n", line, o->output);
        if (supp_line)
            fprintf(stderr, "%s\n", supp_line);
        free(line);
        free(supp_line);
    }
    return 0;
}

int cli_deliver(struct rd_model *m, const struct rd_options *o, struct rd_suppressions *supp)
{
    struct rd_symbolizer *sym = rd_symbolizer_new(stderr);
    const struct rd_renderer *r = rd_renderer_find(o->format);
    char cwd[4096], *root;
    int rc;

    rd_model_finish(m, sym, stderr);
    rd_symbolizer_free(sym);
    rd_suppressions_apply(supp, m);
    root = o->snippets ? source_root(o) : NULL; /* gone since checked: no snippets */
    rd_snippet_root_set(root);
    rc = write_report(r ? r : rd_renderer_find("text"), m, o,
                      getcwd(cwd, sizeof cwd) ? cwd : NULL);
    rd_snippet_root_set(NULL);
    free(root);
    return rc;
}
