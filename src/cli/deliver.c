/* deliver: see cli.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"
#include "render_text.h"
#include "symbolize.h"

int cli_check_format(const struct rd_options *o)
{
    char names[256];
    if (rd_renderer_find(o->format))
        return 0;
    rd_renderer_names(names, sizeof names);
    fprintf(stderr, "racedet: --format %s is not available in this build (it renders: %s)\n",
            o->format, names);
    return -1;
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
    ro.color = want_color(o, f);
    ro.cwd = cwd;
    return r->render(m, f, &ro);
}

int cli_deliver(struct rd_model *m, const struct rd_options *o)
{
    struct rd_symbolizer *sym = rd_symbolizer_new(stderr);
    const struct rd_renderer *r = rd_renderer_find(o->format);
    const struct rd_renderer *text = rd_renderer_find("text");
    char cwd[4096];
    const char *cwdp = getcwd(cwd, sizeof cwd) ? cwd : NULL;
    FILE *f;
    int rc;

    rd_model_finish(m, sym, stderr);
    rd_symbolizer_free(sym);
    if (!r)
        r = text;

    if (!*o->output) {
        FILE *stream = r->machine ? stdout : stderr;
        if (render_to(r, m, stream, o, cwdp) < 0) {
            fprintf(stderr, "racedet: writing the report to %s failed: %s\n",
                    stream == stdout ? "standard output" : "standard error", strerror(errno));
            return -1;
        }
        return 0;
    }

    f = fopen(o->output, "w");
    if (!f) {
        fprintf(stderr, "racedet: cannot write the report to %s: %s\n", o->output,
                strerror(errno));
        render_to(text, m, stderr, o, cwdp);
        return -1;
    }
    rc = render_to(r, m, f, o, cwdp);
    if (fclose(f) != 0)
        rc = -1;
    if (rc < 0) {
        fprintf(stderr, "racedet: writing the report to %s failed: %s\n", o->output,
                strerror(errno));
        render_to(text, m, stderr, o, cwdp);
        return -1;
    }
    {
        char *line = rd_render_summary_line(m);
        fprintf(stderr, "%s; report written to %s\n", line, o->output);
        free(line);
    }
    return 0;
}
