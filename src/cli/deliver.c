/* deliver: see cli.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"
#include "render_text.h"
#include "suppressions.h"
#include "symbolize.h"

int cli_check_format(const struct rd_options *o)
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

int cli_deliver(struct rd_model *m, const struct rd_options *o, struct rd_suppressions *supp)
{
    struct rd_symbolizer *sym = rd_symbolizer_new(stderr);
    const struct rd_renderer *r = rd_renderer_find(o->format);
    const struct rd_renderer *text = rd_renderer_find("text");
    char cwd[4096];
    const char *cwdp = getcwd(cwd, sizeof cwd) ? cwd : NULL;
    struct cli_output out;
    int rc, err;

    rd_model_finish(m, sym, stderr);
    rd_symbolizer_free(sym);
    rd_suppressions_apply(supp, m);
    if (!r)
        r = text;

    if (!*o->output) {
        FILE *stream = r->machine ? stdout : stderr;
        if (render_to(r, m, stream, o, cwdp) < 0) {
            say_failed(stream == stdout ? "standard output" : "standard error", errno);
            return -1;
        }
        return 0;
    }

    if (cli_output_open(&out, o->output) != 0) {
        fprintf(stderr, "racedet: cannot write the report to %s: %s\n", o->output,
                strerror(errno));
        render_to(text, m, stderr, o, cwdp);
        return -1;
    }
    rc = render_to(r, m, out.f, o, cwdp);
    err = errno;
    if (cli_output_close(&out, rc == 0) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    if (rc < 0) {
        say_failed(o->output, err);
        render_to(text, m, stderr, o, cwdp);
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
